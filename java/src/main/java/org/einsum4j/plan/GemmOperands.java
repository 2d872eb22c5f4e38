package org.einsum4j.plan;

import org.einsum4j.Einsum4jException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * For backends: the operands of {@code Backend.gemm} checked once, the same way on every device, and brought to the
 * 4-d form {@code A [batch, r, m, k]}, {@code B [batch, r, k, n]} (a 3-d call is r = 1, as a view), with the sizes
 * read off. {@link MatrixLayout} says how one matrix of an operand reaches a BLAS: transposed or not, leading
 * dimension, or a copy first.
 */
public record GemmOperands(Tensor a, Tensor b, int batch, int r, int m, int k, int n) {
    /**
     * Checks {@code a}, {@code b}, {@code c} and {@code beta} against the contract of {@code Backend.gemm}; the
     * exceptions name the shapes, dtypes or beta that do not fit.
     */
    public static GemmOperands check(Tensor a, Tensor b, Tensor c, double beta) {
        boolean split = a.rank() == 4;
        if (split ? b.rank() != 4 || a.dim(1) != b.dim(1) || a.dim(3) != b.dim(2)
                : a.rank() != 3 || b.rank() != 3 || a.dim(2) != b.dim(1)) {
            throw new Einsum4jException("batchedGemm: shapes " + a.shape() + " and " + b.shape()
                    + " are not [batch, m, k] and [batch, k, n] (or [batch, r, m, k] and [batch, r, k, n])");
        }
        if (a.dim(0) != b.dim(0)) {
            throw new Einsum4jException("batchedGemm: batch sizes " + a.dim(0) + " and " + b.dim(0) + " differ");
        }
        DType dt = a.dtype();
        if (dt != b.dtype() || !dt.isFloating()) {
            throw new Einsum4jException("batchedGemm: dtypes " + a.dtype() + " and " + b.dtype());
        }
        if (!split) {
            a = a.asStrided(new int[] {a.dim(0), 1, a.dim(1), a.dim(2)},
                    new long[] {a.stride(0), 0, a.stride(1), a.stride(2)}, a.offset());
            b = b.asStrided(new int[] {b.dim(0), 1, b.dim(1), b.dim(2)},
                    new long[] {b.stride(0), 0, b.stride(1), b.stride(2)}, b.offset());
        }
        int batch = a.dim(0);
        int m = a.dim(2);
        int n = b.dim(3);
        if (c.rank() != 3 || c.dim(0) != batch || c.dim(1) != m || c.dim(2) != n || !c.isContiguous()
                || c.dtype() != dt) {
            throw new Einsum4jException("gemm: output " + c + " is not a contiguous " + dt + "[" + batch + ", " + m
                    + ", " + n + "]");
        }
        if (beta != 0 && beta != 1) {
            throw new Einsum4jException("gemm: beta must be 0 or 1, got " + beta);
        }
        return new GemmOperands(a, b, batch, a.dim(1), m, a.dim(3), n);
    }

    /**
     * True when there is no product to form: an empty output (nothing to do) or an empty depth (r or k zero: with
     * beta 0 the output is zero-filled through {@code fill}). The backend's own kernels run only when this is false.
     */
    public boolean trivial(org.einsum4j.Backend backend, Tensor c, double beta) {
        if ((long) batch * m * n == 0) {
            return true;
        }
        if (r == 0 || k == 0) {
            if (beta == 0) {
                backend.fill(c, 0);
            }
            return true;
        }
        return false;
    }

    /** How one row-major {@code rows × cols} matrix with strides (sr, sc) reaches a BLAS. */
    public record MatrixLayout(boolean trans, int ld) {
        /** Its layout: unit column stride (not transposed) or unit row stride (transposed); null when it needs a copy. */
        public static MatrixLayout of(int rows, int cols, long sr, long sc) {
            if ((cols == 1 || sc == 1) && (rows == 1 || sr >= Math.max(1, cols)) && sr <= Integer.MAX_VALUE) {
                return new MatrixLayout(false, rows == 1 ? Math.max(1, cols) : (int) sr);
            }
            if ((rows == 1 || sr == 1) && (cols == 1 || sc >= Math.max(1, rows)) && sc <= Integer.MAX_VALUE) {
                return new MatrixLayout(true, cols == 1 ? Math.max(1, rows) : (int) sc);
            }
            return null;
        }
    }
}
