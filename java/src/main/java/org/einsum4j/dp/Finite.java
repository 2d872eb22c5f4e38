package org.einsum4j.dp;

import java.util.Arrays;
import org.einsum4j.Einsum;
import org.einsum4j.tensor.Tensor;

/**
 * Rejects NaN and ±Inf in a floating tensor before a DP step uses it. The fast test is one sum through the
 * contraction engine (any NaN or Inf makes it non-finite, on whatever backend holds the tensor); only when it is
 * non-finite is the tensor read to the host to find the first bad element — or to find none, when finite values
 * merely overflowed the sum, and then the tensor is accepted.
 */
final class Finite {
    private Finite() {
    }

    static void check(String where, Tensor t) {
        if (!t.dtype().isFloating() || t.numel() == 0) {
            return;
        }
        StringBuilder labels = new StringBuilder();
        for (int i = 0; i < t.rank(); i++) {
            labels.append((char) ('a' + i));
        }
        double s;
        try (Tensor sum = Einsum.contract(labels + "->", t)) {
            s = sum.toDoubleArray()[0];
        }
        if (Double.isFinite(s)) {
            return;
        }
        double[] v = t.toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                throw new NonFiniteInputException(where + " " + t + " holds " + v[i] + " at index "
                        + Arrays.toString(unravel(i, t.dims())) + ": a DP step on it would be NaN");
            }
        }
    }

    private static int[] unravel(long flat, int[] dims) {
        int[] ix = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            ix[i] = (int) (flat % dims[i]);
            flat /= dims[i];
        }
        return ix;
    }
}
