package org.einsum4j.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;
import org.einsum4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code einsum4j gradsample}: runs one grad sampler on seeded random activations and backprops (the workloads of
 * ../shared/bench/layer_suite.tsv) and reports the median time per call and the extra native memory a call
 * allocated at its peak (inputs excluded, results included), as text or JSON.
 */
@Command(name = "gradsample", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, description = "time a per-sample gradient sampler on random inputs",
        synopsisHeading = "",
        customSynopsis = "Usage: einsum4j gradsample LAYER [HYPERPARAMETERS...] --B N --K N [--T N] [options]",
        footer = {"",
            "Runs the per-sample gradient sampler of LAYER with augmentation multiplicity K on seeded random",
            "activations and backprops of B*K rows, and prints the median time per call and the extra native",
            "memory one call allocated at its peak (inputs excluded; results, im2col and other temporaries included).",
            "",
            "Layers and hyperparameters (key=value, or a bare flag), as in layer_suite.tsv:",
            "@LAYERS@",
            "",
            "Examples:",
            "  einsum4j gradsample Linear --B 64 --K 16 in=1024 out=1024 bias",
            "  einsum4j gradsample Conv2d --B 64 --K 16 cin=16 cout=32 k=3 stride=1 pad=1 H=32 W=32 bias --json",
            "  einsum4j gradsample LSTM --B 32 --K 4 --T 64 in=256 H=256"})
final class GradsampleCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Mixin
    WorkloadOptions work;

    @Option(names = "--backend", paramLabel = "cpu|cuda", defaultValue = "cpu",
            description = "where to run: cpu, cuda or cuda:N (default cpu; on CUDA --json adds gpu_median_ns from "
                    + "CUDA events, peak_device_bytes and device)")
    String backend;

    @Option(names = "--json", description = "one JSON object: layer, B, K, T, hyperparameters, median_ns, extra_bytes, ...")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        int rep = work.repeats();
        int warm = work.warmups();
        GradsampleWorkload w = work.workload("gradsample");
        List<String> hyper = work.hyper;
        KReduction reduction = work.reduction;
        DType dtype = work.dtype;
        DeviceClock clock = DeviceClock.of(backend.toLowerCase(Locale.ROOT), rep);
        String be = clock.device().toString();
        Measurement m;
        try (GradsampleWorkload.Inputs host = w.inputs(work.seed, dtype);
             GradsampleWorkload.Inputs in = clock.onGpu() ? new GradsampleWorkload.Inputs(
                     List.of(clock.place(host.activations().toArray(new Tensor[0]))),
                     List.of(clock.place(host.backprops().toArray(new Tensor[0])))) : null) {
            m = measure(w, in == null ? host : in, reduction, warm, rep, clock);
        }
        if (json) {
            out.println(json(w, hyper, reduction, dtype, be, rep, warm, m, clock));
        } else {
            out.printf(Locale.ROOT, "layer     %s %s  B=%d K=%d%s%n", w.name(), String.join(" ", hyper), w.b(),
                    w.k(), w.t() >= 0 && !hyper.contains("T=" + w.t()) ? " T=" + w.t() : "");
            out.printf(Locale.ROOT, "result    %s%s (%s, %s)%n", w.resultShapes(),
                    w.sparse() ? " as sparse touched rows" : "", dtype.shortName(), reduction);
            out.printf(Locale.ROOT, "median    %.3f ms per call over %d calls after %d warm-up (%s)%n",
                    m.medianNanos() / 1e6, rep, warm, be);
            out.printf(Locale.ROOT, "extra     %.1f MiB at peak per call (inputs %.1f MiB)%n",
                    m.extraBytes() / 1048576.0, m.inputBytes() / 1048576.0);
            out.print(clock.textLine());
        }
        return Main.OK;
    }

    /** Median time per call and the largest extra native bytes any timed call held at once. */
    record Measurement(long medianNanos, long extraBytes, long inputBytes) {
    }

    static Measurement measure(GradsampleWorkload w, GradsampleWorkload.Inputs in, KReduction reduction, int warmup,
                               int repeat, DeviceClock clock) {
        for (int i = 0; i < warmup; i++) {
            w.runOnce(in, reduction);
        }
        clock.startTimedCalls();
        long[] ns = new long[repeat];
        long extra = 0;
        for (int i = 0; i < repeat; i++) {
            long base = HostAllocator.resetPeak();
            long t0 = System.nanoTime();
            clock.call(i, () -> w.runOnce(in, reduction));
            ns[i] = System.nanoTime() - t0;
            extra = Math.max(extra, HostAllocator.peakBytes() - base);
        }
        return new Measurement(CliValues.median(ns), extra, in.bytes());
    }

    private static String json(GradsampleWorkload w, List<String> hyper, KReduction reduction, DType dtype,
                               String backend, int repeat, int warmup, Measurement m, DeviceClock clock) {
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
        sb.append(clock.jsonFields());
        sb.append(", \"repeats\": ").append(repeat);
        sb.append(", \"warmup\": ").append(warmup);
        return sb.append('}').toString();
    }
}
