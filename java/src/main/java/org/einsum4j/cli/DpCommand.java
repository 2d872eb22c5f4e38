package org.einsum4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.einsum4j.dp.DpResult;
import org.einsum4j.dp.DpStep;
import org.einsum4j.dp.GaussianNoise;
import org.einsum4j.dp.LayerBatch;
import org.einsum4j.dp.NormMode;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;

/**
 * {@code einsum4j dp}: times one DP-SGD step ({@link DpStep#run}: per-sample norms, clipping, the clipped sum,
 * noise) on the seeded random workload of a layer, as {@code einsum4j gradsample} does for the grad samplers,
 * with materialized per-sample gradients or with ghost norms; reports the median time per step and the extra
 * native memory a step held at its peak (inputs excluded).
 */
final class DpCommand {
    static final String SUMMARY = "time one clipped-and-noised DP-SGD step (ghost or materialized norms)";

    static final String HELP = """
            Usage: einsum4j dp LAYER [HYPERPARAMETERS...] --B N --K N [--T N] [--ghost] [options]

            Runs one DP-SGD step on LAYER with augmentation multiplicity K on seeded random activations and
            backprops of B*K rows: per-sample gradient norms, clip factors min(1, C/(norm + 1e-6)), the clipped
            sum and Gaussian noise of std sigma*C. Prints the median time per step and the extra native memory
            one step held at its peak (inputs excluded; per-sample gradients, Gram matrices, results included).
            Layers and hyperparameters: as einsum4j gradsample (see einsum4j gradsample --help).

            Options:
              --ghost               ghost norms: no per-sample gradient tensor (same as --mode ghost)
              --mode M              materialized (default), ghost, or auto (the cost model chooses)
              --C X                 clipping threshold (default 1)
              --sigma S             noise multiplier (default 1)
              --secure              noise from SecureRandom (default: seeded by --seed, for timing only)
              --B N, --K N, --T N, --reduction sum|mean, --dtype f32|f64, --repeat N, --warmup W, --seed S,
              --json                as einsum4j gradsample
              -h, --help            this help

            Examples:
              einsum4j dp Linear --B 64 --K 16 in=1024 out=1024 bias --ghost
              einsum4j dp Embedding --B 64 --K 4 T=128 V=30000 D=256 --ghost --json
            """;

    private static final Set<String> VALUE_OPTIONS = Set.of("B", "K", "T", "reduction", "dtype", "repeat", "warmup",
            "seed", "mode", "C", "sigma");
    private static final Set<String> FLAG_OPTIONS = Set.of("json", "ghost", "secure");

    private DpCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("dp", argv, VALUE_OPTIONS, FLAG_OPTIONS);
        if (args.flag("help")) {
            out.print(HELP);
            return Main.OK;
        }
        List<String> pos = args.positionals();
        if (pos.isEmpty()) {
            throw new UsageException("no layer given (layers: " + String.join(", ", GradsampleWorkload.LAYERS)
                    + "; see einsum4j dp --help)");
        }
        int b = (int) args.longValue("B", 1, 0, Integer.MAX_VALUE);
        int k = (int) args.longValue("K", 1, 1, Integer.MAX_VALUE);
        int t = (int) args.longValue("T", -1, 0, Integer.MAX_VALUE);
        int repeat = (int) args.longValue("repeat", 5, 1, 1_000_000);
        int warmup = (int) args.longValue("warmup", 1, 0, 1_000_000);
        long seed = args.longValue("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        NormMode mode = mode(args);
        KReduction reduction = switch (args.value("reduction", "sum").toLowerCase(Locale.ROOT)) {
            case "sum" -> KReduction.SUM;
            case "mean" -> KReduction.MEAN;
            default -> throw new UsageException("unknown --reduction '" + args.value("reduction", "")
                    + "' (expected sum or mean)");
        };
        DType dtype = switch (args.value("dtype", "f32").toLowerCase(Locale.ROOT)) {
            case "f32", "float32" -> DType.FLOAT32;
            case "f64", "float64" -> DType.FLOAT64;
            default -> throw new UsageException("unknown --dtype '" + args.value("dtype", "") + "' (expected f32 or "
                    + "f64)");
        };
        double c = number(args, "C", 1);
        double sigma = number(args, "sigma", 1);
        List<String> hyper = new ArrayList<>(pos.subList(1, pos.size()));
        GradsampleWorkload w = GradsampleWorkload.parse(pos.get(0), hyper, b, k, t);
        if (w.sparse()) {
            throw new UsageException("'sparse' selects a grad-sampler output form; the DP step never materializes "
                    + "Embedding gradients with --ghost (drop 'sparse')");
        }
        DpStep step = DpStep.builder().maxGradNorm(c).noiseMultiplier(sigma).multiplicity(k).kReduction(reduction)
                .normMode(mode).noise(args.flag("secure") ? GaussianNoise.secure() : GaussianNoise.seeded(seed))
                .build();
        Measurement m;
        try (GradsampleWorkload.Inputs in = w.inputs(seed, dtype)) {
            m = measure(step, new LayerBatch(w.name(), w.layer(), in.activations(), in.backprops()), warmup, repeat,
                    in.bytes());
        }
        if (args.flag("json")) {
            out.println(json(w, hyper, m, c, sigma, reduction, dtype, args.flag("secure"), repeat, warmup));
        } else {
            out.printf(Locale.ROOT, "layer     %s %s  B=%d K=%d%s%n", w.name(), String.join(" ", hyper), w.b(),
                    w.k(), w.t() >= 0 && !hyper.contains("T=" + w.t()) ? " T=" + w.t() : "");
            out.printf(Locale.ROOT, "step      C=%s sigma=%s, norms %s (%s, %s, %s noise)%n", c, sigma,
                    m.mode().name().toLowerCase(Locale.ROOT), dtype.shortName(), reduction,
                    args.flag("secure") ? "secure" : "seeded");
            out.printf(Locale.ROOT, "median    %.3f ms per step over %d steps after %d warm-up (cpu)%n",
                    m.medianNanos() / 1e6, repeat, warmup);
            out.printf(Locale.ROOT, "extra     %.1f MiB at peak per step (inputs %.1f MiB)%n",
                    m.extraBytes() / 1048576.0, m.inputBytes() / 1048576.0);
            out.printf(Locale.ROOT, "clipped   %d of %d samples (mean norm %.4g)%n", m.clipped(), w.b(), m.meanNorm());
        }
        return Main.OK;
    }

