package org.einsum4j.path;

import java.math.BigInteger;

/**
 * opt_einsum's cost model (ALGORITHMS.md §1), in two arithmetics: saturating {@code long} for the searches
 * (a saturated value reads as "too expensive", {@link Long#MAX_VALUE}) and exact {@link BigInteger} for what
 * {@link PathInfo} reports.
 *
 * <p>{@code flop_count(labels, inner, nTerms) = Π size(l) × (max(1, nTerms − 1) + (inner ? 1 : 0))}.
 */
public final class Costs {
    private Costs() {
    }

    /** a·b for non-negative values, saturating at {@link Long#MAX_VALUE}. */
    static long mul(long a, long b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        if (hi != 0 || lo < 0) {
            return Long.MAX_VALUE;
        }
        return lo;
    }

    /** a+b for non-negative values, saturating at {@link Long#MAX_VALUE}. */
    static long add(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    /** The op factor of flop_count. */
    static int opFactor(boolean inner, int numTerms) {
        return Math.max(1, numTerms - 1) + (inner ? 1 : 0);
    }

    /** Number of elements of a tensor with these labels (duplicates counted once per occurrence, as
     * opt_einsum's compute_size_by_dict on a string does). Exact. */
    public static BigInteger sizeOf(int[] labels, long[] sizes) {
        BigInteger r = BigInteger.ONE;
        for (int l : labels) {
            r = r.multiply(BigInteger.valueOf(sizes[l]));
        }
        return r;
    }

    /** opt_einsum's flop_count over distinct labels {@code labels}; exact. */
    public static BigInteger flopCount(int[] labels, boolean inner, int numTerms, long[] sizes) {
        return sizeOf(labels, sizes).multiply(BigInteger.valueOf(opFactor(inner, numTerms)));
    }

    /** Saturating size of a single-word label mask. */
    static long sizeOfMask(long mask, long[] sizes) {
        long r = 1;
        while (mask != 0) {
            int l = Long.numberOfTrailingZeros(mask);
            mask &= mask - 1;
            r = mul(r, sizes[l]);
        }
        return r;
    }
}
