package org.einsum4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;

/**
 * {@code einsum4j gradsample}: runs one grad sampler on seeded random activations and backprops (the workloads of
 * ../shared/bench/layer_suite.tsv) and reports the median time per call and the extra native memory a call
 * allocated at its peak (inputs excluded, results included), as text or JSON.
 */
final class GradsampleCommand {
    static final String SUMMARY = "time a per-sample gradient sampler on random inputs";

    static final String HELP = """
            Usage: einsum4j gradsample LAYER [HYPERPARAMETERS...] --B N --K N [--T N] [options]

            Runs the per-sample gradient sampler of LAYER with augmentation multiplicity K on seeded random
            activations and backprops of B*K rows, and prints the median time per call and the extra native
            memory one call allocated at its peak (inputs excluded; results, im2col and other temporaries included).

            Layers and hyperparameters (key=value, or a bare flag), as in layer_suite.tsv:
              Linear         in= out= [T=] [bias]
              Conv1d/2d/3d   cin= cout= k= [stride=] [pad=N|same|valid] [dil=] [groups=] [bias]
                             L= (1d) | H= W= (2d) | D= H= W= (3d); k/stride/pad/dil take N or N,N[,N]
              Embedding      V= D= T= [pad_idx=] [sparse]   (sparse: the per-sample touched-rows form)
              LayerNorm      D= [T=] [eps=]
              GroupNorm      C= groups= [H= W= | L= | D= H= W=] [eps=]
              InstanceNorm1d/2d/3d  C= and the spatial sizes [eps=]
              RNN, GRU, LSTM T= in= H= (hidden) [bias=false] [time_first]
              SequenceBias   T= D=

            Options:
              --B N                 samples (default 1)
              --K N                 augmentation multiplicity (default 1)
              --T N                 sequence length (same as T=N)
              --reduction sum|mean  how a sample's K copies combine (default sum)
              --dtype f32|f64       element type (default f32)
              --backend cpu         where to run (default cpu; cuda is not available yet)
              --repeat N            timed calls (default 5)
              --warmup W            untimed calls before timing (default 1)
              --seed S              seed of the random inputs (default 0)
              --json                one JSON object: layer, B, K, T, hyperparameters, median_ns, extra_bytes, ...
              -h, --help            this help

            Examples:
              einsum4j gradsample Linear --B 64 --K 16 in=1024 out=1024 bias
              einsum4j gradsample Conv2d --B 64 --K 16 cin=16 cout=32 k=3 stride=1 pad=1 H=32 W=32 bias --json
              einsum4j gradsample LSTM --B 32 --K 4 --T 64 in=256 H=256
            """;

    private static final Set<String> VALUE_OPTIONS =
            Set.of("B", "K", "T", "reduction", "dtype", "backend", "repeat", "warmup", "seed");
    private static final Set<String> FLAG_OPTIONS = Set.of("json");