    /** Median time per step, peak extra native bytes, and what the last step saw. */
    record Measurement(long medianNanos, long extraBytes, long inputBytes, NormMode mode, int clipped,
                       double meanNorm) {
    }

    static Measurement measure(DpStep step, LayerBatch batch, int warmup, int repeat, long inputBytes) {
        for (int i = 0; i < warmup; i++) {
            step.run(List.of(batch)).close();
        }
        long[] ns = new long[repeat];
        long extra = 0;
        NormMode mode = null;
        int clipped = 0;
        double mean = 0;
        for (int i = 0; i < repeat; i++) {
            long base;
            synchronized (HostAllocator.class) {
                HostAllocator.resetPeak();
                base = HostAllocator.liveBytes();
            }
            long t0 = System.nanoTime();
            try (DpResult r = step.run(List.of(batch))) {
                ns[i] = System.nanoTime() - t0;
                extra = Math.max(extra, HostAllocator.peakBytes() - base);
                mode = r.modes().get(batch.name());
                double[] f = r.clipFactors().get(batch.name());
                double[] n = r.norms().flat();
                clipped = 0;
                mean = 0;
                for (int j = 0; j < f.length; j++) {
                    clipped += f[j] < 1 ? 1 : 0;
                    mean += n[j] / n.length;
                }
            }
        }
        Arrays.sort(ns);
        long median = repeat % 2 == 1 ? ns[repeat / 2] : (ns[repeat / 2 - 1] + ns[repeat / 2]) / 2;
        return new Measurement(median, extra, inputBytes, mode, clipped, mean);
    }

    private static NormMode mode(Args args) {
        String m = args.value("mode", null);
        if (args.flag("ghost")) {
            if (m != null && !m.equalsIgnoreCase("ghost")) {
                throw new UsageException("--ghost contradicts --mode " + m);
            }
            return NormMode.GHOST;
        }
        if (m == null) {
            return NormMode.MATERIALIZED;
        }
        return switch (m.toLowerCase(Locale.ROOT)) {
            case "ghost" -> NormMode.GHOST;
            case "materialized" -> NormMode.MATERIALIZED;
            case "auto" -> NormMode.AUTO;
            default -> throw new UsageException("unknown --mode '" + m + "' (expected materialized, ghost or auto)");
        };
    }

    private static double number(Args args, String name, double fallback) {
        String v = args.value(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " needs a number, got '" + v + "'");
        }
    }

    private static String json(GradsampleWorkload w, List<String> hyper, Measurement m, double c, double sigma,
                               KReduction reduction, DType dtype, boolean secure, int repeat, int warmup) {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"layer\": ").append(Json.string(w.name()));
        sb.append(", \"B\": ").append(w.b());
        sb.append(", \"K\": ").append(w.k());
        if (w.t() >= 0) {
            sb.append(", \"T\": ").append(w.t());
        }
        sb.append(", \"hyperparameters\": ").append(Json.string(String.join(" ", hyper)));
        sb.append(", \"mode\": ").append(Json.string(m.mode().name().toLowerCase(Locale.ROOT)));
        sb.append(", \"median_ns\": ").append(m.medianNanos());
        sb.append(", \"extra_bytes\": ").append(m.extraBytes());
        sb.append(", \"input_bytes\": ").append(m.inputBytes());
        StringBuilder params = new StringBuilder();
        for (Map.Entry<String, int[]> e : w.layer().parameterShapes().entrySet()) {
            params.append(params.length() == 0 ? "" : " ").append(e.getKey()).append('=')
                    .append(Arrays.toString(e.getValue()));
        }
        sb.append(", \"parameters\": ").append(Json.string(params.toString()));
        sb.append(", \"C\": ").append(Json.number(c));
        sb.append(", \"sigma\": ").append(Json.number(sigma));
        sb.append(", \"clipped\": ").append(m.clipped());
        sb.append(", \"noise\": ").append(Json.string(secure ? "secure" : "seeded"));
        sb.append(", \"reduction\": ").append(Json.string(reduction.name().toLowerCase(Locale.ROOT)));
        sb.append(", \"dtype\": ").append(Json.string(dtype.shortName()));
        sb.append(", \"backend\": \"cpu\"");
        sb.append(", \"repeats\": ").append(repeat);
        sb.append(", \"warmup\": ").append(warmup);
        return sb.append('}').toString();
    }
}
