package org.einsum4j.path;

import java.util.Arrays;

/**
 * opt_einsum's BLAS classification of a contraction step ({@code can_blas}), reported in {@link PathInfo} under
 * the same names. The executors run every pairwise step as one strided-batched GEMM whatever the class; the class
 * is what opt_einsum would have called, kept so that reports compare line by line.
 */
public enum BlasClass {
    GEMM("GEMM"),
    DOT("DOT"),
    DOT_EINSUM("DOT/EINSUM"),
    OUTER_EINSUM("OUTER/EINSUM"),
    GEMV_EINSUM("GEMV/EINSUM"),
    TDOT("TDOT"),
    /** opt_einsum's {@code False}: not two operands, a repeated label, a label on a third operand, a label
     * summed on one side only, a batch label, or a broadcast summed dimension. */
    NONE("False");

    private final String label;

    BlasClass(String label) {
        this.label = label;
    }

    /** The name opt_einsum uses ({@code "GEMM"}, {@code "OUTER/EINSUM"}, …, {@code "False"}). */
    public String label() {
        return label;
    }

    /** As PathInfo's table prints it: opt_einsum formats {@code False} with {@code {:>14}}, which gives "0". */
    String tableLabel() {
        return this == NONE ? "0" : label;
    }

    /**
     * opt_einsum's can_blas.
     *
     * @param operands the step's operands' labels, in opt_einsum's order (positions popped right to left)
     * @param result   the result's labels (any order)
     * @param removed  the labels summed away in this step
     * @param shapes   the operands' dimensions (1 where broadcast), or null
     */
    public static BlasClass classify(int[][] operands, int[] result, int[] removed, int[][] shapes) {
        if (operands.length != 2) {
            return NONE;
        }
        int[] left = operands[0];
        int[] right = operands[1];
        int[] both = concat(left, right);
        for (int c : both) {
            int nl = count(left, c);
            int nr = count(right, c);
            if (nl > 1 || nr > 1 || nl + nr > 2) {
                return NONE;
            }
            if (nl + nr - 1 == (indexOf(result, c) >= 0 ? 1 : 0)) {
                return NONE;
            }
        }
        if (shapes != null) {
            for (int c : removed) {
                if (shapes[0][indexOf(left, c)] != shapes[1][indexOf(right, c)]) {
                    return NONE;
                }
            }
        }
        if (removed.length == 0) {
            return OUTER_EINSUM;
        }
        int rs = removed.length;
        if (Arrays.equals(left, right)) {
            return DOT;
        }
        if (sameSet(left, right)) {
            return DOT_EINSUM;
        }
        if (Arrays.equals(tail(left, rs), head(right, rs)) || Arrays.equals(head(left, rs), tail(right, rs))
                || Arrays.equals(tail(left, rs), tail(right, rs))
                || Arrays.equals(head(left, rs), head(right, rs))) {
            return GEMM;
        }
        if (allIn(left, removed) || allIn(right, removed)) {
            return GEMV_EINSUM;
        }
        return TDOT;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    private static int count(int[] a, int x) {
        int n = 0;
        for (int v : a) {
            if (v == x) {
                n++;
            }
        }
        return n;
    }

    private static int indexOf(int[] a, int x) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static boolean sameSet(int[] a, int[] b) {
        for (int x : a) {
            if (indexOf(b, x) < 0) {
                return false;
            }
        }
        for (int x : b) {
            if (indexOf(a, x) < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean allIn(int[] a, int[] set) {
        for (int x : a) {
            if (indexOf(set, x) < 0) {
                return false;
            }
        }
        return true;
    }

    /** Python's {@code s[-k:]}. */
    private static int[] tail(int[] a, int k) {
        return Arrays.copyOfRange(a, Math.max(0, a.length - k), a.length);
    }

    /** Python's {@code s[:k]}. */
    private static int[] head(int[] a, int k) {
        return Arrays.copyOfRange(a, 0, Math.min(k, a.length));
    }
}
