package org.einsum4j.nn;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.einsum4j.gradsample.EmbeddingLayer;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.Embedding(num, dim)}: INT64 indices {@code [N, …]} → rows of the weight {@code [N, …, dim]}
 * (gather); the weight gradient is the scatter-add of the output gradient. It must be a model's first layer: its
 * input has no gradient. Weights are standard normal, as PyTorch initializes them.
 */
public final class Embedding extends Module {
    private final int num;
    private final int dim;
    private final Parameter weight;

    public Embedding(int num, int dim, DType dtype, long seed) {
        if (num < 1 || dim < 1) {
            throw new NnException("Embedding sizes must be >= 1, got num=" + num + ", dim=" + dim);
        }
        this.num = num;
        this.dim = dim;
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = new double[num * dim];
        java.util.Random g = new java.util.Random(r.nextLong());
        for (int i = 0; i < w.length; i++) {
            w[i] = g.nextGaussian();
        }
        this.weight = new Parameter("weight", CpuNnKernels.out(w, dtype, num, dim));
    }

    @Override
    public int[] outputShape(int[] s) {
        if (s.length < 1) {
            throw shape(this, "INT64 indices [N, ...]", s);
        }
        int[] o = java.util.Arrays.copyOf(s, s.length + 1);
        o[s.length] = dim;
        return o;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        release();
        if (x.dtype() != DType.INT64) {
            throw new NnException(this + " expects INT64 indices, got " + x.dtype() + x.shape());
        }
        if (training) {
            input = x;
        }
        return own(NnKernels.of(x).gatherRows(weight.value(), x));
    }

    @Override
    public Tensor backward(Tensor g, boolean parameterGradients) {
        checkTrained("Embedding");
        gradOut = g;
        if (parameterGradients) {
            weight.setGrad(NnKernels.of(g).scatterAddRows(g, input, num));
        }
        return null;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight);
    }

    @Override
    public Optional<Layer> layer() {
        return Optional.of(new EmbeddingLayer(num, dim, EmbeddingLayer.NO_PADDING));
    }

    @Override
    public String toString() {
        return "Embedding(num=" + num + ", dim=" + dim + ")";
    }
}
