package org.einsum4j.gradsample;

/** An activation or backprop tensor whose shape does not fit the layer; the message gives expected vs got. */
public class LayerShapeException extends GradSampleException {
    public LayerShapeException(String message) {
        super(message);
    }
}
