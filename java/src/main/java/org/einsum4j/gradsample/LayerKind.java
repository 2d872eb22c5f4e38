package org.einsum4j.gradsample;

import java.util.List;

/**
 * A layer kind as tools describe it — {@code einsum4j gradsample} and the benchmarks: its names, its hyperparameters
 * (key=value words, {@link Hyperparameters}), a help line, and the shapes of random activations and backprops for
 * a batch of rows. Each built-in sampler implements it in its own file, beside its formula (one layer, one place:
 * a new layer is its record, one sampler file and one line in {@link GradSamplerRegistry}'s built-ins).
 */
public interface LayerKind {
    /** The names tools accept (case-insensitive), e.g. {@code Conv1d, Conv2d, Conv3d}. */
    List<String> names();

    /** One help line: the names and hyperparameters, as the command line's --help lists them. */
    String help();

    /** The layer and its input shapes for {@code rows = B·K} rows, from the hyperparameters. */
    Workload describe(String name, Hyperparameters h, int rows);

    /**
     * A layer with the shapes of its inputs: {@code t} the sequence length (-1 if none); {@code sparse} for the
     * Embedding's touched-rows form.
     */
    record Workload(Layer layer, int t, boolean sparse, List<int[]> activationShapes, List<int[]> backpropShapes) {
        public Workload {
            activationShapes = List.copyOf(activationShapes);
            backpropShapes = List.copyOf(backpropShapes);
        }

        /** {@code [rows, *middle, *last]}. */
        public static int[] rows(int rows, int[] middle, int... last) {
            int[] o = new int[1 + middle.length + last.length];
            o[0] = rows;
            System.arraycopy(middle, 0, o, 1, middle.length);
            System.arraycopy(last, 0, o, 1 + middle.length, last.length);
            return o;
        }
    }
}
