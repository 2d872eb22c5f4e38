package org.einsum4j.oracle;

import org.einsum4j.spec.Contraction;
import org.einsum4j.tensor.Tensor;

/**
 * The reference oracle: a plain float64 loop nest over every label of a contraction. Slow and obviously correct;
 * every test compares against it.
 */
public final class ReferenceEinsum {
    private ReferenceEinsum() {
    }

    /** Evaluates {@code spec} on the operands in float64; returns a new FLOAT64 tensor owned by the caller. */
    public static Tensor evaluate(String spec, Tensor... operands) {
        throw new UnsupportedOperationException("ReferenceEinsum: being written");
    }

    /** Evaluates a bound contraction on the operands in float64. */
    public static Tensor evaluate(Contraction c, Tensor... operands) {
        throw new UnsupportedOperationException("ReferenceEinsum: being written");
    }
}
