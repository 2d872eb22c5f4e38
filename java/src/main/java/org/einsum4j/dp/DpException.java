package org.einsum4j.dp;

import org.einsum4j.Einsum4jException;

/**
 * A DP-SGD step or a privacy computation was given bad input: a clipping threshold, noise multiplier, sampling
 * rate or δ out of range, non-finite activations or backprops, layers that disagree on the batch size. Thrown
 * before any work is done; the message names the value and where it came from.
 */
public class DpException extends Einsum4jException {
    public DpException(String message) {
        super(message);
    }
}
