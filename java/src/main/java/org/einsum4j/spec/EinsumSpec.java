package org.einsum4j.spec;

import java.util.List;

/**
 * A parsed einsum spec, numpy.einsum's grammar exactly (see the package's tests), not yet bound to shapes.
 * {@link #bind(int[]...)} checks it against operand shapes and yields a {@link Contraction}.
 */
public final class EinsumSpec {
    /** In the interleaved (sublist) form, this value stands for {@code ...}. */
    public static final int ELLIPSIS = -1;

    private EinsumSpec() {
    }

    /** Parses a string spec; syntax errors throw {@link EinsumSyntaxException} with the position. */
    public static EinsumSpec parse(String spec) {
        throw new UnsupportedOperationException("EinsumSpec.parse: being written");
    }

    /**
     * The interleaved form, as numpy's {@code einsum(op0, sublist0, op1, sublist1, ..., [out])}: labels are
     * non-negative ints (no 52-letter limit), {@link #ELLIPSIS} marks an ellipsis; {@code output} null means implicit.
     */
    public static EinsumSpec ofSublists(List<int[]> sublists, int[] output) {
        throw new UnsupportedOperationException("EinsumSpec.ofSublists: being written");
    }

    public int numOperands() {
        throw new UnsupportedOperationException();
    }

    /** Binds to operand shapes; throws {@link OperandCountException} or {@link ShapeMismatchException}. */
    public Contraction bind(int[]... shapes) {
        throw new UnsupportedOperationException("EinsumSpec.bind: being written");
    }
}