    private GradsampleCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("gradsample", argv, VALUE_OPTIONS, FLAG_OPTIONS);
        if (args.flag("help")) {
            out.print(HELP);
            return Main.OK;
        }
        List<String> pos = args.positionals();
        if (pos.isEmpty()) {
            throw new UsageException("no layer given (layers: " + String.join(", ", GradsampleWorkload.LAYERS)
                    + "; see einsum4j gradsample --help)");
        }
        String backend = args.value("backend", "cpu").toLowerCase(Locale.ROOT);
        if (backend.equals("cuda")) {
            throw new UsageException("--backend cuda: there is no CUDA backend for the grad samplers yet; use "
                    + "--backend cpu");
        }
        if (!backend.equals("cpu")) {
            throw new UsageException("unknown --backend '" + backend + "' (expected cpu or cuda)");
        }
        int b = (int) args.longValue("B", 1, 0, Integer.MAX_VALUE);
        int k = (int) args.longValue("K", 1, 1, Integer.MAX_VALUE);
        int t = (int) args.longValue("T", -1, 0, Integer.MAX_VALUE);
        int repeat = (int) args.longValue("repeat", 5, 1, 1_000_000);
        int warmup = (int) args.longValue("warmup", 1, 0, 1_000_000);
        long seed = args.longValue("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
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
        List<String> hyper = new ArrayList<>(pos.subList(1, pos.size()));
        GradsampleWorkload w = GradsampleWorkload.parse(pos.get(0), hyper, b, k, t);
        Measurement m;
        try (GradsampleWorkload.Inputs in = w.inputs(seed, dtype)) {
            m = measure(w, in, reduction, warmup, repeat);
        }
        if (args.flag("json")) {
            out.println(json(w, hyper, reduction, dtype, backend, repeat, warmup, m));
        } else {
            out.printf(Locale.ROOT, "layer     %s %s  B=%d K=%d%s%n", w.name(), String.join(" ", hyper), w.b(),
                    w.k(), w.t() >= 0 && !hyper.contains("T=" + w.t()) ? " T=" + w.t() : "");
            out.printf(Locale.ROOT, "result    %s%s (%s, %s)%n", w.resultShapes(),
                    w.sparse() ? " as sparse touched rows" : "", dtype.shortName(), reduction);
            out.printf(Locale.ROOT, "median    %.3f ms per call over %d calls after %d warm-up (%s)%n",
                    m.medianNanos() / 1e6, repeat, warmup, backend);
            out.printf(Locale.ROOT, "extra     %.1f MiB at peak per call (inputs %.1f MiB)%n",
                    m.extraBytes() / 1048576.0, m.inputBytes() / 1048576.0);
        }
        return Main.OK;
    }

    /** Median time per call and the largest extra native bytes any timed call held at once. */
    record Measurement(long medianNanos, long extraBytes, long inputBytes) {
    }

    static Measurement measure(GradsampleWorkload w, GradsampleWorkload.Inputs in, KReduction reduction, int warmup,
                               int repeat) {
        for (int i = 0; i < warmup; i++) {
            w.runOnce(in, reduction);
        }
        long[] ns = new long[repeat];
        long extra = 0;
        for (int i = 0; i < repeat; i++) {
            long base;
            synchronized (HostAllocator.class) {
                HostAllocator.resetPeak();
                base = HostAllocator.liveBytes();
            }
            long t0 = System.nanoTime();
            w.runOnce(in, reduction);
            ns[i] = System.nanoTime() - t0;
            extra = Math.max(extra, HostAllocator.peakBytes() - base);
        }
        Arrays.sort(ns);
        long median = repeat % 2 == 1 ? ns[repeat / 2] : (ns[repeat / 2 - 1] + ns[repeat / 2]) / 2;
        return new Measurement(median, extra, in.bytes());
    }

    private static String json(GradsampleWorkload w, List<String> hyper, KReduction reduction, DType dtype,
                               String backend, int repeat, int warmup, Measurement m) {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"layer\": ").append(Json.string(w.name()));
        sb.append(", \"B\": ").append(w.b());
        sb.append(", \"K\": ").append(w.k());
        if (w.t() >= 0) {
            sb.append(", \"T\": ").append(w.t());
        }
        sb.append(", \"hyperparameters\": ").append(Json.string(String.join(" ", hyper)));
        sb.append(", \"median_ns\": ").append(m.medianNanos());
        sb.append(", \"extra_bytes\": ").append(m.extraBytes());
        sb.append(", \"input_bytes\": ").append(m.inputBytes());
        sb.append(", \"result\": ").append(Json.string(w.resultShapes() + (w.sparse() ? " (sparse)" : "")));
        sb.append(", \"reduction\": ").append(Json.string(reduction.name().toLowerCase(Locale.ROOT)));
        sb.append(", \"dtype\": ").append(Json.string(dtype.shortName()));
        sb.append(", \"backend\": ").append(Json.string(backend));
        sb.append(", \"repeats\": ").append(repeat);
        sb.append(", \"warmup\": ").append(warmup);
        return sb.append('}').toString();
    }
}
