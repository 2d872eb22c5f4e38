package org.einsum4j.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.einsum4j.Backend;
import org.einsum4j.Einsum4jException;
import org.einsum4j.MemoryBudget;
import org.einsum4j.gradsample.EmbeddingLayer;
import org.einsum4j.gradsample.EmbeddingSampler;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.GradSamplerRegistry;
import org.einsum4j.gradsample.Hyperparameters;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.gradsample.LayerKind;
import org.einsum4j.gradsample.SparseEmbeddingGrad;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Shape;
import org.einsum4j.tensor.Tensor;

/**
 * One grad-sampler workload described as in ../shared/bench/layer_suite.tsv — a layer name ({@code Linear},
 * {@code Conv1d/2d/3d}, {@code Embedding}, {@code LayerNorm}, {@code GroupNorm}, {@code InstanceNorm1d/2d/3d},
 * {@code RNN}, {@code GRU}, {@code LSTM}, {@code SequenceBias}), hyperparameters as {@code key=value} words and
 * flags (e.g. {@code cin=16 cout=32 k=3 stride=1 pad=1 H=32 W=32 bias}), B and K — with its seeded random inputs.
 * Shared by {@code einsum4j gradsample} and the JMH benchmarks so both measure the same thing.
 */
public final class GradsampleWorkload {
    private final String name;
    private final Layer layer;
    private final int b;
    private final int k;
    private final int t;
    private final boolean sparse;
    private final List<int[]> activationShapes;
    private final List<int[]> backpropShapes;

    private GradsampleWorkload(String name, Layer layer, int b, int k, int t, boolean sparse,
                               List<int[]> activationShapes, List<int[]> backpropShapes) {
        this.name = name;
        this.layer = layer;
        this.b = b;
        this.k = k;
        this.t = t;
        this.sparse = sparse;
        this.activationShapes = activationShapes;
        this.backpropShapes = backpropShapes;
    }

    /** The layer names the command takes: every built-in layer kind's names. */
    static final List<String> LAYERS = GradSamplerRegistry.builtinKinds().stream()
            .flatMap(kind -> kind.names().stream()).toList();

    /**
     * Parses a workload. {@code words} are the hyperparameters ({@code key=value} or a bare flag); {@code t} is
     * the sequence length from {@code --T} (or -1: then {@code T=} in the words, or none). The layer kind
     * ({@link LayerKind}, beside its sampler) reads its hyperparameters and gives the input shapes.
     */
    public static GradsampleWorkload parse(String layerName, List<String> words, int b, int k, int t) {
        if (b < 0 || k < 1) {
            throw new UsageException("--B must be >= 0 and --K >= 1, got B=" + b + " K=" + k);
        }
        if ((long) b * k > Integer.MAX_VALUE) {
            throw new UsageException("--B " + b + " times --K " + k + " is " + (long) b * k + " rows, more than "
                    + Integer.MAX_VALUE);
        }
        for (LayerKind kind : GradSamplerRegistry.builtinKinds()) {
            for (String name : kind.names()) {
                if (name.equalsIgnoreCase(layerName)) {
                    try {
                        Hyperparameters h = Hyperparameters.parse(name, words);
                        if (t >= 0) {
                            String given = h.raw("T");
                            if (given != null && !given.strip().equals(Integer.toString(t))) {
                                throw new UsageException("T=" + given + " and --T " + t + " disagree");
                            }
                            h.put("T", Integer.toString(t));
                        }
                        LayerKind.Workload w = kind.describe(name, h, b * k);
                        return new GradsampleWorkload(name, w.layer(), b, k, w.t(), w.sparse(),
                                w.activationShapes(), w.backpropShapes());
                    } catch (Einsum4jException e) {
                        // hyperparameters the layer refuses (Embedding pad_idx, Conv groups, ...): a bad command line
                        throw new UsageException(e.getMessage());
                    }
                }
            }
        }
        throw new UsageException("unknown layer '" + layerName + "' (layers: " + String.join(", ", LAYERS) + ")");
    }

    /** The help lines of every layer kind, indented for the command's --help. */
    static String layerHelp() {
        StringBuilder sb = new StringBuilder();
        for (LayerKind kind : GradSamplerRegistry.builtinKinds()) {
            for (String line : kind.help().split("\n")) {
                sb.append("  ").append(line).append('\n');
            }
        }
        return sb.toString();
    }

