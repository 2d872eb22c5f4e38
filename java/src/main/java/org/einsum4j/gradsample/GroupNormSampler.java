package org.einsum4j.gradsample;

import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * Per-sample gradients of {@code GroupNorm}: x̂ normalized per (row, group) over the group's channels and all
 * spatial positions (float64 statistics), then per channel weight {@code nkcs,nkcs->nc} (x̂, g) and bias
 * {@code nkcs->nc}, K and the spatial positions s being summed labels. ALGORITHMS.md §4.
 */
public final class GroupNormSampler implements LayerSampler<Layer.GroupNorm> {
    static final String WEIGHT_SPEC = "nkcs,nkcs->nc";
    static final String BIAS_SPEC = "nkcs->nc";

    @Override
    public Map<String, Tensor> compute(Layer.GroupNorm layer, List<Tensor> activations, List<Tensor> backprops,
                                       int k, KReduction reduction) {
        return channelNorm(layer, layer.groups(), layer.channels(), layer.eps(), layer.affine(), -1, activations,
                backprops, k, reduction);
    }

    /**
     * Shared by GroupNorm and InstanceNorm (one channel per group): activations and backprops
     * {@code [B·K, C, spatial…]} ({@code spatialDims} of them, or any number when negative).
     */
    static Map<String, Tensor> channelNorm(Layer layer, int groups, int channels, double eps, boolean affine,
                                           int spatialDims, List<Tensor> activations, List<Tensor> backprops, int k,
                                           KReduction reduction) {
        Checks.count(layer, activations, 1, "activations", "the layer input");
        Checks.count(layer, backprops, 1, "backprops", "dL/d output");
        Tensor a = activations.get(0);
        Tensor g = backprops.get(0);
        Checks.sameFloating(layer, a, "activations", g, "backprops");
        if (spatialDims >= 0) {
            Checks.rank(layer, a, "activations", spatialDims + 2, "[B*K, C, " + spatialDims + " spatial dims]");
        } else {
            Checks.minRank(layer, a, "activations", 2, "[B*K, C, ...]");
        }
        Checks.rank(layer, g, "backprops", a.rank(), "[B*K, C, ...] (same shape as activations " + a.shape() + ")");
        Checks.dim(layer, a, "activations", 1, channels, "channels");
        Checks.sameDims(layer, a, "activations", g, "backprops", 0, a.rank());
        int b = Checks.samples(layer, a, "activations", 0, k);
        if (b == 0 || !affine) {
            return Checks.emptyBatch(layer, g.dtype());
        }
        int sp = Checks.prod(a.dims(), 2, a.rank());
        int perGroup = channels / groups * sp;
        Checks.Results out = new Checks.Results();
        try (Scope s = new Scope()) {
            Tensor ac = s.contiguous(a);
            Tensor xhat = s.add(SampleKernels.normalizeRows(ac, (long) b * k * groups, perGroup, eps));
            Tensor xv = s.reshape(xhat, b, k, channels, sp);
            Tensor gv = s.reshape(g, b, k, channels, sp);
            out.put("weight", SampleKernels.finish(SampleKernels.contract(WEIGHT_SPEC, xv, gv), reduction, k,
                    b, channels));
            out.put("bias", SampleKernels.finish(SampleKernels.contract(BIAS_SPEC, gv), reduction, k, b, channels));
            return out.done();
        } catch (RuntimeException e) {
            out.closeAll();
            throw e;
        }
    }
}
