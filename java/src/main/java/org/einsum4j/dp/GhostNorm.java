package org.einsum4j.dp;

import java.util.List;
import java.util.Map;
import org.einsum4j.gradsample.GradSamplerRegistry;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.Tensor;

/**
 * Per-sample gradient norms of one layer kind computed without materializing the per-sample gradients
 * ("ghost clipping", Goodfellow 2015; Li et al. 2022 for sequences), and the clipped sum
 * {@code Σ_n c_n G_n} as a weighted contraction. One implementation per layer kind, registered in a
 * {@link GhostNormRegistry}; users add their own for a {@link org.einsum4j.gradsample.CustomLayer}.
 *
 * <p>Inputs follow {@link org.einsum4j.gradsample.LayerSampler}'s contract (B·K rows, sample-major; the layer's
 * activations and backprops, already validated by the DP step). Implementations must be thread-safe and must not
 * close or modify the inputs.
 *
 * @param <L> the layer description this implementation handles
 */
public interface GhostNorm<L extends Layer> {

    /**
     * The squared per-sample gradient norm of each parameter, {@code ‖G_n,p‖²} as a {@code double[B]} on the host,
     * keyed by the parameter names of {@link Layer#parameterShapes()}. {@code G_n} follows {@code reduction}
     * (MEAN: the K-sum divided by K).
     */
    Map<String, double[]> squaredNorms(L layer, List<Tensor> activations, List<Tensor> backprops, int k,
                                       KReduction reduction);

    /**
     * Estimated cost (floating-point operations) of {@link #squaredNorms} and of materializing the per-sample
     * gradients and taking their norms, for {@link NormMode#AUTO}. The default says ghost is always cheaper.
     */
    default Cost cost(L layer, List<Tensor> activations, List<Tensor> backprops, int k) {
        return new Cost(0, Double.POSITIVE_INFINITY);
    }

    /**
     * The axis of the backprops that holds the B·K rows (1 for time-first recurrent layouts); the clipped sum
     * scales the backprops along it.
     */
    default int rowAxis(L layer) {
        return 0;
    }

    /**
     * {@code Σ_n w_n G_n} for each parameter (a new tensor of the parameter's shape, owned by the caller), without
     * any per-sample tensor. The default scales the backprops by {@code w_n} (one contraction) and runs the
     * layer's grad sampler on the whole batch as one sample with K = B·K copies: every layer's gradient is linear
     * in its backprops, so that one "per-sample" gradient is the weighted sum.
     *
     * @param weights {@code w_n} ({@code double[B]}: the clip factors, divided by K for MEAN)
     */
    default Map<String, Tensor> weightedSum(L layer, List<Tensor> activations, List<Tensor> backprops, int k,
                                            double[] weights, GradSamplerRegistry samplers) {
        return WeightedSums.bySampler(samplers, layer, activations, backprops, k, weights, rowAxis(layer));
    }

    /**
     * {@code Σ_n w_{p,n} G_{n,p}} with each parameter p's own weights (per-parameter clipping: each parameter has
     * its own clip factors), keyed and shaped as {@link #weightedSum(Layer, List, List, int, double[],
     * GradSamplerRegistry) weightedSum}. The default groups the parameters that share one weight array (all of them
     * under flat and per-layer clipping) and calls {@code weightedSum} once per group, keeping that group's
     * parameters; a layer whose parameters are computed separately overrides it to skip the unused ones.
     *
     * @param weights {@code double[B]} per parameter name of {@link Layer#parameterShapes()}
     */
    default Map<String, Tensor> weightedSumPerParameter(L layer, List<Tensor> activations, List<Tensor> backprops,
                                                        int k, Map<String, double[]> weights,
                                                        GradSamplerRegistry samplers) {
        return WeightedSums.grouped(weights, w -> weightedSum(layer, activations, backprops, k, w, samplers));
    }

    /** Costs of the two ways to get per-sample norms, in floating-point operations. */
    record Cost(double ghost, double materialized) {
        /** Whether ghost norms are the cheaper way (ties go to ghost: it never holds per-sample gradients). */
        public boolean ghostIsCheaper() {
            return ghost <= materialized;
        }
    }
}
