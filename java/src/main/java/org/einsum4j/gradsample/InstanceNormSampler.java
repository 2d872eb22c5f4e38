package org.einsum4j.gradsample;

import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * Per-sample gradients of {@code InstanceNorm1d/2d/3d} (affine): GroupNorm's formula with one channel per group —
 * x̂ per (row, channel) over the spatial positions; weight Σ x̂ ⊙ g and bias Σ g over K and the positions.
 * Without affine the layer has no parameters and the result is empty.
 */
public final class InstanceNormSampler implements LayerSampler<Layer.InstanceNorm>, LayerKind {
    @Override
    public Map<String, Tensor> compute(Layer.InstanceNorm layer, List<Tensor> activations, List<Tensor> backprops,
                                       int k, KReduction reduction) {
        return GroupNormSampler.channelNorm(layer, layer.features(), layer.features(), layer.eps(), layer.affine(),
                layer.dims(), activations, backprops, k, reduction);
    }

    // ------------------------------------------------------------------ as tools describe it

    @Override
    public List<String> names() {
        return List.of("InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d");
    }

    @Override
    public String help() {
        return "InstanceNorm1d/2d/3d  C= and the spatial sizes (L= | H= W= | D= H= W=) [eps=]";
    }

    @Override
    public Workload describe(String name, Hyperparameters h, int rows) {
        int nd = name.charAt(12) - '0';
        h.allow("C", "eps", "L", "D", "H", "W");
        int[] spatial = GroupNormSampler.spatial(h);
        if (spatial.length != nd) {
            throw new GradSampleException(name + " needs " + nd + " spatial size(s) (L for 1d, H W for 2d, D H W "
                    + "for 3d), got " + spatial.length);
        }
        int c = h.req("C");
        Layer.InstanceNorm l = new Layer.InstanceNorm(nd, c, h.dbl("eps", 1e-5), true);
        int[] s = Workload.rows(rows, new int[] {c}, spatial);
        return new Workload(l, -1, false, List.of(s), List.of(s));
    }
}
