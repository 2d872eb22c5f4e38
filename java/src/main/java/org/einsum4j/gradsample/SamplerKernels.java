package org.einsum4j.gradsample;

import org.einsum4j.tensor.Tensor;

/**
 * The grad samplers' kernels that are not contractions, as one device-neutral interface: a backend
 * implements them for its device ({@code Backend.samplerKernels()}), and the samplers reach them only through
 * {@link SampleKernels}, with operands on that backend's device. Inputs are contiguous; results are new
 * tensors on the same device, owned by the caller (or outputs given by the caller, for the norm partials).
 */
public interface SamplerKernels {
    /**
     * im2col for 1-, 2- and 3-d convolutions: {@code x} contiguous {@code [B·K, C, D, H, W]} → new contiguous
     * {@code [B, G, K, (C/G)·kd·kh·kw, oD·oH·oW]}; taps in the zero padding are zero.
     *
     * @param in  input spatial sizes {D, H, W}
     * @param k   kernel sizes; {@code s} strides; {@code p} left paddings; {@code d} dilations;
     *            {@code out} output sizes
     */
    Tensor unfold(Tensor x, int samples, int copies, int groups, int channels, int[] in, int[] k, int[] s, int[] p,
                  int[] d, int[] out);

    /**
     * LayerNorm's per-row partials into {@code weight} and {@code bias} (contiguous {@code [rows, len]}):
     * {@code x}, {@code g} contiguous {@code [rows, inner, len]}, {@code w[r, d] = Σ_inner x̂·g},
     * {@code b[r, d] = Σ_inner g}, x̂ with float64 statistics and biased variance.
     */
    void layerNormPartials(Tensor x, Tensor g, int rows, int inner, int len, double eps, Tensor weight,
                           Tensor bias);

    /**
     * GroupNorm's (and InstanceNorm's) per-row partials into {@code weight} and {@code bias} (contiguous
     * {@code [rows, groups·cpg]}): {@code x}, {@code g} contiguous {@code [rows, groups·cpg, spatial]}.
     */
    void groupNormPartials(Tensor x, Tensor g, int rows, int groups, int cpg, int spatial, double eps,
                           Tensor weight, Tensor bias);

    /**
     * Checks that every index of a contiguous INT64 tensor lies in {@code [0, v)}; the first offender gives an
     * {@link IndexOutOfRangeException} whose message starts with {@code what} and names the index, its
     * position and v.
     */
    void checkIndices(Tensor idx, int v, String what);

    /**
     * Dense per-sample Embedding gradient: {@code out[n, idx[r, t], :] += g[r, t, :]} for rows r of sample
     * {@code r / k}, skipping {@code paddingIdx}; returns new {@code [R/k, v, dim]}.
     */
    Tensor embeddingDense(Tensor idx, Tensor g, int k, int v, int dim, int paddingIdx);

    /**
     * Sparse per-sample Embedding gradient: per sample its distinct indices (ascending, padding left out) and
     * the sum of the backprop rows at them, divided by {@code divisor}.
     */
    SparseEmbeddingGrad embeddingSparse(Tensor idx, Tensor g, int k, int dim, int paddingIdx, int divisor);

    /** The dense {@code [B, vocabulary, D]} form of a sparse Embedding gradient, new. */
    Tensor sparseToDense(SparseEmbeddingGrad grad, int vocabulary);

    /** Divides a contiguous tensor by {@code k} in place (a division, not a multiply by a rounded 1/k). */
    void divide(Tensor t, int k);
}
