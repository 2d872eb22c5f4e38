package org.einsum4j.dp;

import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.Tensor;

/**
 * Per-sample norms of layers whose per-sample gradient is already small — LayerNorm, GroupNorm, InstanceNorm
 * ({@code [B, C]}: one value per channel, fewer than one row of the activations) and SequenceBias
 * ({@code [B, D]}). No ghost identity can beat reading a and g once, which is what their grad samplers do (one
 * fused normalize-and-sum pass, K summed by a contraction), so the norms come from those {@code [B, C]} gradients;
 * nothing of size {@code [B, *activation]} is created. The clipped sum is the weighted form of
 * {@link GhostNorm#weightedSum}'s default (the clip factors scale the backprops; one pass over the batch).
 */
final class SmallGradientNorm<L extends Layer> implements GhostNorm<L> {
    private final ToIntFunction<L> rowAxis;

    SmallGradientNorm(ToIntFunction<L> rowAxis) {
        this.rowAxis = rowAxis;
    }

    @Override
    public Map<String, double[]> squaredNorms(L layer, List<Tensor> activations, List<Tensor> backprops, int k,
                                              KReduction reduction) {
        Map<String, Tensor> grads = GradSampler.compute(layer, activations, backprops, k, reduction);
        try {
            return PerSampleNorms.squared(grads);
        } finally {
            grads.values().forEach(Tensor::close);
        }
    }

    @Override
    public Cost cost(L layer, List<Tensor> activations, List<Tensor> backprops, int k) {
        return new Cost(1, 1);
    }

    @Override
    public int rowAxis(L layer) {
        return rowAxis.applyAsInt(layer);
    }
}
