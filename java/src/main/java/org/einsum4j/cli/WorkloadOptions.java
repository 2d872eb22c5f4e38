package org.einsum4j.cli;

import java.util.ArrayList;
import java.util.List;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.tensor.DType;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The layer workload on the command line as a picocli mixin, with {@code einsum4j gradsample}'s names: the layer
 * and its hyperparameters, B, K, T, the K reduction, the dtype, the seed, and how many calls are timed after how
 * many warm-up calls. {@code einsum4j gradsample} and {@code einsum4j dp} both take it.
 */
final class WorkloadOptions {
    @Parameters(index = "0", arity = "0..1", paramLabel = "LAYER", description = "the layer kind")
    String layer;

    @Parameters(index = "1..*", paramLabel = "HYPERPARAMETERS", description = "key=value words or bare flags")
    List<String> hyper = new ArrayList<>();

    @Option(names = "--B", paramLabel = "N", defaultValue = "1", description = "samples (default 1)")
    long b;

    @Option(names = "--K", paramLabel = "N", defaultValue = "1", description = "augmentation multiplicity (default 1)")
    long k;

    @Option(names = "--T", paramLabel = "N", description = "sequence length (same as T=N)")
    Long t;

    @Option(names = "--reduction", paramLabel = "sum|mean", defaultValue = "sum",
            description = "how a sample's K copies combine (default sum)")
    KReduction reduction;

    @Option(names = "--dtype", paramLabel = "f32|f64", defaultValue = "f32",
            converter = CliValues.DTypeConverter.class, description = "element type (default f32)")
    DType dtype;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "5", description = "timed calls (default 5)")
    long repeat;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "1",
            description = "untimed calls before timing (default 1)")
    long warmup;

    @Option(names = "--seed", paramLabel = "S", defaultValue = "0", description = "seed of the random inputs (default 0)")
    long seed;

    /** The workload these options describe; a missing layer or an out-of-range size is a usage error. */
    GradsampleWorkload workload(String command) {
        if (layer == null) {
            throw new UsageException("no layer given (layers: " + String.join(", ", GradsampleWorkload.LAYERS)
                    + "; see einsum4j " + command + " --help)");
        }
        int bb = (int) CliValues.range("--B", b, 0, Integer.MAX_VALUE);
        int kk = (int) CliValues.range("--K", k, 1, Integer.MAX_VALUE);
        int tt = t == null ? -1 : (int) CliValues.range("--T", t, 0, Integer.MAX_VALUE);
        return GradsampleWorkload.parse(layer, hyper, bb, kk, tt);
    }

    int repeats() {
        return (int) CliValues.range("--repeat", repeat, 1, 1_000_000);
    }

    int warmups() {
        return (int) CliValues.range("--warmup", warmup, 0, 1_000_000);
    }
}
