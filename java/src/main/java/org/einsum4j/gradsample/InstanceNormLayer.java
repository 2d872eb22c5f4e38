package org.einsum4j.gradsample;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.InstanceNorm1d/2d/3d(features, eps, affine)}: activations and backprops
 * {@code [B·K, C, spatial…]} with {@code dims} spatial dims. Without affine (PyTorch's default) it has no
 * parameters.
 */
public record InstanceNormLayer(int dims, int features, double eps, boolean affine) implements Layer {
    public InstanceNormLayer {
        if (dims < 1 || dims > 3) {
            throw new GradSampleException("InstanceNorm dims must be 1, 2 or 3, got " + dims);
        }
        Checks.positive("InstanceNorm features", features);
        if (!(eps >= 0)) {
            throw new GradSampleException("InstanceNorm eps must be >= 0, got " + eps);
        }
    }

    @Override
    public String kind() {
        return "InstanceNorm" + dims + "d";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        if (affine) {
            m.put("weight", new int[] {features});
            m.put("bias", new int[] {features});
        }
        return Collections.unmodifiableMap(m);
    }
}

/**
 * Per-sample gradients of {@code InstanceNorm1d/2d/3d} (affine): GroupNorm's formula with one channel per group —
 * x̂ per (row, channel) over the spatial positions; weight Σ x̂ ⊙ g and bias Σ g over K and the positions.
 * Without affine the layer has no parameters and the result is empty.
 */
final class InstanceNormSampler implements LayerSampler<InstanceNormLayer>, LayerKind {
    @Override
    public Map<String, Tensor> compute(InstanceNormLayer layer, List<Tensor> activations, List<Tensor> backprops,
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
        InstanceNormLayer l = new InstanceNormLayer(nd, c, h.dbl("eps", 1e-5), true);
        int[] s = Workload.rows(rows, new int[] {c}, spatial);
        return new Workload(l, -1, false, List.of(s), List.of(s));
    }
}
