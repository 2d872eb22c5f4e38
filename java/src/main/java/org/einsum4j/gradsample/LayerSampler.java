package org.einsum4j.gradsample;

import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * Computes the per-sample gradients of one layer kind: a pure function of the layer's description, its
 * activations (layer inputs) and backprops (dL/d layer output), and the augmentation multiplicity K. One
 * implementation per layer kind, registered in a {@link GradSamplerRegistry} (as Opacus's {@code grad_sample/}
 * modules are registered per layer type).
 *
 * <p>Contract: tensors have B·K rows, sample-major (rows n·K … n·K+K−1 are sample n's copies). The result maps
 * each parameter name (PyTorch's) to a new tensor {@code [B, *param.shape]} owned by the caller, in the order of
 * {@link Layer#parameterShapes()}. Inputs are validated before any work; bad inputs throw a
 * {@link GradSampleException}. Implementations must be thread-safe (they are shared through the registry) and
 * must not close or modify the inputs.
 *
 * @param <L> the layer description this sampler handles
 */
@FunctionalInterface
public interface LayerSampler<L extends Layer> {

    /**
     * @param layer       the layer description
     * @param activations the layer's inputs (one tensor for most layers; RNNs take {@code x_t} and {@code h_(t−1)})
     * @param backprops   the gradients of the loss with respect to the layer's outputs (RNNs: two)
     * @param k           the augmentation multiplicity K ≥ 1
     * @param reduction   how the K copies of a sample combine
     */
    Map<String, Tensor> compute(L layer, List<Tensor> activations, List<Tensor> backprops, int k,
                                KReduction reduction);
}
