package org.einsum4j.nn;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.einsum4j.Backend;
import org.einsum4j.gradsample.EmbeddingLayer;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.Embedding(num, dim, padding_idx)}: INT64 indices {@code [N, …]} → rows of the weight
 * {@code [N, …, dim]} (a gather kernel); the weight gradient is the grad samplers' embedding scatter with all rows
 * as one sample ({@code SamplerKernels.embeddingDense}), which leaves the {@code padding_idx} row without gradient
 * as PyTorch does (that row also starts at zero). Indices are checked on their device before any work. It must be
 * a model's first layer: its input has no gradient. Weights are standard normal, as PyTorch initializes them.
 */
public final class Embedding extends Module {
    private final int num;
    private final int dim;
    private final int paddingIdx;
    private final Parameter weight;

    public Embedding(int num, int dim, DType dtype, long seed) {
        this(num, dim, EmbeddingLayer.NO_PADDING, dtype, seed);
    }

    /**
     * With {@code paddingIdx} in {@code [0, num)} (or {@link EmbeddingLayer#NO_PADDING}): that row is zero and never
     * gets a gradient, nor a per-sample one.
     */
    public Embedding(int num, int dim, int paddingIdx, DType dtype, long seed) {
        if (num < 1 || dim < 1) {
            throw new NnException("Embedding sizes must be >= 1, got num=" + num + ", dim=" + dim);
        }
        if (paddingIdx != EmbeddingLayer.NO_PADDING && (paddingIdx < 0 || paddingIdx >= num)) {
            throw new NnException("Embedding padding_idx must be in [0, " + num + ") or NO_PADDING, got "
                    + paddingIdx);
        }
        this.num = num;
        this.dim = dim;
        this.paddingIdx = paddingIdx;
        SplittableRandom r = new SplittableRandom(seed);
        double[] w = new double[num * dim];
        java.util.Random g = new java.util.Random(r.nextLong());
        for (int i = 0; i < w.length; i++) {
            w[i] = g.nextGaussian();
        }
        if (paddingIdx != EmbeddingLayer.NO_PADDING) {
            java.util.Arrays.fill(w, paddingIdx * dim, (paddingIdx + 1) * dim, 0);
        }
        this.weight = new Parameter("weight", host(w, dtype, num, dim));
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
        sameDevice(x, weight);
        Tensor idx = x.contiguous();
        if (idx != x) {
            own(idx);
        }
        Backend.forDevice(idx.device()).samplerKernels().checkIndices(idx, num, toString());
        if (training) {
            input = idx;
        }
        return own(NnKernels.of(idx).gatherRows(weight.value(), idx));
    }

    @Override
    public Tensor backward(Tensor g, boolean parameterGradients) {
        checkTrained("Embedding");
        gradOut = g;
        if (parameterGradients) {
            if (input.numel() == 0) {
                weight.setGrad(Backend.forDevice(g.device()).zeros(g.dtype(), num, dim));
                return null;
            }
            Tensor gc = g.contiguous();
            try {
                Tensor idx = input.rank() == 1 ? input.view(input.dim(0), 1) : input;
                Tensor dense = Backend.forDevice(g.device()).samplerKernels().embeddingDense(idx,
                        gc.view(idx.dim(0), (int) (idx.numel() / idx.dim(0)), dim),
                        idx.dim(0), num, dim, paddingIdx);
                weight.setGrad(dense.reshapeTakingOwnership(num, dim));
            } finally {
                if (gc != g) {
                    gc.close();
                }
            }
        }
        return null;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight);
    }

    @Override
    public Optional<Layer> layer() {
        return Optional.of(new EmbeddingLayer(num, dim, paddingIdx));
    }

    @Override
    public String toString() {
        return "Embedding(num=" + num + ", dim=" + dim
                + (paddingIdx == EmbeddingLayer.NO_PADDING ? "" : ", padding_idx=" + paddingIdx) + ")";
    }
}
