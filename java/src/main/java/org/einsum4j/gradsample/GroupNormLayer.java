package org.einsum4j.gradsample;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/** {@code torch.nn.GroupNorm(groups, channels, eps, affine)}: activations and backprops {@code [B·K, C, …]}. */
public record GroupNormLayer(int groups, int channels, double eps, boolean affine) implements Layer {
    public GroupNormLayer {
        Checks.positive("GroupNorm groups", groups);
        Checks.positive("GroupNorm channels", channels);
        if (channels % groups != 0) {
            throw new GradSampleException("GroupNorm groups " + groups + " must divide channels " + channels);
        }
        if (!(eps >= 0)) {
            throw new GradSampleException("GroupNorm eps must be >= 0, got " + eps);
        }
    }

    @Override
    public String kind() {
        return "GroupNorm";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        if (affine) {
            m.put("weight", new int[] {channels});
            m.put("bias", new int[] {channels});
        }
        return Collections.unmodifiableMap(m);
    }
}

/**
 * Per-sample gradients of {@code GroupNorm}: x̂ normalized per (row, group) over the group's channels and all
 * spatial positions (float64 statistics); per channel weight = Σ x̂ ⊙ g and bias = Σ g over K and the spatial
 * positions s (ALGORITHMS.md §4, {@code nkcs,nkcs->nc}). One kernel normalizes and sums over s per (row, channel)
 * without storing x̂ (one pass over a and g, no [B·K, …] temporaries); K is then the summed label of the
 * contraction {@code nkc->nc}.
 */
final class GroupNormSampler implements LayerSampler<GroupNormLayer>, LayerKind {
    static final String K_SPEC = "nkc->nc";

    @Override
    public Map<String, Tensor> compute(GroupNormLayer layer, List<Tensor> activations, List<Tensor> backprops,
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
        Checks.Results out = new Checks.Results();
        try (Scope s = new Scope()) {
            Tensor ac = s.contiguous(a);
            Tensor gc = s.contiguous(g);
            SampleKernels.NormPartials p = SampleKernels.groupNormPartials(ac, gc, b * k, groups,
                    channels / groups, sp, eps);
            s.add(p.weight());
            s.add(p.bias());
            Tensor pw = s.reshape(p.weight(), b, k, channels);
            Tensor pb = s.reshape(p.bias(), b, k, channels);
            out.put("weight", SampleKernels.finish(SampleKernels.contract(K_SPEC, pw), reduction, k, b, channels));
            out.put("bias", SampleKernels.finish(SampleKernels.contract(K_SPEC, pb), reduction, k, b, channels));
            return out.done();
        } catch (RuntimeException e) {
            out.closeAll();
            throw e;
        }
    }

    // ------------------------------------------------------------------ as tools describe it

    @Override
    public List<String> names() {
        return List.of("GroupNorm");
    }

    @Override
    public String help() {
        return "GroupNorm      C= groups= [H= W= | L= | D= H= W=] [eps=]";
    }

    @Override
    public Workload describe(String name, Hyperparameters h, int rows) {
        h.allow("C", "groups", "eps", "L", "D", "H", "W");
        int c = h.req("C");
        GroupNormLayer l = new GroupNormLayer(h.req("groups"), c, h.dbl("eps", 1e-5), true);
        int[] s = Workload.rows(rows, new int[] {c}, spatial(h));
        return new Workload(l, -1, false, List.of(s), List.of(s));
    }

    /** The spatial sizes given among L, D, H, W, in that order (shared with InstanceNorm). */
    static int[] spatial(Hyperparameters h) {
        return java.util.stream.Stream.of("L", "D", "H", "W").filter(h::has).mapToInt(h::req).toArray();
    }
}
