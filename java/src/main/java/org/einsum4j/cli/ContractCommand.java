package org.einsum4j.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum;
import org.einsum4j.Einsum4jException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Npy;
import org.einsum4j.tensor.Shape;
import org.einsum4j.tensor.Tensor;

/**
 * {@code einsum4j contract}: runs one contraction through {@link Einsum#contract} on seeded random operands (or
 * arrays from .npy files) and reports the result shape, a checksum and the median time per call, as text or JSON.
 */
final class ContractCommand {
    static final String SUMMARY = "contract random operands (or .npy files) and time it";

    static final String HELP = """
            Usage: einsum4j contract SPEC SHAPE... [options]
                   einsum4j contract SPEC --inputs A.npy,B.npy[,...] [--output OUT.npy] [options]

            Contracts the operands as the einsum SPEC says (numpy's grammar, e.g. 'ij,jk->ik', 'n...i,n...j->nij')
            and prints the result shape, a checksum (the sum of all result elements, in float64) and the median
            time per call over --repeat samples (one call each; calls of a few microseconds in batches of >= 20 us)
            after a warm-up of at least 1 s and at least --warmup calls.

            Operands are seeded random values in [-1, 1): operand k uses seed S+k. Give one SHAPE per operand,
            sizes joined by 'x' (64x128x256) or 'scalar' for a 0-d operand. With --inputs the operands are read
            from .npy files instead (float32 or float64, C order).

            Options:
              --dtype f32|f64       element type of the random operands (default f32); with --inputs,
                                    converts the arrays read to this type (default: keep the files' type)
              --backend cpu         where to run (default cpu)
              --optimize NAME       path optimizer (default auto)
              --repeat N            timed samples (default 10)
              --warmup W            least untimed calls before timing (default 2; warm-up lasts >= 1 s)
              --seed S              seed of operand 0 (default 0)
              --inputs A,B,...      read the operands from these .npy files (comma-separated)
              --output OUT.npy      write the result to this .npy file
              --json                print one JSON object: spec, shapes, result_shape, checksum, median_ns,
                                    repeats (and dtype, backend, warmup)
              -h, --help            this help

            Examples:
              einsum4j contract ij,jk->ik 512x256 256x128 --repeat 20
              einsum4j contract 'n...i,n...j->nij' 64x128x256 64x128x256 --dtype f64 --json
              einsum4j contract ij,j->i --inputs a.npy,x.npy --output y.npy
            """;

    private static final Set<String> VALUE_OPTIONS =
            Set.of("dtype", "backend", "optimize", "repeat", "warmup", "seed", "inputs", "output");
    private static final Set<String> FLAG_OPTIONS = Set.of("json");
    private static final List<String> BACKENDS = List.of("cpu");

    private ContractCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("contract", argv, VALUE_OPTIONS, FLAG_OPTIONS);
        if (args.flag("help")) {
            out.print(HELP);
            return Main.OK;
        }
        List<String> pos = args.positionals();
        if (pos.isEmpty()) {
            throw new UsageException("missing SPEC (see einsum4j contract --help)");
        }
        String spec = pos.get(0);
        List<String> shapeArgs = pos.subList(1, pos.size());
        boolean fromFiles = args.has("inputs");
        if (fromFiles && !shapeArgs.isEmpty()) {
            throw new UsageException("give either SHAPEs or --inputs, not both (got SHAPE " + shapeArgs.get(0) + ")");
        }
        if (!fromFiles && shapeArgs.isEmpty()) {
            throw new UsageException("missing operand SHAPEs or --inputs (see einsum4j contract --help)");
        }
        DType dtype = args.has("dtype") ? parseDType(args.value("dtype", "f32")) : null;
        String backend = args.value("backend", "cpu");
        if (!BACKENDS.contains(backend)) {
            throw new UsageException("unknown backend '" + backend + "' (available: " + String.join(", ", BACKENDS)
                    + ")");
        }
        int repeat = (int) args.longValue("repeat", 10, 1, 1_000_000);
        int warmup = (int) args.longValue("warmup", 2, 0, 1_000_000);
        long seed = args.longValue("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE);
        ContractOptions options = ContractOptions.defaults().withBackend(backend)
                .withOptimize(args.value("optimize", "auto"));
        Path output = args.has("output") ? Paths.get(args.value("output", "")) : null;

        List<Tensor> operands = new ArrayList<>();
        try {
            if (fromFiles) {
                String[] files = args.value("inputs", "").split(",", -1);
                for (String file : files) {
                    if (file.isBlank()) {
                        throw new UsageException("empty file name in --inputs '" + args.value("inputs", "") + "'");
                    }
                }
                for (String file : files) {
                    Path p = Paths.get(file.trim());
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
                int k = 0;
                for (String s : shapeArgs) {
                    Shape shape = parseShape(s, k);
                    operands.add(Tensor.random(dt, seed + k, shape.toArray()));
                    k++;
                }
            }
            Tensor[] ops = operands.toArray(new Tensor[0]);
            Timing timing = time(spec, options, ops, warmup, repeat);
            try (Tensor result = timing.result()) {
                double checksum = java.util.Arrays.stream(result.toDoubleArray()).sum(); // float64, in order
                if (output != null) {
                    Npy.write(result, output);
                }
                if (args.flag("json")) {
                    out.println(json(spec, ops, result, checksum, timing, repeat, warmup, backend));
                } else {
                    printText(out, spec, ops, result, checksum, timing, repeat, warmup, backend, output);
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

    /** Warm-up by time and batched timing as {@link CallTimer} does (a cold JIT is not what a call costs). */
    static Timing time(String spec, ContractOptions options, Tensor[] ops, int warmup, int repeat) {
        CallTimer.Result r = CallTimer.time(() -> Einsum.contract(spec, options, ops), warmup, repeat);
        return new Timing(r.last(), r.medianNanos());
    }

    static long median(long[] values) {
        long[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    private static DType parseDType(String s) {
        switch (s.toLowerCase(Locale.ROOT)) {
            case "f32": case "float32": return DType.FLOAT32;
            case "f64": case "float64": return DType.FLOAT64;
            default: throw new UsageException("unknown --dtype '" + s + "' (expected f32 or f64)");
        }
    }

    private static Shape parseShape(String s, int operand) {
        try {
            return Shape.parse(s);
        } catch (Einsum4jException e) {
            throw new UsageException("operand " + operand + ": " + e.getMessage());
        }
    }

    private static void printText(PrintStream out, String spec, Tensor[] ops, Tensor result, double checksum,
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
                formatNanos(timing.medianNanos()), repeat, warmup, backend);
        if (output != null) {
            out.printf(Locale.ROOT, "output    %s%n", output);
        }
    }

    private static String dtypes(Tensor[] ops) {
        return String.join(",", Arrays.stream(ops).map(t -> t.dtype().shortName()).distinct().toList());
    }

    static String formatNanos(long ns) {
        if (ns < 10_000) {
            return ns + " ns";
        } else if (ns < 10_000_000) {
            return String.format(Locale.ROOT, "%.3f us", ns / 1e3);
        } else if (ns < 10_000_000_000L) {
            return String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.3f s", ns / 1e9);
    }

    private static String json(String spec, Tensor[] ops, Tensor result, double checksum, Timing timing, int repeat,
            int warmup, String backend) {
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
        return sb.append('}').toString();
    }
}
