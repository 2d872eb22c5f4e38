package org.einsum4j.gradsample;

/**
 * The augmentation multiplicity K does not fit the batch: K &lt; 1, or a tensor's row count is not a multiple of
 * K (rows are sample-major, B·K of them).
 */
public class MultiplicityException extends GradSampleException {
    public MultiplicityException(String message) {
        super(message);
    }
}
