package org.einsum4j.dp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.Einsum;
import org.einsum4j.gradsample.GradSamplerRegistry;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.tensor.Tensor;

/**
 * Ghost norms of {@code Linear}: activations {@code [B·K, …, in]} and backprops {@code [B·K, …, out]} viewed as
 * {@code [B, K, T, ·]} (T = the middle dims), so K and T are the positions of {@link PositionGram}: weight
 * {@code ‖g_n‖·‖a_n‖} when K·T = 1, else {@code ⟨g gᵀ, a aᵀ⟩}; bias {@code ‖Σ_{k,t} g‖}. The clipped sum is the
 * weighted contraction {@code nkti,nktj,n->ij} (bias {@code nkto,n->o}) in the order that never forms a
 * per-sample tensor: the clip factors scale the smaller of backprops and activations ({@code n,nq->nq}), then
 * one GEMM over samples and positions.
 */
public final class LinearGhostNorm implements GhostNorm<LinearLayer> {
    static final String LAYOUT = "nkt";

    @Override
    public Map<String, double[]> squaredNorms(LinearLayer layer, List<Tensor> activations, List<Tensor> backprops,
                                              int k, KReduction reduction) {
        Tensor a = activations.get(0);
        Tensor g = backprops.get(0);
        int b = a.dim(0) / k;
        int t = (int) (a.numel() / Math.max(1, (long) a.dim(0) * layer.in()));
        double f = reduction == KReduction.MEAN ? 1.0 / ((double) k * k) : 1;
        Map<String, double[]> out = new LinkedHashMap<>();
        try (Tensor av = Tensors.view(a, b, k, t, layer.in());
             Tensor gv = Tensors.view(g, b, k, t, layer.out())) {
            out.put("weight", PositionGram.scale(PositionGram.weight(gv, av, LAYOUT), f));
            if (layer.bias()) {
                out.put("bias", PositionGram.scale(PositionGram.bias(gv, LAYOUT), f));
            }
        }
        return out;
    }

    @Override
    public Cost cost(LinearLayer layer, List<Tensor> activations, List<Tensor> backprops, int k) {
        Tensor a = activations.get(0);
        double b = (double) a.dim(0) / k;
        double positions = (double) a.numel() / Math.max(1, (long) a.dim(0) * layer.in()) * k;
        return new Cost(PositionGram.ghostCost(b, positions, layer.in(), layer.out()),
                PositionGram.materializedCost(b, positions, layer.in(), layer.out()));
    }

    @Override
    public Map<String, Tensor> weightedSum(LinearLayer layer, List<Tensor> activations, List<Tensor> backprops,
                                           int k, double[] weights, GradSamplerRegistry samplers) {
        return weightedSumPerParameter(layer, activations, backprops, k, WeightedSums.same(layer, weights), samplers);
    }

    /** Weight and bias each with their own weights: one GEMM and one weighted column sum. */
    @Override
    public Map<String, Tensor> weightedSumPerParameter(LinearLayer layer, List<Tensor> activations,
                                                       List<Tensor> backprops, int k, Map<String, double[]> weights,
                                                       GradSamplerRegistry samplers) {
        Tensor a = activations.get(0);
        Tensor g = backprops.get(0);
        double[] ww = weights.get("weight");
        int b = ww.length;
        int t = (int) (a.numel() / Math.max(1, (long) a.dim(0) * layer.in()));
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Tensor gv = Tensors.view(g, b, k, t, layer.out())) {
            out.put("weight", WeightedSums.linearWeight(g, a, 0, LAYOUT, f -> new int[] {b, k, t, f}, layer.out(),
                    layer.in(), ww, k));
            if (layer.bias()) {
                out.put("bias", WeightedSums.linearBias(gv, LAYOUT, weights.get("bias")));
            }
            return out;
        } catch (RuntimeException e) {
            out.values().forEach(Tensor::close);
            throw e;
        }
    }
}
