package org.einsum4j.spec;

import org.einsum4j.Einsum4jException;

/** The number of operands does not match the number of terms in the spec. */
public class OperandCountException extends Einsum4jException {
    public OperandCountException(String message) {
        super(message);
    }
}
