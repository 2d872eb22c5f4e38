package org.einsum4j.gradsample;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.LayerNorm(normalizedShape, eps, elementwise_affine, bias)}: activations and backprops
 * {@code [B·K, …, *normalizedShape]}.
 */
public record LayerNormLayer(int[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias)
        implements Layer {
    public LayerNormLayer {
        normalizedShape = normalizedShape.clone();
        if (normalizedShape.length == 0) {
            throw new GradSampleException("LayerNorm normalized_shape must have at least one dim");
        }
        for (int d : normalizedShape) {
            Checks.positive("LayerNorm normalized_shape " + Arrays.toString(normalizedShape) + " dim", d);
        }
        if (!(eps >= 0)) {
            throw new GradSampleException("LayerNorm eps must be >= 0, got " + eps);
        }
    }

    /** With affine weight and bias, as PyTorch's default. */
    public static LayerNormLayer of(double eps, int... normalizedShape) {
        return new LayerNormLayer(normalizedShape, eps, true, true);
    }

    @Override
    public int[] normalizedShape() {
        return normalizedShape.clone();
    }

    @Override
    public String kind() {
        return "LayerNorm";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        if (elementwiseAffine) {
            m.put("weight", normalizedShape.clone());
            if (bias) {
                m.put("bias", normalizedShape.clone());
            }
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public boolean equals(Object o) {
        return RecordValues.equals(this, o);
    }

    @Override
    public int hashCode() {
        return RecordValues.hashCode(this);
    }

    @Override
    public String toString() {
        return RecordValues.toString(this);
    }
}

/**
 * Per-sample gradients of {@code LayerNorm}: x̂ = (a − mean)/sqrt(var + eps) over the normalized dims (biased
 * variance, float64 statistics); weight = Σ x̂ ⊙ g and bias = Σ g over K and the positions m between the rows and
 * the normalized dims d (ALGORITHMS.md §4, {@code nkmd,nkmd->nd}). One kernel normalizes and sums over m per row
 * without storing x̂ (the layer is memory-bound: one pass over a and g, no [B·K, …] temporaries); K is then the
 * summed label of the contraction {@code nkd->nd}.
 */
final class LayerNormSampler implements LayerSampler<LayerNormLayer>, LayerKind {
    static final String K_SPEC = "nkd->nd";

    @Override
    public Map<String, Tensor> compute(LayerNormLayer layer, List<Tensor> activations, List<Tensor> backprops,
                                       int k, KReduction reduction) {
        Checks.count(layer, activations, 1, "activations", "the layer input");
        Checks.count(layer, backprops, 1, "backprops", "dL/d output");
        Tensor a = activations.get(0);
        Tensor g = backprops.get(0);
        int[] ns = layer.normalizedShape();
        String layout = "[B*K, ..., " + java.util.Arrays.toString(ns).replaceAll("[\\[\\]]", "") + "]";
        Checks.sameFloating(layer, a, "activations", g, "backprops");
        Checks.minRank(layer, a, "activations", ns.length + 1, layout);
        Checks.rank(layer, g, "backprops", a.rank(), layout + " (same shape as activations " + a.shape() + ")");
        int lead = a.rank() - ns.length;
        for (int i = 0; i < ns.length; i++) {
            Checks.dim(layer, a, "activations", lead + i, ns[i], "normalized_shape " + java.util.Arrays.toString(ns));
        }
        Checks.sameDims(layer, a, "activations", g, "backprops", 0, a.rank());
        int b = Checks.samples(layer, a, "activations", 0, k);
        if (b == 0 || !layer.elementwiseAffine()) {
            return Checks.emptyBatch(layer, g.dtype());
        }
        int m = Checks.prod(a.dims(), 1, lead);
        int d = Checks.prod(ns, 0, ns.length);
        Checks.Results out = new Checks.Results();
        try (Scope s = new Scope()) {
            Tensor ac = s.contiguous(a);
            Tensor gc = s.contiguous(g);
            SampleKernels.NormPartials p = SampleKernels.layerNormPartials(ac, gc, b * k, m, d, layer.eps());
            s.add(p.weight());
            s.add(p.bias());
            Tensor pw = s.reshape(p.weight(), b, k, d);
            out.put("weight", SampleKernels.finish(SampleKernels.contract(K_SPEC, pw), reduction, k,
                    Checks.withBatch(b, ns)));
            if (layer.bias()) {
                Tensor pb = s.reshape(p.bias(), b, k, d);
                out.put("bias", SampleKernels.finish(SampleKernels.contract(K_SPEC, pb), reduction, k,
                        Checks.withBatch(b, ns)));
            }
            return out.done();
        } catch (RuntimeException e) {
            out.closeAll();
            throw e;
        }
    }

    // ------------------------------------------------------------------ as tools describe it

    @Override
    public List<String> names() {
        return List.of("LayerNorm");
    }

    @Override
    public String help() {
        return "LayerNorm      D= [T=] [eps=] [nobias]";
    }

    @Override
    public Workload describe(String name, Hyperparameters h, int rows) {
        h.allow("D", "T", "eps", "nobias");
        LayerNormLayer l = new LayerNormLayer(new int[] {h.req("D")}, h.dbl("eps", 1e-5), true,
                !h.bool("nobias", false));
        int t = h.opt("T", -1);
        int[] s = Workload.rows(rows, t < 0 ? new int[0] : new int[] {t}, h.req("D"));
        return new Workload(l, t, false, List.of(s), List.of(s));
    }
}
