package org.einsum4j.dp;

import java.util.List;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.Tensor;

/**
 * One layer's part of a DP step, as a framework with its own autograd has it after the backward pass: a name
 * (prefix of its parameters' names in the result, e.g. {@code fc1} → {@code fc1.weight}), the layer description,
 * its activations (inputs) and backprops (dL/d output), B·K rows sample-major. The tensors stay the caller's.
 */
public record LayerBatch(String name, Layer layer, List<Tensor> activations, List<Tensor> backprops) {
    public LayerBatch {
        if (name == null || name.isEmpty()) {
            throw new DpException("layer name must be non-empty");
        }
        if (layer == null) {
            throw new DpException("layer " + name + ": description is null");
        }
        if (activations == null || backprops == null) {
            throw new DpException("layer " + name + ": activations and backprops lists must not be null");
        }
        activations = List.copyOf(activations);
        backprops = List.copyOf(backprops);
    }

    /** A layer with one activation and one backprop tensor (all but RNNs). */
    public static LayerBatch of(String name, Layer layer, Tensor activations, Tensor backprops) {
        if (activations == null || backprops == null) {
            throw new DpException("layer " + name + ": activations and backprops must not be null");
        }
        return new LayerBatch(name, layer, List.of(activations), List.of(backprops));
    }
}
