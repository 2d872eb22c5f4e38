package org.einsum4j.gradsample;

import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * Per-sample gradients of {@code LayerNorm}: x̂ = (a − mean)/sqrt(var + eps) over the normalized dims (biased
 * variance, accumulated in float64), then weight {@code nkmd,nkmd->nd} (x̂, g) and bias {@code nkmd->nd}, where
 * m flattens the dims between the rows and the normalized dims and d the normalized dims. ALGORITHMS.md §4.
 */
public final class LayerNormSampler implements LayerSampler<Layer.LayerNorm> {
    static final String WEIGHT_SPEC = "nkmd,nkmd->nd";
    static final String BIAS_SPEC = "nkmd->nd";

    @Override
    public Map<String, Tensor> compute(Layer.LayerNorm layer, List<Tensor> activations, List<Tensor> backprops,
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
            Tensor xhat = s.add(SampleKernels.normalizeRows(ac, (long) b * k * m, d, layer.eps()));
            Tensor xv = s.reshape(xhat, b, k, m, d);
            Tensor gv = s.reshape(g, b, k, m, d);
            out.put("weight", SampleKernels.finish(SampleKernels.contract(WEIGHT_SPEC, xv, gv), reduction, k,
                    Checks.withBatch(b, ns)));
            if (layer.bias()) {
                out.put("bias", SampleKernels.finish(SampleKernels.contract(BIAS_SPEC, gv), reduction, k,
                        Checks.withBatch(b, ns)));
            }
            return out.done();
        } catch (RuntimeException e) {
            out.closeAll();
            throw e;
        }
    }
}
