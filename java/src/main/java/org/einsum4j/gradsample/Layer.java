package org.einsum4j.gradsample;

import java.util.Map;

/**
 * Describes a layer whose per-sample gradients a {@link LayerSampler} computes: its kind, hyperparameters and the
 * shapes of its parameters (named as PyTorch names them: {@code weight}, {@code bias}, {@code weight_ih_l0}, …).
 * The built-in layers are records, one file each with their sampler ({@link LinearLayer}, {@link ConvLayer}, …,
 * listed in {@link GradSamplerRegistry}'s built-ins); users describe their own through {@link CustomLayer}.
 * Not sealed: a {@code permits} list would be a second registration per layer, and nothing switches over the
 * family exhaustively (the registry, not the type system, says which layers have samplers).
 */
public interface Layer {

    /** The layer's name as PyTorch calls it, e.g. {@code Linear}, {@code Conv2d}, {@code LSTM}. */
    String kind();

    /** The parameters in PyTorch's order: name → shape. Empty for layers without parameters. */
    Map<String, int[]> parameterShapes();
}
