package org.einsum4j;

/**
 * Root of every exception einsum4j throws on bad input or a failed operation. Messages say what is wrong,
 * where (spec position, label, operand, sizes) and the values involved.
 */
public class Einsum4jException extends RuntimeException {
    public Einsum4jException(String message) {
        super(message);
    }

    public Einsum4jException(String message, Throwable cause) {
        super(message, cause);
    }
}
