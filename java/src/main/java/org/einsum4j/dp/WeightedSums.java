package org.einsum4j.dp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.Einsum;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.GradSamplerRegistry;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.Tensor;

/**
 * The clipped sum {@code Σ_n w_n G_n} (w = clip factors) in its weighted forms: from materialized per-sample
 * gradients ({@code np,n->p}), or without them by scaling the backprops. Every result is a new tensor of the
 * parameter's shape, owned by the caller.
 */
final class WeightedSums {
    private WeightedSums() {
    }

    /**
     * {@code Σ_n w_{p,n} G_p[n]} for each per-sample gradient {@code [B, *shape]} with its parameter's weights: one
     * contraction each.
     */
    static Map<String, Tensor> ofMaterialized(Map<String, Tensor> perSample, Map<String, double[]> weights) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : perSample.entrySet()) {
                Tensor g = e.getValue();
                int[] shape = java.util.Arrays.copyOfRange(g.dims(), 1, g.rank());
                try (Tensor w = Tensors.vector(weights.get(e.getKey()), g.dtype(), g.device());
                     Tensor flat = Tensors.view(g, g.dim(0), -1)) {
                    out.put(e.getKey(), Tensors.owned(Einsum.contract("np,n->p", flat, w), shape));
                }
            }
            return out;
        } catch (RuntimeException ex) {
            out.values().forEach(Tensor::close);
            throw ex;
        }
    }

    /** One weight array for every parameter of {@code layer} (flat and per-layer clipping). */
    static Map<String, double[]> same(Layer layer, double[] weights) {
        Map<String, double[]> m = new LinkedHashMap<>();
        layer.parameterShapes().keySet().forEach(p -> m.put(p, weights));
        return m;
    }

    /**
     * {@link GhostNorm#weightedSumPerParameter}'s default: {@code sum} called once per distinct weight array (by
     * identity), each parameter taken from the call of its own weights, the rest closed.
     */
    static Map<String, Tensor> grouped(Map<String, double[]> weights,
                                       java.util.function.Function<double[], Map<String, Tensor>> sum) {
        Map<double[], List<String>> groups = new java.util.IdentityHashMap<>();
        weights.forEach((p, w) -> groups.computeIfAbsent(w, x -> new ArrayList<>()).add(p));
        Map<String, Tensor> got = new LinkedHashMap<>();
        try {
            for (Map.Entry<double[], List<String>> g : groups.entrySet()) {
                Map<String, Tensor> r = sum.apply(g.getKey());
                r.forEach((p, t) -> {
                    if (g.getValue().contains(p)) {
                        got.put(p, t);
                    } else {
                        t.close();
                    }
                });
            }
            Map<String, Tensor> out = new LinkedHashMap<>();
            weights.keySet().forEach(p -> {
                if (got.containsKey(p)) {
                    out.put(p, got.get(p));
                }
            });
            return out;
        } catch (RuntimeException e) {
            got.values().forEach(Tensor::close);
            throw e;
        }
    }

    /**
     * The default weighted sum of {@link GhostNorm#weightedSum}: the backprops scaled by {@code w_n} along their
     * row axis (a backprop-sized temporary, never a per-sample gradient), then the layer's grad sampler with the
     * whole batch as one sample of B·K copies (K-sum).
     */
    static Map<String, Tensor> bySampler(GradSamplerRegistry samplers, Layer layer, List<Tensor> activations,
                                         List<Tensor> backprops, int k, double[] weights, int rowAxis) {
        int b = weights.length;
        List<Tensor> scaled = new ArrayList<>();
        try {
            for (Tensor g : backprops) {
                scaled.add(scaleRows(g, rowAxis, b, k, weights));
            }
            Map<String, Tensor> one = GradSampler.compute(samplers, layer, activations, scaled, b * k,
                    KReduction.SUM);
            Map<String, Tensor> out = new LinkedHashMap<>();
            try {
                for (Map.Entry<String, Tensor> e : one.entrySet()) {
                    Tensor t = e.getValue();
                    out.put(e.getKey(), Tensors.owned(t, java.util.Arrays.copyOfRange(t.dims(), 1, t.rank())));
                }
                return out;
            } catch (RuntimeException ex) {
                one.values().forEach(Tensor::close);
                out.values().forEach(Tensor::close);
                throw ex;
            }
        } finally {
            scaled.forEach(Tensor::close);
        }
    }

    /**
     * {@code g} with its rows n·K … n·K+K−1 (along {@code axis}) multiplied by {@code w_n}: a new contiguous tensor
     * of g's shape, as the one broadcast contraction {@code n,pnq->pnq} over g viewed as {@code [pre, B, K·post]}
     * (a single element-wise pass, {@code Backend.multiply}). It replaced a copy plus one in-place scale per
     * (p, n) block, which had been 7–15× faster than the contraction as a GEMM; as a broadcast product the
     * contraction took 2.5–3× less than the copy and scales on the 2-core development machine (2026-11-30, float32,
     * median of 30, the layer suite's backprops): L01 0.018 vs 0.031 ms, L02 0.096 vs 0.22 ms, L03 1.4 vs 3.9 ms,
     * L07 0.87 vs 2.5 ms, L10 0.89 vs 2.7 ms; on a GPU it is one kernel launch instead of one per block.
     */
    static Tensor scaleRows(Tensor g, int axis, int b, int k, double[] weights) {
        int[] d = g.dims();
        long pre = 1;
        for (int i = 0; i < axis; i++) {
            pre *= d[i];
        }
        long post = b == 0 ? 0 : g.numel() / (pre * b);
        try (Tensor w = Tensors.vector(weights, g.dtype(), g.device());
             Tensor view = Tensors.view(g, Math.toIntExact(pre), b, Math.toIntExact(post))) {
            return Tensors.owned(Einsum.contract("n,pnq->pnq", w, view), d);
        }
    }

    /**
     * {@code Σ_n w_n Σ_p g_p a_pᵀ} of a linear map applied at positions ({@link PositionGram}'s layouts): the
     * smaller of the two operands is scaled by the weights (a copy of it, never a per-sample tensor), then one
     * GEMM over samples and positions. {@code g} and {@code a} are the un-viewed tensors, rows along
     * {@code rowAxis}; {@code view} gives their {@code layout}-shaped view for a feature size.
     */
    static Tensor linearWeight(Tensor g, Tensor a, int rowAxis, String layout, java.util.function.IntFunction<int[]>
            view, int out, int in, double[] weights, int k) {
        int b = weights.length;
        boolean scaleA = a.numel() < g.numel();
        try (Tensor scaled = scaleRows(scaleA ? a : g, rowAxis, b, k, weights);
             Tensor gv = Tensors.view(scaleA ? g : scaled, view.apply(out));
             Tensor av = Tensors.view(scaleA ? scaled : a, view.apply(in))) {
            return Tensors.owned(Einsum.contract(layout + "o," + layout + "i->oi", gv, av), out, in);
        }
    }

    /** {@code Σ_n w_n Σ_p g_p}: the weighted bias sum, one contraction with the weights (no scaled copy). */
    static Tensor linearBias(Tensor gView, String layout, double[] weights) {
        try (Tensor w = Tensors.vector(weights, gView.dtype(), gView.device())) {
            Tensor r = Einsum.contract("n," + layout + "o->o", w, gView);
            return Tensors.owned(r, r.dims());
        }
    }
}
