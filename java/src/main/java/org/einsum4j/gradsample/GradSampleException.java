package org.einsum4j.gradsample;

import org.einsum4j.Einsum4jException;

/**
 * Root of the grad samplers' input errors: a batch or a layer description that a sampler cannot take. Thrown
 * before any work is done; the message says what is wrong and the values involved.
 */
public class GradSampleException extends Einsum4jException {
    public GradSampleException(String message) {
        super(message);
    }
}
