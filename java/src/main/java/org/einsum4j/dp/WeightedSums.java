package org.einsum4j.dp;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.Backend;
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
     * of g's shape. Viewed as {@code [pre, B, K·post]}, each (p, n) block of K·post elements is contiguous in the
     * copy, so this is one {@code Backend.copy} and {@code pre·B} in-place {@code Backend.scale} calls: two
     * memory-bound passes on any device. On the 2-core development machine (2026-11-30, median of 30) it took 7–15×
     * less than the broadcast contraction {@code n,pnq->pnq} on the layer-suite backprops: L01 0.14 vs 0.94 ms,
     * L02 0.27 vs 4.1 ms, L03 4.5 vs 46 ms, L07 2.8 vs 31 ms, L10 2.8 vs 31 ms. Blocks of fewer than
     * {@link #MIN_SCALE_BLOCK} elements, or more than {@link #MAX_DEVICE_BLOCKS} blocks off the host (each call a
     * kernel launch on a GPU), use that contraction.
     */
    static Tensor scaleRows(Tensor g, int axis, int b, int k, double[] weights) {
        return scaleRows(g, axis, b, k, weights, MIN_SCALE_BLOCK);
    }

    /** {@link #scaleRows(Tensor, int, int, int, double[])} with the block-size threshold given (for tests). */
    static Tensor scaleRows(Tensor g, int axis, int b, int k, double[] weights, int minBlock) {
        int[] d = g.dims();
        long pre = 1;
        for (int i = 0; i < axis; i++) {
            pre *= d[i];
        }
        long post = b == 0 ? 0 : g.numel() / (pre * b);
        long blocks = pre * b;
        if (blocks <= 1 || post >= minBlock && (g.device().isHost() || blocks <= MAX_DEVICE_BLOCKS)) {
            Backend be = Backend.of(g);
            Tensor out = be.contiguousCopy(g);
            try {
                for (long p = 0; p < pre; p++) {
                    for (int n = 0; n < b; n++) {
                        if (weights[n] != 1) {
                            try (Tensor block = out.asStrided(new int[] {Math.toIntExact(post)}, new long[] {1},
                                    (p * b + n) * post)) {
                                be.scale(block, weights[n]);
                            }
                        }
                    }
                }
                return out;
            } catch (RuntimeException e) {
                out.close();
                throw e;
            }
        }
        try (Tensor w = Tensors.vector(weights, g.dtype(), g.device());
             Tensor view = Tensors.view(g, Math.toIntExact(pre), b, Math.toIntExact(post))) {
            return Tensors.owned(Einsum.contract("n,pnq->pnq", w, view), d);
        }
    }

    /** Elements per block below which {@link #scaleRows} scales by one contraction rather than per block. */
    static final int MIN_SCALE_BLOCK = 256;

    /**
     * Off the host, the most blocks {@link #scaleRows} scales one by one (each a kernel launch of a few µs on a GPU);
     * more, e.g. a time-first LSTM's T·B blocks, go to the one broadcast contraction.
     */
    static final int MAX_DEVICE_BLOCKS = 256;

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
