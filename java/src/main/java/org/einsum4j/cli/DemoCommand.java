package org.einsum4j.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.einsum4j.Einsum;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code einsum4j demo}: a short tour of what works, checked as it goes: each spec is contracted with
 * {@link Einsum#contract} and with the reference oracle, and the largest difference is shown. Exits 1 if any
 * difference is beyond float64 rounding, so the demo doubles as a smoke test of a fresh build.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "a short tour: specs, their results and the reference oracle's",
        synopsisHeading = "", customSynopsis = "Usage: einsum4j demo",
        footer = {"",
            "Contracts a few example specs (matrix product, the per-sample gradient spec n...i,n...j->nij,",
            "a diagonal, a full sum) on small seeded float64 operands with Einsum.contract, and compares each",
            "result with the reference oracle (a plain float64 loop nest); prints the contraction path table",
            "of opt_einsum's four-index transform; computes per-sample Linear gradients with augmentation",
            "multiplicity K and checks their sum against the batch gradient. Exits 1 if anything disagrees."})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    /** Example specs and their operand shapes; grows as features land. */
    private record Example(String spec, String what, int[]... shapes) {
    }

    private static final Example[] EXAMPLES = {
        new Example("ij,jk->ik", "matrix product", new int[] {2, 3}, new int[] {3, 2}),
        new Example("n...i,n...j->nij", "per-sample Linear gradient (ellipsis summed away)",
                new int[] {2, 3, 4}, new int[] {2, 3, 2}),
        new Example("ii->i", "diagonal", new int[] {3, 3}),
        new Example("bij,bjk->bik", "batched matrix product", new int[] {2, 2, 3}, new int[] {2, 3, 2}),
        new Example("ij->", "sum of all elements", new int[] {3, 4}),
    };

    /** Beyond this, contract() and the oracle disagree by more than float64 rounding on these small inputs. */
    private static final double TOLERANCE = 1e-12;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        PrintWriter err = command.commandLine().getErr();
        out.println("einsum4j demo: Einsum.contract against the reference oracle, float64, seeded operands");
        double worst = 0;
        for (Example ex : EXAMPLES) {
            worst = Math.max(worst, show(ex, out));
        }
        out.println();
        showPath(out);
        worst = Math.max(worst, showGradSample(out));
        out.println();
        if (worst > TOLERANCE) {
            err.printf(Locale.ROOT, "einsum4j demo: error: contract() and the oracle differ by %.3g%n", worst);
            return Main.FAILED;
        }
        out.printf(Locale.ROOT, "all %d examples agree with the oracle (max |difference| %.2e)%n", EXAMPLES.length + 1,
                worst);
        return Main.OK;
    }

    private static double show(Example ex, PrintWriter out) {
        Tensor[] ops = new Tensor[ex.shapes().length];
        try {
            StringBuilder shapes = new StringBuilder();
            for (int k = 0; k < ops.length; k++) {
                ops[k] = Tensor.random(DType.FLOAT64, 100 + 10L * ex.spec().hashCode() + k, ex.shapes()[k]);
                shapes.append(k > 0 ? ", " : "").append(ops[k].shape().toCliString());
            }
            out.println();
            out.printf(Locale.ROOT, "%s   (%s; operands %s)%n", ex.spec(), ex.what(), shapes);
            try (Tensor got = Einsum.contract(ex.spec(), ops); Tensor want = ReferenceEinsum.evaluate(ex.spec(), ops)) {
                double[] g = got.toDoubleArray();
                double[] w = want.toDoubleArray();
                if (!got.shape().equals(want.shape())) {
                    out.printf(Locale.ROOT, "  contract() shape %s but the oracle's is %s%n", got.shape(),
                            want.shape());
                    return Double.POSITIVE_INFINITY;
                }
                double diff = 0;
                for (int i = 0; i < g.length; i++) {
                    diff = Math.max(diff, Math.abs(g[i] - w[i]));
                    if (Double.isNaN(g[i]) != Double.isNaN(w[i])) {
                        diff = Double.POSITIVE_INFINITY;
                    }
                }
                out.printf(Locale.ROOT, "  result %s  contract: %s%n", got.shape().toCliString(), preview(g));
                out.printf(Locale.ROOT, "  %s  oracle:   %s%n", " ".repeat(7 + got.shape().toCliString().length()),
                        preview(w));
                out.printf(Locale.ROOT, "  max |contract - oracle| = %.2e%n", diff);
                return diff;
            }
        } finally {
            for (Tensor t : ops) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    /** The planner on opt_einsum's classic four-index transform: its PathInfo table, as opt_einsum prints it. */
    private static void showPath(PrintWriter out) {
        int[] m = {10, 10};
        out.println("contraction path (Einsum.contractPath, optimizer auto), opt_einsum's table:");
        out.println(Einsum.contractPath("ea,fb,abcd,gc,hd->efgh", m, m, new int[] {10, 10, 10, 10}, m, m));
    }

    /**
     * Per-sample gradients of a Linear layer with augmentation multiplicity K: B = 3 samples x K = 2 copies. The
     * per-sample weight gradients summed over the samples must equal the batch gradient {@code ri,rj->ij} over
     * all B·K rows, computed by the oracle.
     */
    private static double showGradSample(PrintWriter out) {
        int b = 3;
        int k = 2;
        LinearLayer layer = new LinearLayer(4, 5, true);
        try (Tensor a = Tensor.random(DType.FLOAT64, 7, b * k, 4); Tensor g = Tensor.random(DType.FLOAT64, 8, b * k, 5);
             Tensor batch = ReferenceEinsum.evaluate("ri,rj->ij", g, a)) {
            Map<String, Tensor> grads = GradSampler.compute(layer, a, g, k);
            try (Tensor w = grads.get("weight"); Tensor bias = grads.get("bias"); Tensor sum = Einsum.contract("nij->ij", w)) {
                out.printf(Locale.ROOT, "per-sample gradients (GradSampler, Linear(in=4, out=5), B=%d samples x K=%d"
                        + " copies): weight %s, bias %s%n", b, k, w.shape().toCliString(), bias.shape().toCliString());
                double[] x = sum.toDoubleArray();
                double[] y = batch.toDoubleArray();
                double diff = 0;
                for (int i = 0; i < x.length; i++) {
                    diff = Math.max(diff, Math.abs(x[i] - y[i]));
                }
                out.printf(Locale.ROOT, "  sum over samples vs the batch gradient ri,rj->ij (oracle): max |difference| = "
                        + "%.2e%n", diff);
                return diff;
            }
        }
    }

    private static String preview(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        int n = Math.min(v.length, 6);
        for (int i = 0; i < n; i++) {
            sb.append(i > 0 ? ", " : "").append(String.format(Locale.ROOT, "%.6f", v[i]));
        }
        if (v.length > n) {
            sb.append(", ... (").append(v.length).append(" values)");
        }
        return sb.append(']').toString();
    }
}
