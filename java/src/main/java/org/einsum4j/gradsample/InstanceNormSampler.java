package org.einsum4j.gradsample;

import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * Per-sample gradients of {@code InstanceNorm1d/2d/3d} (affine): GroupNorm's formula with one channel per group —
 * x̂ per (row, channel) over the spatial positions; weight Σ x̂ ⊙ g and bias Σ g over K and the positions.
 * Without affine the layer has no parameters and the result is empty.
 */
public final class InstanceNormSampler implements LayerSampler<Layer.InstanceNorm> {
    @Override
    public Map<String, Tensor> compute(Layer.InstanceNorm layer, List<Tensor> activations, List<Tensor> backprops,
                                       int k, KReduction reduction) {
        return GroupNormSampler.channelNorm(layer, layer.features(), layer.features(), layer.eps(), layer.affine(),
                layer.dims(), activations, backprops, k, reduction);
    }
}
