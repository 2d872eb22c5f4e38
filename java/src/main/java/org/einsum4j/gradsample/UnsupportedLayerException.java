package org.einsum4j.gradsample;

/**
 * A layer configuration the samplers do not implement (for example a convolution padding mode other than
 * zeros, which Opacus silently treats as zeros), or a layer kind with no registered sampler.
 */
public class UnsupportedLayerException extends GradSampleException {
    public UnsupportedLayerException(String message) {
        super(message);
    }
}
