package org.einsum4j.gradsample;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.sessions.JqwikSession;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * Random layer descriptions with matching random activations and backprops, for the property tests: jqwik
 * {@link Arbitrary}s of {@link Blueprint}s (hyperparameters and sizes as plain numbers, so a failure shrinks to a
 * small layer), and {@link #random} for the tests that draw from a {@link SplittableRandom}.
 */
final class RandomLayers {
    private RandomLayers() {
    }

    /** A layer with inputs of B·K rows; owns its tensors. */
    record Case(Layer layer, List<Tensor> acts, List<Tensor> backs, int b, int k) implements AutoCloseable {
        @Override
        public void close() {
            acts.forEach(Tensor::close);
            backs.forEach(Tensor::close);
        }

        @Override
        public String toString() {
            return layer + " B=" + b + " K=" + k + " acts=" + acts.stream().map(Tensor::shape).toList() + " backs="
                    + backs.stream().map(Tensor::shape).toList();
        }
    }

    enum Kind { LINEAR, CONV, EMBEDDING, LAYER_NORM, GROUP_NORM, INSTANCE_NORM, RNN, SEQUENCE_BIAS }

    /**
     * A layer's hyperparameters and the non-batch sizes of its inputs, as plain numbers: jqwik shrinks these (to
     * 1-wide layers, short sequences, no extra dims) when a property fails. {@link #build} makes the tensors.
     */
    sealed interface Blueprint {
        /** The layer with B·K rows, random values from {@code seed}, samples first or time first. */
        Case build(int b, int k, DType dtype, boolean batchFirst, long seed);
    }

    record LinearBp(int in, int out, boolean bias, List<Integer> mid) implements Blueprint {
        @Override
        public Case build(int b, int k, DType dtype, boolean batchFirst, long seed) {
            int rows = b * k;
            LinearLayer l = new LinearLayer(in, out, bias);
            int[] m = ints(mid);
            return new Case(l, list(Tensor.random(dtype, seed, shape(rows, m, in))),
                    list(Tensor.random(dtype, seed + 1, shape(rows, m, out))), b, k);
        }
    }

    /** One spatial dim of a convolution: kernel, stride, dilation, explicit padding, input beyond the kernel. */
    record ConvDim(int kernel, int stride, int dilation, int pad, int extra) {
    }

    /** {@code padding}: 0 SAME, 1 VALID, 2 per-dim amounts, 3 one amount; dims beyond {@code dims} are unused. */
    record ConvBp(int dims, int groups, int inPerGroup, int outPerGroup, List<ConvDim> dimList, int padding,
            boolean bias) implements Blueprint {
        @Override
        public Case build(int b, int k, DType dtype, boolean batchFirst, long seed) {
            int rows = b * k;
            int cin = groups * inPerGroup;
            int cout = groups * outPerGroup;
            int[] kernel = new int[dims];
            int[] stride = new int[dims];
            int[] dil = new int[dims];
            int[] pads = new int[dims];
            int[] in = new int[dims];
            for (int i = 0; i < dims; i++) {
                ConvDim d = dimList.get(i);
                kernel[i] = d.kernel();
                stride[i] = d.stride();
                dil[i] = d.dilation();
                pads[i] = d.pad();
                in[i] = dil[i] * (kernel[i] - 1) + 1 + d.extra() % (dims == 3 ? 3 : 5);
            }
            ConvLayer.Padding pad = padding == 0 ? ConvLayer.Padding.SAME : padding == 1 ? ConvLayer.Padding.VALID
                    : padding == 2 ? ConvLayer.Padding.of(pads) : ConvLayer.Padding.of(pads[0]);
            ConvLayer l = new ConvLayer(dims, cin, cout, kernel, stride, pad, dil, groups, bias,
                    ConvLayer.PaddingMode.ZEROS);
            int[] out = l.outputSize(in);
            int[] aShape = concat(new int[] {rows, cin}, in);
            int[] gShape = concat(new int[] {rows, cout}, out);
            return new Case(l, list(Tensor.random(dtype, seed, aShape)), list(Tensor.random(dtype, seed + 1,
                    gShape)), b, k);
        }
    }

    /** Indices repeat {@code pattern} (modulo {@code num}); padding row {@code paddingIdx % num} when padded. */
    record EmbeddingBp(int num, int dim, boolean padded, int paddingIdx, int t, List<Integer> pattern)
            implements Blueprint {
        @Override
        public Case build(int b, int k, DType dtype, boolean batchFirst, long seed) {
            int rows = b * k;
            EmbeddingLayer l = new EmbeddingLayer(num, dim, padded ? paddingIdx % num : EmbeddingLayer.NO_PADDING);
            long[] idx = new long[rows * t];
            for (int i = 0; i < idx.length; i++) {
                idx[i] = pattern.get(i % pattern.size()) % num;
            }
            return new Case(l, list(Tensor.ofLongs(idx, rows, t)), list(Tensor.random(dtype, seed, rows, t, dim)),
                    b, k);
        }
    }

    record LayerNormBp(List<Integer> normalized, boolean smallEps, boolean bias, List<Integer> mid)
            implements Blueprint {
        @Override
        public Case build(int b, int k, DType dtype, boolean batchFirst, long seed) {
            int[] ns = ints(normalized);
            LayerNormLayer l = new LayerNormLayer(ns, smallEps ? 1e-5 : 1e-3, true, bias);
            int[] s = concat(shape(b * k, ints(mid)), ns);
            return new Case(l, list(Tensor.random(dtype, seed, s)), list(Tensor.random(dtype, seed + 1, s)), b, k);
        }
    }

    /** Group norm ({@code instance} false: channels = groups · perGroup) or instance norm (channels = groups). */
    record NormBp(boolean instance, int groups, int perGroup, List<Integer> spatial) implements Blueprint {
        @Override
        public Case build(int b, int k, DType dtype, boolean batchFirst, long seed) {
            int c = instance ? groups : groups * perGroup;
            Layer l = instance ? new InstanceNormLayer(spatial.size(), c, 1e-5, true)
                    : new GroupNormLayer(groups, c, 1e-5, true);
            int[] s = concat(new int[] {b * k, c}, ints(spatial));
            return new Case(l, list(Tensor.random(dtype, seed, s)), list(Tensor.random(dtype, seed + 1, s)), b, k);
        }
    }

    record RnnBp(RnnLayer.RnnKind cell, int input, int hidden, boolean bias, int t) implements Blueprint {
        @Override
        public Case build(int b, int k, DType dtype, boolean batchFirst, long seed) {
            int rows = b * k;
            RnnLayer l = new RnnLayer(cell, input, hidden, bias, batchFirst);
            int gh = cell.gates() * hidden;
            return new Case(l, list(Tensor.random(dtype, seed, rnnShape(batchFirst, rows, t, input)),
                    Tensor.random(dtype, seed + 1, rnnShape(batchFirst, rows, t, hidden))),
                    list(Tensor.random(dtype, seed + 2, rnnShape(batchFirst, rows, t, gh)),
                            Tensor.random(dtype, seed + 3, rnnShape(batchFirst, rows, t, gh))), b, k);
        }
    }

    record SequenceBiasBp(int embedDim, int t) implements Blueprint {
        @Override
        public Case build(int b, int k, DType dtype, boolean batchFirst, long seed) {
            int rows = b * k;
            SequenceBiasLayer l = new SequenceBiasLayer(embedDim, batchFirst);
            return new Case(l, list(Tensor.random(dtype, seed, rnnShape(batchFirst, rows, t, embedDim))),
                    list(Tensor.random(dtype, seed + 1, rnnShape(batchFirst, rows, t + 1, embedDim))), b, k);
        }
    }

    /** Layers of one kind, with the ranges the property tests cover. */
    static Arbitrary<Blueprint> blueprints(Kind kind) {
        Arbitrary<Boolean> bool = Arbitraries.of(false, true);
        return switch (kind) {
            case LINEAR -> Combinators.combine(ints(1, 6), ints(1, 6), bool, ints(1, 3).list().ofMaxSize(2))
                    .as(LinearBp::new);
            case CONV -> Combinators.combine(ints(1, 3), ints(1, 3), ints(1, 2), ints(1, 2),
                    Combinators.combine(ints(1, 3), ints(1, 2), ints(1, 2), ints(0, 2), ints(0, 4)).as(ConvDim::new)
                            .list().ofSize(3),
                    ints(0, 3), bool).as(ConvBp::new);
            case EMBEDDING -> Combinators.combine(ints(2, 9), ints(1, 5), bool, ints(0, 8), ints(1, 5),
                    ints(0, 8).list().ofMinSize(1).ofMaxSize(8)).as(EmbeddingBp::new);
            case LAYER_NORM -> Combinators.combine(ints(1, 5).list().ofMinSize(1).ofMaxSize(2), bool, bool,
                    ints(1, 3).list().ofMaxSize(1)).as(LayerNormBp::new);
            case GROUP_NORM -> Combinators.combine(ints(1, 3), ints(1, 3), ints(2, 4).list().ofMinSize(1).ofMaxSize(2))
                    .as((g, p, s) -> new NormBp(false, g, p, s));
            case INSTANCE_NORM -> Combinators.combine(ints(1, 3), ints(2, 4).list().ofMinSize(1).ofMaxSize(3))
                    .as((g, s) -> new NormBp(true, g, 1, s));
            case RNN -> Combinators.combine(Arbitraries.of(RnnLayer.RnnKind.values()),
                    ints(1, 5), ints(1, 4), bool, ints(1, 4)).as(RnnBp::new);
            case SEQUENCE_BIAS -> Combinators.combine(ints(1, 5), ints(0, 3)).as(SequenceBiasBp::new);
        };
    }

    /**
     * One case of {@code kind} drawn from {@link #blueprints} with {@code r}'s next seed, for the tests that loop
     * over seeded draws rather than being properties.
     */
    static Case random(Kind kind, SplittableRandom r, int b, int k, DType dtype, boolean batchFirst) {
        Random seeded = new Random(r.nextLong());
        boolean session = !JqwikSession.isActive();
        if (session) {
            JqwikSession.start(); // jqwik generators need one outside a property
        }
        try {
            Blueprint bp = blueprints(kind).generator(1000).next(seeded).value();
            return bp.build(b, k, dtype, batchFirst, seeded.nextLong());
        } finally {
            if (session) {
                JqwikSession.finish();
            }
        }
    }

    private static Arbitrary<Integer> ints(int min, int max) {
        return Arbitraries.integers().between(min, max);
    }

    private static int[] ints(List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }

    static int[] rnnShape(boolean batchFirst, int rows, int t, int f) {
        return batchFirst ? new int[] {rows, t, f} : new int[] {t, rows, f};
    }

    private static int[] shape(int rows, int[] mid, int... last) {
        return concat(concat(new int[] {rows}, mid), last);
    }

    static int[] concat(int[] a, int[] b) {
        int[] o = new int[a.length + b.length];
        System.arraycopy(a, 0, o, 0, a.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }

    private static List<Tensor> list(Tensor... ts) {
        return new ArrayList<>(List.of(ts));
    }
}
