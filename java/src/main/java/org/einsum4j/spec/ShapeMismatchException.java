package org.einsum4j.spec;

import org.einsum4j.Einsum4jException;

/** Operand shapes that do not fit the spec: a label with two sizes, a rank that does not match the labels. */
public class ShapeMismatchException extends Einsum4jException {
    public ShapeMismatchException(String message) {
        super(message);
    }
}
