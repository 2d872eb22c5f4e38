package org.einsum4j.plan;

import java.util.Arrays;
import org.einsum4j.Einsum4jException;
import org.einsum4j.tensor.Tensor;

/** For backends: the operands of {@code Backend.multiply} checked once, the same way on every device. */
public final class ProductOperands {
    private ProductOperands() {
    }

    /**
     * Checks {@code Backend.multiply}'s operands (one dims, one float dtype, out contiguous over the kept axes) and
     * returns the kept dims.
     */
    public static int[] check(Tensor a, Tensor b, boolean[] reduce, Tensor out) {
        if (!Arrays.equals(a.dims(), b.dims()) || reduce.length != a.rank()) {
            throw new Einsum4jException("multiply: operands " + a + " and " + b + " must have one dims, with one "
                    + "reduce flag per axis (got " + reduce.length + ")");
        }
        if (a.dtype() != b.dtype() || out.dtype() != a.dtype() || !a.dtype().isFloating()) {
            throw new Einsum4jException("multiply: operands and output need one floating dtype, got " + a.dtype()
                    + ", " + b.dtype() + ", " + out.dtype());
        }
        int kept = 0;
        for (boolean r : reduce) {
            kept += r ? 0 : 1;
        }
        int[] outDims = new int[kept];
        for (int i = 0, j = 0; i < reduce.length; i++) {
            if (!reduce[i]) {
                outDims[j++] = a.dim(i);
            }
        }
        if (!Arrays.equals(out.dims(), outDims) || !out.isContiguous()) {
            throw new Einsum4jException("multiply: output " + out + " is not a contiguous " + a.dtype()
                    + Arrays.toString(outDims));
        }
        return outDims;
    }
}
