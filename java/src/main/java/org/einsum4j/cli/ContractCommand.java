package org.einsum4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.einsum4j.ContractExpression;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum;
import org.einsum4j.Einsum4jException;
import org.einsum4j.MemoryBudget;
import org.einsum4j.path.PathOptimizers;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Npy;
import org.einsum4j.tensor.Tensor;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code einsum4j contract}: runs one contraction through {@link Einsum#contract} on seeded random operands (or
 * arrays from .npy files) and reports the result shape, a checksum and the median time per call, as text or JSON.
 */
@Command(name = "contract", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = "contract random operands (or .npy files) and time it",
        synopsisHeading = "", customSynopsis = {
            "Usage: einsum4j contract SPEC SHAPE... [options]",
            "       einsum4j contract SPEC --inputs A.npy,B.npy[,...] [--output OUT.npy] [options]"},
        footer = {"",
            "Contracts the operands as the einsum SPEC says (numpy's grammar, e.g. 'ij,jk->ik', 'n...i,n...j->nij')",
            "and prints the result shape, a checksum (the sum of all result elements, in float64) and the median",
            "time per call over --repeat samples (one call each; calls of a few microseconds in batches of >= 20 us)",
            "after a warm-up of at least 2 s and at least --warmup calls.",
            "",
            "Operands are seeded random values in [-1, 1): operand k uses seed S+k. Give one SHAPE per operand,",
            "sizes joined by 'x' (64x128x256) or 'scalar' for a 0-d operand. With --inputs the operands are read",
            "from .npy files instead (float32 or float64, C order).",
            "",
            "Examples:",
            "  einsum4j contract ij,jk->ik 512x256 256x128 --repeat 20",
            "  einsum4j contract 'n...i,n...j->nij' 64x128x256 64x128x256 --dtype f64 --json",
            "  einsum4j contract ij,j->i --inputs a.npy,x.npy --output y.npy"})
