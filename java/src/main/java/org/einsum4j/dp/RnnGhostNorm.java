package org.einsum4j.dp;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.gradsample.GradSamplerRegistry;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.RnnLayer;
import org.einsum4j.tensor.Tensor;

/**
 * Ghost norms of one RNN/GRU/LSTM layer: each weight is a linear map applied at every time step, so its
 * per-sample norm is {@link PositionGram}'s with time and K as the positions — {@code W_ih} from
 * {@code (g_ih, x)}, {@code W_hh} from {@code (g_hh, h_prev)}; biases {@code ‖Σ_{k,t} g‖}. Time-first inputs
 * {@code [T, B·K, ·]} are viewed as {@code [T, B, K, ·]} (layout {@code tnk}), no transpose.
 */
public final class RnnGhostNorm implements GhostNorm<RnnLayer> {

    @Override
    public Map<String, double[]> squaredNorms(RnnLayer layer, List<Tensor> activations, List<Tensor> backprops,
                                              int k, KReduction reduction) {
        boolean bf = layer.batchFirst();
        Tensor x = activations.get(0);
        int b = x.dim(bf ? 0 : 1) / k;
        int t = x.dim(bf ? 1 : 0);
        int gh = layer.cell().gates() * layer.hidden();
        String layout = bf ? "nkt" : "tnk";
        double f = reduction == KReduction.MEAN ? 1.0 / ((double) k * k) : 1;
        Map<String, double[]> out = new LinkedHashMap<>();
        try (Tensor xv = Tensors.view(activations.get(0), view(bf, b, k, t, layer.input()));
             Tensor hv = Tensors.view(activations.get(1), view(bf, b, k, t, layer.hidden()));
             Tensor gi = Tensors.view(backprops.get(0), view(bf, b, k, t, gh));
             Tensor gh2 = Tensors.view(backprops.get(1), view(bf, b, k, t, gh))) {
            out.put(layer.parameterName("weight_ih"), PositionGram.scale(PositionGram.weight(gi, xv, layout), f));
            out.put(layer.parameterName("weight_hh"), PositionGram.scale(PositionGram.weight(gh2, hv, layout), f));
            if (layer.bias()) {
                out.put(layer.parameterName("bias_ih"), PositionGram.scale(PositionGram.bias(gi, layout), f));
                out.put(layer.parameterName("bias_hh"), PositionGram.scale(PositionGram.bias(gh2, layout), f));
            }
        }
        return out;
    }

    @Override
    public Cost cost(RnnLayer layer, List<Tensor> activations, List<Tensor> backprops, int k) {
        Tensor x = activations.get(0);
        boolean bf = layer.batchFirst();
        double b = (double) x.dim(bf ? 0 : 1) / k;
        double positions = (double) x.dim(bf ? 1 : 0) * k;
        double gh = layer.cell().gates() * (double) layer.hidden();
        return new Cost(PositionGram.ghostCost(b, positions, layer.input(), gh)
                + PositionGram.ghostCost(b, positions, layer.hidden(), gh),
                PositionGram.materializedCost(b, positions, layer.input(), gh)
                        + PositionGram.materializedCost(b, positions, layer.hidden(), gh));
    }

    @Override
    public int rowAxis(RnnLayer layer) {
        return layer.batchFirst() ? 0 : 1;
    }

    @Override
    public Map<String, Tensor> weightedSum(RnnLayer layer, List<Tensor> activations, List<Tensor> backprops, int k,
                                           double[] weights, GradSamplerRegistry samplers) {
        return weightedSumPerParameter(layer, activations, backprops, k, WeightedSums.same(layer, weights), samplers);
    }

    /** Each weight and bias with its own weights: {@link WeightedSums#linearWeight} per linear map. */
    @Override
    public Map<String, Tensor> weightedSumPerParameter(RnnLayer layer, List<Tensor> activations,
                                                       List<Tensor> backprops, int k, Map<String, double[]> weights,
                                                       GradSamplerRegistry samplers) {
        boolean bf = layer.batchFirst();
        String wih = layer.parameterName("weight_ih");
        int b = weights.get(wih).length;
        int t = activations.get(0).dim(bf ? 1 : 0);
        int gh = layer.cell().gates() * layer.hidden();
        String layout = bf ? "nkt" : "tnk";
        int axis = rowAxis(layer);
        java.util.function.IntFunction<int[]> v = f -> view(bf, b, k, t, f);
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            out.put(wih, WeightedSums.linearWeight(backprops.get(0), activations.get(0), axis, layout, v, gh,
                    layer.input(), weights.get(wih), k));
            String whh = layer.parameterName("weight_hh");
            out.put(whh, WeightedSums.linearWeight(backprops.get(1), activations.get(1), axis, layout, v, gh,
                    layer.hidden(), weights.get(whh), k));
            if (layer.bias()) {
                try (Tensor gi = Tensors.view(backprops.get(0), v.apply(gh));
                     Tensor gh2 = Tensors.view(backprops.get(1), v.apply(gh))) {
                    String bih = layer.parameterName("bias_ih");
                    String bhh = layer.parameterName("bias_hh");
                    out.put(bih, WeightedSums.linearBias(gi, layout, weights.get(bih)));
                    out.put(bhh, WeightedSums.linearBias(gh2, layout, weights.get(bhh)));
                }
            }
            return out;
        } catch (RuntimeException e) {
            out.values().forEach(Tensor::close);
            throw e;
        }
    }

    private static int[] view(boolean batchFirst, int b, int k, int t, int f) {
        return batchFirst ? new int[] {b, k, t, f} : new int[] {t, b, k, f};
    }
}