    public String name() {
        return name;
    }

    public Layer layer() {
        return layer;
    }

    public int b() {
        return b;
    }

    public int k() {
        return k;
    }

    /** The sequence length, or -1 when the layer has none. */
    public int t() {
        return t;
    }

    /** True when the Embedding's sparse per-sample form is measured instead of the dense one. */
    public boolean sparse() {
        return sparse;
    }

    /** Seeded random inputs: floats uniform in [-1, 1), Embedding indices uniform in [0, V). Close them. */
    public Inputs inputs(long seed, DType dtype) {
        checkMemory(dtype);
        List<Tensor> acts = new ArrayList<>();
        List<Tensor> backs = new ArrayList<>();
        try {
            long s = seed;
            for (int[] shape : activationShapes) {
                if (layer instanceof EmbeddingLayer e) {
                    acts.add(indices(s++, e.num(), shape));
                } else {
                    acts.add(Tensor.random(dtype, s++, shape));
                }
            }
            for (int[] shape : backpropShapes) {
                backs.add(Tensor.random(dtype, s++, shape));
            }
            return new Inputs(acts, backs);
        } catch (RuntimeException e) {
            acts.forEach(Tensor::close);
            backs.forEach(Tensor::close);
            throw e;
        }
    }

    /**
     * Refuses a workload whose random inputs plus the sampler's results and unfolded input (known from the
     * shapes) cannot fit, before making the inputs: says what it needs and what is available.
     */
    private void checkMemory(DType dtype) {
        double inputs = 0;
        for (int[] shape : activationShapes) {
            inputs += elements(shape) * (layer instanceof EmbeddingLayer ? DType.INT64 : dtype).byteSize();
        }
        for (int[] shape : backpropShapes) {
            inputs += elements(shape) * dtype.byteSize();
        }
        double need = inputs + (backpropShapes.isEmpty() ? 0
                : GradSampler.bytesNeeded(layer, backpropShapes.get(0), dtype, k));
        MemoryBudget.require(String.format(java.util.Locale.ROOT, "gradsample %s (random inputs of %.0f bytes, then "
                + "the sampler)", name, inputs), need >= 0x1p61 ? 1L << 61 : (long) need, Backend.cpu());
    }

    private static double elements(int[] shape) {
        double n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    private static Tensor indices(long seed, int v, int[] shape) {
        long n = Shape.numel(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new Einsum4jException("Embedding indices " + java.util.Arrays.toString(shape) + ": " + n
                    + " indices are more than one Java array holds");
        }
        long[] idx = new long[(int) n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < idx.length; i++) {
            idx[i] = r.nextInt(v);
        }
        return Tensor.ofLongs(idx, shape);
    }

    /** One call of the sampler on {@code in}; closes what it returns. Returns the number of result elements. */
    public long runOnce(Inputs in, KReduction reduction) {
        if (sparse) {
            try (SparseEmbeddingGrad g = new EmbeddingSampler().computeSparse((EmbeddingLayer) layer,
                    in.activations().get(0), in.backprops().get(0), k, reduction)) {
                return g.values().numel();
            }
        }
        Map<String, Tensor> out = GradSampler.compute(layer, in.activations(), in.backprops(), k, reduction);
        long n = 0;
        for (Tensor t : out.values()) {
            n += t.numel();
            t.close();
        }
        return n;
    }

    /** The parameters' per-sample shapes, as text ({@code weight=[64, 32, 16, 3, 3] bias=[64, 32]}). */
    public String resultShapes() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, int[]> e : layer.parameterShapes().entrySet()) {
            int[] s = new int[e.getValue().length + 1];
            s[0] = b;
            System.arraycopy(e.getValue(), 0, s, 1, e.getValue().length);
            sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(java.util.Arrays.toString(s));
        }
        return sb.toString();
    }

    /** The input tensors of one workload; closes them all. */
    public record Inputs(List<Tensor> activations, List<Tensor> backprops) implements AutoCloseable {
        /** Bytes held by the inputs. */
        public long bytes() {
            long n = 0;
            for (Tensor t : activations) {
                n += t.numel() * t.dtype().byteSize();
            }
            for (Tensor t : backprops) {
                n += t.numel() * t.dtype().byteSize();
            }
            return n;
        }

        @Override
        public void close() {
            activations.forEach(Tensor::close);
            backprops.forEach(Tensor::close);
        }
    }
}
