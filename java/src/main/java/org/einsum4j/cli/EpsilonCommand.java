package org.einsum4j.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.einsum4j.dp.PrivacySpent;
import org.einsum4j.dp.RdpAccountant;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code einsum4j epsilon}: the privacy accountant on the command line — ε (and the best Rényi order) of DP-SGD
 * with Poisson sampling rate q, noise multiplier σ, a number of steps and δ, or, given a target ε instead of σ,
 * the noise multiplier that reaches it (Opacus's {@code get_noise_multiplier}). The numbers come from
 * {@link RdpAccountant} and are formatted by {@link #report}.
 */
@Command(name = "epsilon", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false,
        description = "privacy spent (epsilon) of DP-SGD, or the noise multiplier for a target epsilon",
        synopsisHeading = "",
        customSynopsis = {"Usage: einsum4j epsilon --q Q --sigma S --steps N --delta D [--json]",
            "       einsum4j epsilon --q Q --target-epsilon E --steps N --delta D [--tolerance T] [--json]"},
        footer = {"",
            "The RDP accountant of Opacus (RDPAccountant: its Renyi orders 1.1..10.9 and 12..63, the",
            "Poisson-subsampled Gaussian mechanism, the conversion to (epsilon, delta) of Opacus >= 1.0).",
            "With --sigma it prints epsilon after N steps and the order at which it is reached; with",
            "--target-epsilon it prints the noise multiplier sigma whose epsilon lies in [E - T, E], found by",
            "Opacus's search (so the same sigma as Opacus's get_noise_multiplier), and the epsilon it reaches.",
            "",
            "Examples:",
            "  einsum4j epsilon --q 0.004 --sigma 1.1 --steps 25000 --delta 1e-5",
            "  einsum4j epsilon --q 0.004 --target-epsilon 8 --steps 25000 --delta 1e-5 --json"})
final class EpsilonCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Option(names = "--q", paramLabel = "Q", required = true,
            description = "sampling rate in (0, 1] (expected batch size / dataset size)")
    double q;

    @Option(names = "--sigma", paramLabel = "S", description = "noise multiplier >= 0")
    Double sigma;

    @Option(names = "--target-epsilon", paramLabel = "E", description = "target epsilon > 0 (instead of --sigma)")
    Double target;

    @Option(names = "--steps", paramLabel = "N", required = true, description = "number of steps >= 0")
    long steps;

    @Option(names = "--delta", paramLabel = "D", required = true, description = "delta in (0, 1)")
    double delta;

    @Option(names = "--tolerance", paramLabel = "T",
            description = "epsilon tolerance of the sigma search (default 0.01)")
    Double tolerance;

    @Option(names = "--json", description = "one JSON object: q, sigma, steps, delta, epsilon, best_order, ...")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        if ((sigma == null) == (target == null)) {
            throw new UsageException("give exactly one of --sigma and --target-epsilon (see einsum4j epsilon --help)");
        }
        if (sigma != null) {
            if (tolerance != null) {
                throw new UsageException("--tolerance belongs to --target-epsilon");
            }
            out.print(report(q, sigma, steps, delta, Double.NaN, Double.NaN, json));
        } else {
            double tol = tolerance == null ? RdpAccountant.DEFAULT_EPSILON_TOLERANCE : tolerance;
            double s = RdpAccountant.noiseMultiplier(target, delta, q, steps, tol);
            out.print(report(q, s, steps, delta, target, tol, json));
        }
        out.flush();
        return Main.OK;
    }

    /**
     * The printed result for (q, σ, steps, δ); with a target ε (not NaN) it reports σ as the answer and ε as what σ
     * reaches.
     */
    static String report(double q, double sigma, long steps, double delta, double target, double tol,
                         boolean json) {
        PrivacySpent p = RdpAccountant.epsilon(q, sigma, steps, delta);
        boolean search = !Double.isNaN(target);
        if (json) {
            StringBuilder sb = new StringBuilder("{\"accountant\": \"rdp\"");
            sb.append(", \"q\": ").append(Json.number(q));
            sb.append(", \"sigma\": ").append(Json.number(sigma));
            sb.append(", \"steps\": ").append(steps);
            sb.append(", \"delta\": ").append(Json.number(delta));
            sb.append(", \"epsilon\": ").append(Json.number(p.epsilon()));
            sb.append(", \"best_order\": ").append(Json.number(p.bestOrder()));
            if (search) {
                sb.append(", \"target_epsilon\": ").append(Json.number(target));
                sb.append(", \"tolerance\": ").append(Json.number(tol));
            }
            return sb.append("}\n").toString();
        }
        StringBuilder sb = new StringBuilder();
        if (search) {
            sb.append(String.format(Locale.ROOT, "sigma     %s (reaches epsilon %.6f for target %s, tolerance %s)%n",
                    sigma, p.epsilon(), target, tol));
        } else {
            sb.append(String.format(Locale.ROOT, "epsilon   %.6f%n", p.epsilon()));
        }
        sb.append(String.format(Locale.ROOT, "order     %s (best Renyi order)%n", p.bestOrder()));
        sb.append(String.format(Locale.ROOT, "given     q=%s sigma=%s steps=%d delta=%s (RDP, Opacus's orders)%n", q,
                sigma, steps, delta));
        return sb.toString();
    }
}
