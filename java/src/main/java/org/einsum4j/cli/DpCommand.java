package org.einsum4j.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.einsum4j.dp.DpResult;
import org.einsum4j.dp.DpStep;
import org.einsum4j.dp.GaussianNoise;
import org.einsum4j.dp.LayerBatch;
import org.einsum4j.dp.NormMode;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code einsum4j dp}: times one DP-SGD step ({@link DpStep#run}: per-sample norms, clipping, the clipped sum,
 * noise) on the seeded random workload of a layer, as {@code einsum4j gradsample} does for the grad samplers,
 * with materialized per-sample gradients or with ghost norms; reports the median time per step and the extra
 * native memory a step held at its peak (inputs excluded).
 */
@Command(name = "dp", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = "time one clipped-and-noised DP-SGD step (ghost or materialized norms)",
        synopsisHeading = "",
        customSynopsis = "Usage: einsum4j dp LAYER [HYPERPARAMETERS...] --B N --K N [--T N] [--ghost] [options]",
        footer = {"",
            "Runs one DP-SGD step on LAYER with augmentation multiplicity K on seeded random activations and",
            "backprops of B*K rows: per-sample gradient norms, clip factors min(1, C/(norm + 1e-6)), the clipped",
            "sum and Gaussian noise of std sigma*C. Prints the median time per step and the extra native memory",
            "one step held at its peak (inputs excluded; per-sample gradients, Gram matrices, results included).",
            "Layers and hyperparameters: as einsum4j gradsample (see einsum4j gradsample --help).",
            "",
            "Examples:",
            "  einsum4j dp Linear --B 64 --K 16 in=1024 out=1024 bias --ghost",
            "  einsum4j dp Embedding --B 64 --K 4 T=128 V=30000 D=256 --ghost --json"})
final class DpCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    WorkloadOptions opts;

    @Option(names = "--ghost", description = "ghost norms: no per-sample gradient tensor (same as --mode ghost)")
    boolean ghost;

    @Option(names = "--mode", paramLabel = "M",
            description = "materialized (default), ghost, or auto (the cost model chooses)")
    NormMode mode;

    @Option(names = "--C", paramLabel = "X", defaultValue = "1", description = "clipping threshold (default 1)")
    double c;

    @Option(names = "--sigma", paramLabel = "S", defaultValue = "1", description = "noise multiplier (default 1)")
    double sigma;

    @Option(names = "--secure", description = "noise from SecureRandom (default: seeded by --seed, for timing only)")
    boolean secure;

    @Option(names = "--json", description = "one JSON object: layer, B, K, mode, median_ns, extra_bytes, ...")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        if (ghost && mode != null && mode != NormMode.GHOST) {
            throw new UsageException("--ghost contradicts --mode " + mode.name().toLowerCase(Locale.ROOT));
        }
        NormMode m0 = ghost ? NormMode.GHOST : mode == null ? NormMode.MATERIALIZED : mode;
        int rep = opts.repeats();
        int warm = opts.warmups();
        GradsampleWorkload w = opts.workload("dp");
        List<String> hyper = opts.hyper;
        DType dtype = opts.dtype;
        KReduction reduction = opts.reduction;
        long seed = opts.seed;
        if (w.sparse()) {
            throw new UsageException("'sparse' selects a grad-sampler output form; the DP step never materializes "
                    + "Embedding gradients with --ghost (drop 'sparse')");
        }
        DpStep step = DpStep.builder().maxGradNorm(c).noiseMultiplier(sigma).multiplicity(w.k())
                .kReduction(reduction).normMode(m0).noise(secure ? GaussianNoise.secure() : GaussianNoise.seeded(seed)).build();
        Measurement m;
        try (GradsampleWorkload.Inputs in = w.inputs(seed, dtype)) {
            m = measure(step, new LayerBatch(w.name(), w.layer(), in.activations(), in.backprops()), warm, rep,
                    in.bytes());
        }
        if (json) {
            out.println(json(w, hyper, m, c, sigma, reduction, dtype, secure, rep, warm));
        } else {
            out.printf(Locale.ROOT, "layer     %s %s  B=%d K=%d%s%n", w.name(), String.join(" ", hyper), w.b(),
                    w.k(), w.t() >= 0 && !hyper.contains("T=" + w.t()) ? " T=" + w.t() : "");
            out.printf(Locale.ROOT, "step      C=%s sigma=%s, norms %s (%s, %s, %s noise)%n", c, sigma,
                    m.mode().name().toLowerCase(Locale.ROOT), dtype.shortName(), reduction,
                    secure ? "secure" : "seeded");
            out.printf(Locale.ROOT, "median    %.3f ms per step over %d steps after %d warm-up (cpu)%n",
                    m.medianNanos() / 1e6, rep, warm);
            out.printf(Locale.ROOT, "extra     %.1f MiB at peak per step (inputs %.1f MiB)%n",
                    m.extraBytes() / 1048576.0, m.inputBytes() / 1048576.0);
            out.printf(Locale.ROOT, "clipped   %d of %d samples (mean norm %.4g)%n", m.clipped(), w.b(), m.meanNorm());
        }
        out.flush();
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
            long base = HostAllocator.resetPeak();
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
        return new Measurement(CliValues.median(ns), extra, inputBytes, mode, clipped, mean);
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
