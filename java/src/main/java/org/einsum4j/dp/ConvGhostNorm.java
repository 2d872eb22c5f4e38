package org.einsum4j.dp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.Einsum;
import org.einsum4j.gradsample.ConvColumns;
import org.einsum4j.gradsample.ConvLayer;
import org.einsum4j.gradsample.GradSamplerRegistry;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.tensor.Tensor;

/**
 * Ghost norms of {@code Conv1d/2d/3d} through the unfolded form: with the input unfolded to columns
 * {@code [B, G, K, (C_in/G)·Πk, L]} (the grad sampler's im2col), a convolution is a linear map per group applied
 * at the K·L positions, so per group {@code ‖G_n,g‖² = ⟨g gᵀ, u uᵀ⟩} with {@code [K·L, K·L]} Gram matrices
 * ({@link PositionGram}'s identity); the weight norm sums the groups. Bias {@code ‖Σ_{k,l} g‖}. Ghost pays
 * O(B·G·(KL)²·(P + o)) against materializing's O(B·G·KL·P·o): it wins for small feature maps (late layers),
 * materializing for large ones, which the cost model decides. The clipped sum is the weighted contraction
 * {@code nkgoq,ngkpq,n->gop} over the columns, the clip factors scaling the backprops first (the flop-optimal
 * order would contract g with the columns first: the per-sample gradient this form exists to avoid).
 */
public final class ConvGhostNorm implements GhostNorm<ConvLayer> {

    @Override
    public Map<String, double[]> squaredNorms(ConvLayer layer, List<Tensor> activations, List<Tensor> backprops,
                                              int k, KReduction reduction) {
        Tensor g = backprops.get(0);
        int b = g.dim(0) / k;
        int groups = layer.groups();
        int l = (int) (g.numel() / Math.max(1, (long) g.dim(0) * layer.out()));
        double f = reduction == KReduction.MEAN ? 1.0 / ((double) k * k) : 1;
        Map<String, double[]> out = new LinkedHashMap<>();
        try (Tensor cols = ConvColumns.of(layer, activations.get(0), k);
             Tensor gv = Tensors.view(g, b, k, groups, layer.out() / groups, l);
             Tensor gu = Einsum.contract("ngkpq,ngKpQ->ngkqKQ", cols, cols);
             Tensor gg = Einsum.contract("nkgoq,nKgoQ->ngkqKQ", gv, gv)) {
            out.put("weight", PositionGram.scale(Tensors.host(Einsum.contract("ngkqKQ,ngkqKQ->n", gu, gg)),
                    f));
        }
        if (layer.bias()) {
            try (Tensor gb = Tensors.view(g, b, k, layer.out(), l);
                 Tensor s = Einsum.contract("nkoq->no", gb)) {
                out.put("bias", PositionGram.scale(Tensors.host(Einsum.contract("no,no->n", s, s)), f));
            }
        }
        return out;
    }

    @Override
    public Cost cost(ConvLayer layer, List<Tensor> activations, List<Tensor> backprops, int k) {
        Tensor g = backprops.get(0);
        double b = (double) g.dim(0) / k;
        double positions = (double) g.numel() / Math.max(1, (long) g.dim(0) * layer.out()) * k;
        int[] w = layer.parameterShapes().get("weight");
        double p = (double) layer.in() / layer.groups();
        for (int i = 2; i < w.length; i++) {
            p *= w[i];
        }
        double o = (double) layer.out() / layer.groups();
        return new Cost(layer.groups() * PositionGram.ghostCost(b, positions, p, o),
                layer.groups() * PositionGram.materializedCost(b, positions, p, o));
    }

    @Override
    public Map<String, Tensor> weightedSum(ConvLayer layer, List<Tensor> activations, List<Tensor> backprops,
                                           int k, double[] weights, GradSamplerRegistry samplers) {
        Tensor g = backprops.get(0);
        int b = weights.length;
        int groups = layer.groups();
        int l = (int) (g.numel() / Math.max(1, (long) g.dim(0) * layer.out()));
        Map<String, Tensor> out = new LinkedHashMap<>();
        try (Tensor scaled = WeightedSums.scaleRows(g, 0, b, k, weights)) {
            try (Tensor cols = ConvColumns.of(layer, activations.get(0), k);
                 Tensor gv = Tensors.view(scaled, b, k, groups, layer.out() / groups, l)) {
                out.put("weight", Tensors.owned(Einsum.contract("nkgoq,ngkpq->gop", gv, cols),
                        layer.parameterShapes().get("weight")));
            }
            if (layer.bias()) {
                try (Tensor gb = Tensors.view(scaled, b, k, layer.out(), l)) {
                    out.put("bias", Tensors.owned(Einsum.contract("nkoq->o", gb), layer.out()));
                }
            }
            return out;
        } catch (RuntimeException e) {
            out.values().forEach(Tensor::close);
            throw e;
        }
    }
}
