package org.einsum4j;

/** An operand that cannot take part: mixed dtypes, an integer tensor, a closed tensor, a null. */
public class InvalidOperandException extends Einsum4jException {
    public InvalidOperandException(String message) {
        super(message);
    }
}
