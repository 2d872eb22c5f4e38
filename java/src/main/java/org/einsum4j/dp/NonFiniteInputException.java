package org.einsum4j.dp;

/**
 * An activation or backprop holds NaN or ±Inf. A DP step must not run on it: one non-finite value makes a
 * per-sample norm NaN, its clip factor NaN, and the noised update silently NaN for every parameter.
 */
public class NonFiniteInputException extends DpException {
    public NonFiniteInputException(String message) {
        super(message);
    }
}
