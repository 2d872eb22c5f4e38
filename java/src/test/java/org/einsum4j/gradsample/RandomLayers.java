package org.einsum4j.gradsample;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/** Random layer descriptions with matching random activations and backprops, for the property tests. */
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

    static Case random(Kind kind, SplittableRandom r, int b, int k, DType dtype, boolean batchFirst) {
        int rows = b * k;
        long seed = r.nextLong();
        switch (kind) {
            case LINEAR: {
                Layer.Linear l = new Layer.Linear(1 + r.nextInt(6), 1 + r.nextInt(6), r.nextBoolean());
                int[] mid = new int[r.nextInt(3)];
                for (int i = 0; i < mid.length; i++) {
                    mid[i] = 1 + r.nextInt(3);
                }
                return new Case(l, list(Tensor.random(dtype, seed, shape(rows, mid, l.in()))),
                        list(Tensor.random(dtype, seed + 1, shape(rows, mid, l.out()))), b, k);
            }
            case CONV: {
                int dims = 1 + r.nextInt(3);
                int groups = 1 + r.nextInt(3);
                int cin = groups * (1 + r.nextInt(2));
                int cout = groups * (1 + r.nextInt(2));
                int[] kernel = new int[dims];
                int[] stride = new int[dims];
                int[] dil = new int[dims];
                int[] pads = new int[dims];
                for (int i = 0; i < dims; i++) {
                    kernel[i] = 1 + r.nextInt(3);
                    stride[i] = 1 + r.nextInt(2);
                    dil[i] = 1 + r.nextInt(2);
                    pads[i] = r.nextInt(3);
                }
                int mode = r.nextInt(4);
                Layer.Padding pad = mode == 0 ? Layer.Padding.SAME : mode == 1 ? Layer.Padding.VALID
                        : mode == 2 ? Layer.Padding.of(pads) : Layer.Padding.of(pads[0]);
                Layer.Conv l = new Layer.Conv(dims, cin, cout, kernel, stride, pad, dil, groups, r.nextBoolean(),
                        Layer.PaddingMode.ZEROS);
                int[] in = new int[dims];
                for (int i = 0; i < dims; i++) {
                    in[i] = dil[i] * (kernel[i] - 1) + 1 + r.nextInt(dims == 3 ? 3 : 5);
                }
                int[] out = l.outputSize(in);
                int[] aShape = new int[dims + 2];
                int[] gShape = new int[dims + 2];
                aShape[0] = rows;
                gShape[0] = rows;
                aShape[1] = cin;
                gShape[1] = cout;
                System.arraycopy(in, 0, aShape, 2, dims);
                System.arraycopy(out, 0, gShape, 2, dims);
                return new Case(l, list(Tensor.random(dtype, seed, aShape)), list(Tensor.random(dtype, seed + 1,
                        gShape)), b, k);
            }
            case EMBEDDING: {
                int v = 2 + r.nextInt(8);
                Layer.Embedding l = new Layer.Embedding(v, 1 + r.nextInt(5),
                        r.nextBoolean() ? Layer.Embedding.NO_PADDING : r.nextInt(v));
                int t = 1 + r.nextInt(5);
                long[] idx = new long[rows * t];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = r.nextInt(v);
                }
                return new Case(l, list(Tensor.ofLongs(idx, rows, t)),
                        list(Tensor.random(dtype, seed, rows, t, l.dim())), b, k);
            }
            case LAYER_NORM: {
                int[] ns = new int[1 + r.nextInt(2)];
                for (int i = 0; i < ns.length; i++) {
                    ns[i] = 1 + r.nextInt(5);
                }
                Layer.LayerNorm l = new Layer.LayerNorm(ns, r.nextBoolean() ? 1e-5 : 1e-3, true, r.nextBoolean());
                int[] mid = new int[r.nextInt(2)];
                for (int i = 0; i < mid.length; i++) {
                    mid[i] = 1 + r.nextInt(3);
                }
                int[] s = concat(shape(rows, mid), ns);
                return new Case(l, list(Tensor.random(dtype, seed, s)), list(Tensor.random(dtype, seed + 1, s)), b,
                        k);
            }
            case GROUP_NORM:
            case INSTANCE_NORM: {
                int dims = 1 + r.nextInt(kind == Kind.GROUP_NORM ? 2 : 3);
                int groups = 1 + r.nextInt(3);
                int c = kind == Kind.GROUP_NORM ? groups * (1 + r.nextInt(3)) : groups;
                Layer l = kind == Kind.GROUP_NORM ? new Layer.GroupNorm(groups, c, 1e-5, true)
                        : new Layer.InstanceNorm(dims, c, 1e-5, true);
                int[] s = new int[dims + 2];
                s[0] = rows;
                s[1] = c;
                for (int i = 2; i < s.length; i++) {
                    s[i] = 2 + r.nextInt(3);
                }
                return new Case(l, list(Tensor.random(dtype, seed, s)), list(Tensor.random(dtype, seed + 1, s)), b,
                        k);
            }
            case RNN: {
                Layer.RnnKind cell = Layer.RnnKind.values()[r.nextInt(3)];
                Layer.Rnn l = new Layer.Rnn(cell, 1 + r.nextInt(5), 1 + r.nextInt(4), r.nextBoolean(), batchFirst);
                int t = 1 + r.nextInt(4);
                int gh = cell.gates() * l.hidden();
                return new Case(l, list(Tensor.random(dtype, seed, rnnShape(batchFirst, rows, t, l.input())),
                        Tensor.random(dtype, seed + 1, rnnShape(batchFirst, rows, t, l.hidden()))),
                        list(Tensor.random(dtype, seed + 2, rnnShape(batchFirst, rows, t, gh)),
                                Tensor.random(dtype, seed + 3, rnnShape(batchFirst, rows, t, gh))), b, k);
            }
            default: {
                Layer.SequenceBias l = new Layer.SequenceBias(1 + r.nextInt(5), batchFirst);
                int t = r.nextInt(4);
                return new Case(l, list(Tensor.random(dtype, seed, rnnShape(batchFirst, rows, t, l.embedDim()))),
                        list(Tensor.random(dtype, seed + 1, rnnShape(batchFirst, rows, t + 1, l.embedDim()))), b, k);
            }
        }
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
