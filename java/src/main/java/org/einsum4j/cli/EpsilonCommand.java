package org.einsum4j.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Set;
import org.einsum4j.dp.PrivacySpent;
import org.einsum4j.dp.RdpAccountant;

/**
 * {@code einsum4j epsilon}: the privacy accountant on the command line — ε (and the best Rényi order) of DP-SGD
 * with Poisson sampling rate q, noise multiplier σ, a number of steps and δ, or, given a target ε instead of σ,
 * the noise multiplier that reaches it (Opacus's {@code get_noise_multiplier}). Parsing is here; the numbers come
 * from {@link RdpAccountant} and are formatted by {@link #report}.
 */
final class EpsilonCommand {
    static final String SUMMARY = "privacy spent (epsilon) of DP-SGD, or the noise multiplier for a target epsilon";

    static final String HELP = """
            Usage: einsum4j epsilon --q Q --sigma S --steps N --delta D [--json]
                   einsum4j epsilon --q Q --target-epsilon E --steps N --delta D [--tolerance T] [--json]

            The RDP accountant of Opacus (RDPAccountant: its Renyi orders 1.1..10.9 and 12..63, the
            Poisson-subsampled Gaussian mechanism, the conversion to (epsilon, delta) of Opacus >= 1.0).
            With --sigma it prints epsilon after N steps and the order at which it is reached; with
            --target-epsilon it prints the noise multiplier sigma whose epsilon lies in [E - T, E], found by
            Opacus's search (so the same sigma as Opacus's get_noise_multiplier), and the epsilon it reaches.

            Options:
              --q Q                 sampling rate in (0, 1] (expected batch size / dataset size)
              --sigma S             noise multiplier >= 0
              --target-epsilon E    target epsilon > 0 (instead of --sigma)
              --steps N             number of steps >= 0
              --delta D             delta in (0, 1)
              --tolerance T         epsilon tolerance of the sigma search (default 0.01)
              --json                one JSON object: q, sigma, steps, delta, epsilon, best_order, ...
              -h, --help            this help

            Examples:
              einsum4j epsilon --q 0.004 --sigma 1.1 --steps 25000 --delta 1e-5
              einsum4j epsilon --q 0.004 --target-epsilon 8 --steps 25000 --delta 1e-5 --json
            """;

    private static final Set<String> VALUE_OPTIONS =
            Set.of("q", "sigma", "target-epsilon", "steps", "delta", "tolerance");
    private static final Set<String> FLAG_OPTIONS = Set.of("json");

    private EpsilonCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("epsilon", argv, VALUE_OPTIONS, FLAG_OPTIONS);
        if (args.flag("help")) {
            out.print(HELP);
            return Main.OK;
        }
        if (!args.positionals().isEmpty()) {
            throw new UsageException("unexpected argument '" + args.positionals().get(0)
                    + "' (see einsum4j epsilon --help)");
        }
        boolean hasSigma = args.has("sigma");
        boolean hasTarget = args.has("target-epsilon");
        if (hasSigma == hasTarget) {
            throw new UsageException("give exactly one of --sigma and --target-epsilon (see einsum4j epsilon --help)");
        }
        double q = number(args, "q");
        double delta = number(args, "delta");
        if (!args.has("steps")) {
            throw new UsageException("option --steps is required (see einsum4j epsilon --help)");
        }
        long steps = args.longValue("steps", 0, 0, Long.MAX_VALUE);
        if (hasSigma) {
            if (args.has("tolerance")) {
                throw new UsageException("--tolerance belongs to --target-epsilon");
            }
            double sigma = number(args, "sigma");
            out.print(report(q, sigma, steps, delta, Double.NaN, Double.NaN, args.flag("json")));
        } else {
            double target = number(args, "target-epsilon");
            double tol = args.has("tolerance") ? number(args, "tolerance") : RdpAccountant.DEFAULT_EPSILON_TOLERANCE;
            double sigma = RdpAccountant.noiseMultiplier(target, delta, q, steps, tol);
            out.print(report(q, sigma, steps, delta, target, tol, args.flag("json")));
        }
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

    private static double number(Args args, String name) {
        String v = args.value(name, null);
        if (v == null) {
            throw new UsageException("option --" + name + " is required (see einsum4j epsilon --help)");
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " needs a number, got '" + v + "'");
        }
    }
}
