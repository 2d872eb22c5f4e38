package org.einsum4j.dp;

import java.util.List;
import java.util.Map;
import org.einsum4j.Einsum;
import org.einsum4j.gradsample.EmbeddingLayer;
import org.einsum4j.gradsample.EmbeddingSampler;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.SparseEmbeddingGrad;
import org.einsum4j.tensor.Tensor;

/**
 * Ghost norms of {@code Embedding}: a sample's gradient has one non-zero row per distinct token it used, the sum
 * of the backprops at that token's positions (over K and T). Merging repeated (sample, token) pairs — the grad
 * sampler's sparse form, at most B·K·T·D values, never B·V·D — and summing the squares of the merged rows gives
 * {@code ‖G_n‖²} exactly (rows of {@code padding_idx} excluded, as their gradient is zero); the squared row norms
 * ({@code ed,ed->e}, one value per merged row, at most B·K·T) are read to the host and summed per sample by the
 * sparse form's offsets. The clipped sum is the
 * layer's weighted form: the clip factors scale the backprops, one scatter-add into {@code [V, D]}.
 */
public final class EmbeddingGhostNorm implements GhostNorm<EmbeddingLayer> {
    private static final EmbeddingSampler SAMPLER = new EmbeddingSampler();

    @Override
    public Map<String, double[]> squaredNorms(EmbeddingLayer layer, List<Tensor> activations,
                                              List<Tensor> backprops, int k, KReduction reduction) {
        try (SparseEmbeddingGrad s = SAMPLER.computeSparse(layer, activations.get(0), backprops.get(0), k,
                reduction)) {
            long[] offsets = s.offsets();
            double[] out = new double[s.samples()];
            if (s.nnz() == 0) {
                return Map.of("weight", out);
            }
            double[] rows = Tensors.host(Einsum.contract("ed,ed->e", s.values(), s.values()));
            for (int n = 0; n < out.length; n++) {
                double acc = 0;
                for (long e = offsets[n]; e < offsets[n + 1]; e++) {
                    acc += rows[(int) e];
                }
                out[n] = acc;
            }
            return Map.of("weight", out);
        }
    }

    @Override
    public Cost cost(EmbeddingLayer layer, List<Tensor> activations, List<Tensor> backprops, int k) {
        Tensor idx = activations.get(0);
        double rows = idx.dim(0);
        double positions = idx.dim(0) == 0 ? 0 : (double) idx.numel() / idx.dim(0) * k;
        double b = rows / k;
        double lookups = b * positions;
        return new Cost(lookups * (2.0 * layer.dim() + Math.log(Math.max(2, positions)) / Math.log(2)),
                b * (double) layer.num() * layer.dim() + lookups * layer.dim() + 2 * b * layer.num() * layer.dim());
    }
}