final class ContractCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Parameters(index = "0", paramLabel = "SPEC", arity = "0..1", description = "the einsum spec")
    String spec;

    @Parameters(index = "1..*", paramLabel = "SHAPE", description = "one shape per operand (64x128x256, scalar)")
    List<String> shapeArgs = new ArrayList<>();

    @Option(names = "--dtype", paramLabel = "f32|f64|float16|bfloat16", converter = CliValues.DTypeConverter.class,
            description = "element type of the random operands (default f32; float16 and bfloat16 are stored in 16 bits and computed in float32); with --inputs, converts the arrays read to this type (default: keep the files' type)")
    DType dtype;

    @Option(names = "--backend", paramLabel = "cpu|cuda", defaultValue = "cpu",
            description = "where to run: cpu, cuda or cuda:N (default cpu)")
    String backend;

    @Option(names = "--optimize", paramLabel = "NAME", defaultValue = "auto",
            description = "path optimizer (default auto; see einsum4j path --help)")
    String optimize;

    @Option(names = "--max-time", paramLabel = "SECONDS",
            description = "stop an exhaustive path search (optimal, branch-all) after this long")
    Double maxTime;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "10", description = "timed samples (default 10)")
    long repeat;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "2",
            description = "least untimed calls before timing (default 2; the warm-up lasts >= 2 s)")
    long warmup;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed of operand 0 (default 0)")
    long seed;

    @Option(names = "--inputs", paramLabel = "A,B,...",
            description = "read the operands from these .npy files (comma-separated)")
    String inputs;

    @Option(names = "--output", paramLabel = "OUT.npy", description = "write the result to this .npy file")
    String outputText;

    @Option(names = "--json", description = "print one JSON object: spec, shapes, result_shape, checksum, median_ns, repeats (and dtype, backend, warmup; on CUDA gpu_median_ns from CUDA events, peak_device_bytes, device)")
    boolean json;


    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        if (spec == null) {
            throw new UsageException("missing SPEC (see einsum4j contract --help)");
        }
        if (spec.startsWith("-") && !spec.startsWith("->")) {
            throw new UsageException("unknown option '" + spec + "' (see einsum4j contract --help)");
        }
        boolean fromFiles = inputs != null;
        if (fromFiles && !shapeArgs.isEmpty()) {
            CliValues.shape(shapeArgs.get(0), 0); // an unknown option reads better than "not both"
            throw new UsageException("give either SHAPEs or --inputs, not both (got SHAPE " + shapeArgs.get(0) + ")");
        }
        if (!fromFiles && shapeArgs.isEmpty()) {
            throw new UsageException("missing operand SHAPEs or --inputs (see einsum4j contract --help)");
        }
        int rep = (int) CliValues.range("--repeat", repeat, 1, 1_000_000);
        int warm = (int) CliValues.range("--warmup", warmup, 0, 1_000_000);
        DeviceClock clock = DeviceClock.of(backend, rep);
        try {
            PathOptimizers.get(optimize);
        } catch (Einsum4jException e) {
            throw new UsageException(e.getMessage());
        }
        ContractOptions options = ContractOptions.defaults().withBackend(backend).withOptimize(optimize)
                .withMaxSearchTime(PathCommand.maxTime(maxTime));
        Path output = outputText == null ? null : CliValues.output(outputText);
        List<Path> files = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        if (fromFiles) {
            for (String file : inputs.split(",", -1)) {
                if (file.isBlank()) {
                    throw new UsageException("empty file name in --inputs '" + inputs + "'");
                }
                files.add(Path.of(file.strip()));
            }
        } else {
            for (int k = 0; k < shapeArgs.size(); k++) {
                shapes.add(CliValues.shape(shapeArgs.get(k), k).toArray());
            }
        }

        List<Tensor> operands = new ArrayList<>();
        try {
            if (fromFiles) {
                for (Path p : files) {
                    if (!Files.isRegularFile(p)) {
                        throw new Einsum4jException("input file " + p + " does not exist or is not a file");
                    }
                    Tensor t = Npy.read(p);
                    if (dtype != null && t.dtype() != dtype) {
                        try (Tensor orig = t) {
                            t = orig.to(dtype);
                        }
                    }
                    operands.add(t);
                }
            } else {
                DType dt = dtype == null ? DType.FLOAT32 : dtype;
                checkMemory(spec, options, dt, shapes);
                for (int k = 0; k < shapes.size(); k++) {
                    operands.add(Tensor.random(dt, seed + k, shapes.get(k)));
                }
            }
            Tensor[] ops = operands.toArray(new Tensor[0]);
            Tensor[] placed = clock.place(ops);
            Timing timing;
            try {
                timing = time(spec, options, placed, warm, rep, clock);
            } finally {
                if (placed != ops) {
                    for (Tensor t : placed) {
                        t.close();
                    }
                }
            }
            try (Tensor result = timing.result()) {
                double checksum = java.util.Arrays.stream(result.toDoubleArray()).sum(); // float64, in order
                if (output != null) {
                    Npy.write(result, output);
                }
                if (json) {
                    out.println(json(spec, ops, result, checksum, timing, rep, warm, backend, clock));
                } else {
                    printText(out, spec, ops, result, checksum, timing, rep, warm, backend, output);
                    out.print(clock.textLine());
                }
            }
            return Main.OK;
        } finally {
            for (Tensor t : operands) {
                t.close();
            }
        }
    }

    /** The last call's result (owned by the caller) and the median time per call. */
    record Timing(Tensor result, long medianNanos) {
    }

    /**
     * On the CPU, warm-up by time and samples as {@link CallTimer} does (a cold JIT is not what a call costs); on a
     * GPU, warm-up, then {@code repeat} timed calls between CUDA events.
     */
    static Timing time(String spec, ContractOptions options, Tensor[] ops, int warmup, int repeat,
                       DeviceClock clock) {
        if (!clock.onGpu()) {
            CallTimer.Result r = CallTimer.time(() -> Einsum.contract(spec, options, ops), warmup, repeat);
            return new Timing(r.last(), r.medianNanos());
        }
        for (int i = 0; i < warmup; i++) {
            Einsum.contract(spec, options, ops).close();
        }
        clock.startTimedCalls();
        long[] ns = new long[repeat];
        Tensor last = null;
        try {
            for (int i = 0; i < repeat; i++) {
                if (last != null) {
                    last.close();
                    last = null;
                }
                long t0 = System.nanoTime();
                last = clock.call(i, () -> Einsum.contract(spec, options, ops));
                ns[i] = System.nanoTime() - t0;
            }
        } catch (RuntimeException | Error e) {
            if (last != null) {
                last.close();
            }
            throw e;
        }
        return new Timing(last, CliValues.median(ns));
    }

    private static void printText(PrintWriter out, String spec, Tensor[] ops, Tensor result, double checksum,
            Timing timing, int repeat, int warmup, String backend, Path output) {
        StringBuilder shapes = new StringBuilder();
        for (Tensor t : ops) {
            shapes.append(shapes.length() == 0 ? "" : " ").append(t.shape().toCliString());
        }
        out.printf(Locale.ROOT, "spec      %s%n", spec);
        out.printf(Locale.ROOT, "operands  %s (%s)%n", shapes, dtypes(ops));
        out.printf(Locale.ROOT, "result    %s (%s)%n", result.shape().toCliString(), result.dtype().shortName());
        out.printf(Locale.ROOT, "checksum  %.17g%n", checksum);
        out.printf(Locale.ROOT, "median    %s per call over %d call(s) after %d warm-up (%s)%n",
                CliValues.formatNanos(timing.medianNanos()), repeat, warmup, backend);
        if (output != null) {
            out.printf(Locale.ROOT, "output    %s%n", output);
        }
    }

    private static String dtypes(Tensor[] ops) {
        return String.join(",", Arrays.stream(ops).map(t -> t.dtype().shortName()).distinct().toList());
    }

    private static String json(String spec, Tensor[] ops, Tensor result, double checksum, Timing timing, int repeat,
            int warmup, String backend, DeviceClock clock) {
        StringBuilder sb = new StringBuilder("{");
        sb.append("\"spec\": ").append(Json.string(spec));
        sb.append(", \"shapes\": [");
        for (int i = 0; i < ops.length; i++) {
            sb.append(i > 0 ? ", " : "").append(Json.ints(ops[i].dims()));
        }
        sb.append("], \"result_shape\": ").append(Json.ints(result.dims()));
        sb.append(", \"checksum\": ").append(Json.number(checksum));
        sb.append(", \"median_ns\": ").append(timing.medianNanos());
        sb.append(", \"repeats\": ").append(repeat);
        sb.append(", \"warmup\": ").append(warmup);
        sb.append(", \"dtype\": ").append(Json.string(dtypes(ops)));
        sb.append(", \"backend\": ").append(Json.string(backend));
        sb.append(clock.jsonFields());
        return sb.append('}').toString();
    }

    /**
     * Refuses a run whose random operands plus the call's result, intermediates and workspace (known from the
     * shapes) cannot fit, before making the operands: says what it needs and what is available.
     */
    private static void checkMemory(String spec, ContractOptions options, DType dt, List<int[]> shapes) {
        double inputs = 0;
        for (int[] s : shapes) {
            double n = dt.byteSize();
            for (int d : s) {
                n *= d;
            }
            inputs += n;
        }
        ContractExpression e = Einsum.expression(spec, options, dt, shapes.toArray(new int[0][]));
        double need = inputs + e.peakBytes();
        MemoryBudget.require(String.format(Locale.ROOT, "contract '%s' (random operands of %.0f bytes, then the call)",
                spec, inputs), need >= 0x1p61 ? 1L << 61 : (long) need, e.backend());
    }
}
