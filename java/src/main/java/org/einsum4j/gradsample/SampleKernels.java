package org.einsum4j.gradsample;

import org.einsum4j.Backend;
import org.einsum4j.Einsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * Everything the samplers compute goes through here: the contractions (always {@link Einsum#contract}, so every
 * backend that the facade reaches serves the samplers unchanged) and a few small kernels that are not
 * contractions (im2col, the norm layers' normalize-and-sum over positions, Embedding's scatter-add, the MEAN
 * division). The kernels belong to the operands' backend ({@link Backend#samplerKernels()}): these methods
 * only pick it from where the operands live and delegate, so the samplers never touch memory themselves and
 * run unchanged on every device. Operands are contiguous; results are new and owned by the caller.
 */
final class SampleKernels {
    private SampleKernels() {
    }

    /** One contraction through the facade; the result is new and owned by the caller. */
    static Tensor contract(String spec, Tensor... operands) {
        return Einsum.contract(spec, operands);
    }

    /**
     * Turns a contraction result into a per-sample gradient: divides by K for {@link KReduction#MEAN} and gives it
     * the shape {@code dims}, returning a tensor the caller owns ({@code result} is consumed).
     */
    static Tensor finish(Tensor result, KReduction reduction, int k, int... dims) {
        Tensor out = result;
        try {
            if (!java.util.Arrays.equals(result.dims(), dims)) {
                if (result.ownsMemory() && result.isContiguous()) {
                    out = result.reshapeTakingOwnership(dims);
                } else {
                    Tensor copy = result.copy();
                    out = copy;
                    out = copy.reshapeTakingOwnership(dims);
                    result.close();
                }
            } else if (!result.ownsMemory() || !result.isContiguous()) {
                out = result.copy();
                result.close();
            }
            if (reduction == KReduction.MEAN && k != 1) {
                divide(out, k);
            }
            return out;
        } catch (RuntimeException e) {
            result.close();
            if (out != result) {
                out.close();
            }
            throw e;
        }
    }

    /** Divides a contiguous tensor by {@code k} in place (a division, not a multiply by a rounded 1/k). */
    static void divide(Tensor t, int k) {
        kernels(t).divide(t, k);
    }

    /** The sampler kernels of the operands' device (all on one device, else a clear exception). */
    private static SamplerKernels kernels(Tensor... operands) {
        return Backend.of(operands).samplerKernels();
    }

    /**
     * im2col for 1-, 2- and 3-d convolutions (1-d and 2-d as 3-d with leading size-1 dims): {@code x} contiguous
     * {@code [B·K, C, D, H, W]} → new contiguous {@code [B, G, K, (C/G)·kd·kh·kw, oD·oH·oW]} (see
     * {@link SamplerKernels#unfold}).
     */
    static Tensor unfold(Tensor x, int samples, int copies, int groups, int channels, int[] in, int[] k, int[] s,
                         int[] p, int[] d, int[] out) {
        return kernels(x).unfold(x, samples, copies, groups, channels, in, k, s, p, d, out);
    }

    /** Per-row partial sums of a norm layer's parameter gradients, {@code [rows, P]} each; close both. */
    record NormPartials(Tensor weight, Tensor bias) implements AutoCloseable {
        /** Two uninitialized {@code [rows, cols]} tensors on the backend; nothing is left allocated if one fails. */
        static NormPartials allocate(Backend backend, DType dtype, int rows, int cols) {
            Tensor w = backend.empty(dtype, rows, cols);
            try {
                return new NormPartials(w, backend.empty(dtype, rows, cols));
            } catch (RuntimeException e) {
                w.close();
                throw e;
            }
        }

        @Override
        public void close() {
            weight.close();
            bias.close();
        }
    }

    /** LayerNorm's per-row partials ({@link SamplerKernels#layerNormPartials}), {@code [rows, len]} each. */
    static NormPartials layerNormPartials(Tensor x, Tensor g, int rows, int inner, int len, double eps) {
        Backend b = Backend.of(x, g);
        NormPartials p = NormPartials.allocate(b, g.dtype(), rows, len);
        try {
            b.samplerKernels().layerNormPartials(x, g, rows, inner, len, eps, p.weight(), p.bias());
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** GroupNorm's per-row partials ({@link SamplerKernels#groupNormPartials}), {@code [rows, groups·cpg]} each. */
    static NormPartials groupNormPartials(Tensor x, Tensor g, int rows, int groups, int cpg, int spatial,
                                          double eps) {
        Backend b = Backend.of(x, g);
        NormPartials p = NormPartials.allocate(b, g.dtype(), rows, groups * cpg);
        try {
            b.samplerKernels().groupNormPartials(x, g, rows, groups, cpg, spatial, eps, p.weight(), p.bias());
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** Checks every index of a contiguous INT64 tensor lies in {@code [0, v)} (the first offender is reported). */
    static void checkIndices(Layer layer, Tensor idx, int v) {
        kernels(idx).checkIndices(idx, v, layer.kind().toString());
    }

    /** Dense per-sample Embedding gradient, new {@code [R/k, v, D]} ({@link SamplerKernels#embeddingDense}). */
    static Tensor embeddingDense(Tensor idx, Tensor g, int k, int v, int dim, int paddingIdx) {
        return kernels(idx, g).embeddingDense(idx, g, k, v, dim, paddingIdx);
    }

    /** Sparse per-sample Embedding gradient ({@link SamplerKernels#embeddingSparse}). */
    static SparseEmbeddingGrad embeddingSparse(Tensor idx, Tensor g, int k, int dim, int paddingIdx,
                                               int divisor) {
        return kernels(idx, g).embeddingSparse(idx, g, k, dim, paddingIdx, divisor);
    }
}
