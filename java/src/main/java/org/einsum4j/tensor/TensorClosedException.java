package org.einsum4j.tensor;

import org.einsum4j.Einsum4jException;

/** Thrown on any use of a tensor whose native memory was released. */
public class TensorClosedException extends Einsum4jException {
    public TensorClosedException(String message) {
        super(message);
    }
}
