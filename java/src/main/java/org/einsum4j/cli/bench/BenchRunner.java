package org.einsum4j.cli.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum;
import org.einsum4j.Einsum4jException;
import org.einsum4j.cli.GradsampleWorkload;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.path.PathOptimizer;
import org.einsum4j.path.PathOptimizers;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;
import org.einsum4j.tensor.Tensor;

/**
 * The benchmark suites without JMH, for {@code einsum4j bench}: each row is timed in this JVM (warm-up calls, then
 * timed calls; the median and the fastest are reported). Quicker to run and to read than JMH, and less exact on
 * sub-millisecond rows (one JVM, short warm-up): bench/run (JMH, with the peers) makes the published figures.
 */
public final class BenchRunner {
    /** The suites {@code einsum4j bench} knows. */
    public enum Suite {
        EINSUM, PATHS, LAYERS, DP;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** What to run: the suite, the backend of the contractions, and quick (fewer rows and calls) or full. */
    public record Options(Suite suite, String backend, boolean quick) {
    }

    /** One timed row: times in ms; {@code extraMib} is the peak native memory beyond the inputs (layers only). */
    public record Result(String id, String label, String detail, double medianMs, double minMs, int calls,
            Double extraMib) {
    }

    /** Told before each row (for a progress bar): the row's index, the total, and what is about to run. */
    public interface Progress {
        void next(int index, int total, String id);
    }

    /** A suite this build cannot run (the DP step suite before it lands, a backend without the suite). */
    public static final class NotAvailableException extends Einsum4jException {
        private static final long serialVersionUID = 1L;

        NotAvailableException(String message) {
            super(message);
        }
    }

    /** A timed piece of work; returns something derived from the result so it is not optimised away. */
    @FunctionalInterface
    interface Work {
        long run();
    }

    private BenchRunner() {
    }

    /** The rows a suite runs, in order: suite ids (E01, L03, ...) or {@code n<operands>-<optimizer>}. */
    public static List<String> rows(Options o) {
        return switch (o.suite()) {
            case EINSUM -> new ArrayList<>(EinsumSuite.rows().keySet());
            case PATHS -> pathRows(o.quick());
            case LAYERS -> o.quick() ? List.of("L01", "L03", "L05", "L07s", "L08", "L09", "L10")
                    : new ArrayList<>(LayerSuite.rows().keySet());
            case DP -> throw new NotAvailableException("the DP step suite is not in this build yet (bench/run --suite"
                    + " dp runs DpStepBenchmark where it exists)");
        };
    }

    /** Runs every row of the suite, telling {@code progress} before each. */
    public static List<Result> run(Options o, Progress progress) {
        return run(o, rows(o), progress);
    }

    /** Runs the given rows of the suite (ids as {@link #rows} gives them). */
    static List<Result> run(Options o, List<String> ids, Progress progress) {
        if (!o.backend().equals("cpu") && o.suite() != Suite.EINSUM) {
            throw new NotAvailableException("suite " + o.suite().label() + " runs on the CPU only (got --backend "
                    + o.backend() + ")");
        }
        List<Result> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            progress.next(i, ids.size(), ids.get(i));
            out.add(switch (o.suite()) {
                case EINSUM -> einsumRow(EinsumSuite.row(ids.get(i)), o);
                case PATHS -> pathRow(ids.get(i), o.quick());
                case LAYERS -> layerRow(LayerSuite.row(ids.get(i)), o.quick());
                case DP -> throw new IllegalStateException("unreachable");
            });
        }
        progress.next(ids.size(), ids.size(), "");
        return out;
    }

    private static Result einsumRow(EinsumSuite.Row r, Options o) {
        int[][] shapes = o.backend().equals("cpu") ? r.cpuShapes() : r.gpuShapes();
        ContractOptions opts = ContractOptions.defaults().withBackend(o.backend());
        Tensor[] ops = new Tensor[shapes.length];
        try {
            for (int k = 0; k < shapes.length; k++) {
                ops[k] = Tensor.random(DType.FLOAT32, k, shapes[k]);
            }
            double[] t = time(() -> {
                try (Tensor res = Einsum.contract(r.spec(), opts, ops)) {
                    return res.numel();
                }
            }, o.quick() ? 2 : 5, o.quick() ? 5 : 20);
            return new Result(r.id(), r.spec(), shapesText(shapes), t[0], t[1], (int) t[2], null);
        } finally {
            for (Tensor t : ops) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    private static List<String> pathRows(boolean quick) {
        List<String> ids = new ArrayList<>();
        int[] ns = quick ? new int[] {6, 10, 16, 30, 60} : RandomNetworks.SIZES;
        for (int n : ns) {
            for (String opt : List.of("optimal", "dp", "greedy", "auto", "auto-hq")) {
                if ((opt.equals("optimal") && n > 10) || (opt.equals("dp") && n > 16)) {
                    continue; // exhaustive searches where they finish in a moment
                }
                ids.add("n" + n + "-" + opt);
            }
        }
        return ids;
    }

    private static Result pathRow(String id, boolean quick) {
        int dash = id.indexOf('-');
        int n = Integer.parseInt(id.substring(1, dash));
        String name = id.substring(dash + 1);
        RandomNetworks.Network net = RandomNetworks.forSize(n);
        PathOptimizer opt = PathOptimizers.get(name);
        double[] t = time(() -> opt.optimize(net.inputs(), net.output(), net.sizes(), PathOptimizer.NO_LIMIT).size(),
                quick ? 3 : 10, quick ? 5 : 20);
        return new Result(id, name, n + " operands", t[0], t[1], (int) t[2], null);
    }

    private static Result layerRow(LayerSuite.Row r, boolean quick) {
        GradsampleWorkload w = r.workload();
        long[] extra = {0};
        try (GradsampleWorkload.Inputs in = w.inputs(0, DType.FLOAT32)) {
            double[] t = time(() -> {
                long base = HostAllocator.resetPeak();
                long v = w.runOnce(in, KReduction.SUM);
                extra[0] = Math.max(extra[0], HostAllocator.peakBytes() - base);
                return v;
            }, 1, quick ? 3 : 7);
            return new Result(r.id(), r.layer(), "B=" + r.b() + " K=" + r.k() + " " + r.hyper(), t[0], t[1],
                    (int) t[2], extra[0] / 1048576.0);
        }
    }

    /** {median ms, min ms, calls}: {@code warmup} untimed calls, then {@code calls} timed ones. */
    static double[] time(Work work, int warmup, int calls) {
        long sink = 0;
        for (int i = 0; i < warmup; i++) {
            sink += work.run();
        }
        double[] ms = new double[calls];
        for (int i = 0; i < calls; i++) {
            long t0 = System.nanoTime();
            sink += work.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(ms);
        double median = calls % 2 == 1 ? ms[calls / 2] : (ms[calls / 2 - 1] + ms[calls / 2]) / 2;
        if (sink == Long.MIN_VALUE) {
            System.out.print(""); // keeps sink alive
        }
        return new double[] {median, ms[0], calls};
    }

    static String shapesText(int[][] shapes) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < shapes.length; k++) {
            sb.append(k > 0 ? ";" : "");
            for (int d = 0; d < shapes[k].length; d++) {
                sb.append(d > 0 ? "x" : "").append(shapes[k][d]);
            }
        }
        return sb.toString();
    }
}
