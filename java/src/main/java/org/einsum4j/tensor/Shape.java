package org.einsum4j.tensor;

import java.util.Arrays;
import org.einsum4j.Einsum4jException;

/** An immutable list of non-negative dimension sizes. The empty shape is a scalar. */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);
    private final int[] dims;

    private Shape(int[] dims) {
        this.dims = dims;
    }

    /** A shape of these sizes; negative sizes and element counts beyond {@code Long.MAX_VALUE} are rejected. */
    public static Shape of(int... dims) {
        if (dims.length == 0) {
            return SCALAR;
        }
        int[] copy = dims.clone();
        numel(copy); // validates
        return new Shape(copy);
    }

    public static Shape scalar() {
        return SCALAR;
    }

    /**
     * Parses {@code 64x128x256}, {@code 7}, or {@code scalar} (also {@code ()}), strictly: digits only, one
     * separator between sizes, each size at most {@link Integer#MAX_VALUE}.
     */
    public static Shape parse(String text) {
        if (text == null) {
            throw new Einsum4jException("shape text is null (expected e.g. 64x128x256 or scalar)");
        }
        String t = text.strip();
        if (t.equals("scalar") || t.equals("()")) {
            return SCALAR;
        }
        // strict: digits only between single separators; no sign, no empty dimension ("3x", "x", "+2x3", "")
        String[] parts = t.split("[xX,]", -1);
        int[] d = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (!p.matches("[0-9]+")) {
                String why = p.isEmpty() ? "is empty" : p.startsWith("-") ? "is negative: sizes cannot be negative"
                        : "is not a non-negative integer";
                throw new Einsum4jException("bad shape '" + text + "': dimension " + i + " ('" + p + "') " + why
                        + " (expected sizes joined by 'x', e.g. 64x128x256, or scalar)");
            }
            try {
                d[i] = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new Einsum4jException("bad shape '" + text + "': dimension " + i + " (" + p
                        + ") is larger than " + Integer.MAX_VALUE);
            }
        }
        return of(d);
    }

    /** Number of elements of a shape given as sizes; checks for negative sizes and overflow. */
    public static long numel(int[] dims) {
        if (dims == null) {
            throw new Einsum4jException("shape (dims) is null");
        }
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new Einsum4jException("negative size " + dims[i] + " at dimension " + i + " of shape "
                        + Arrays.toString(dims));
            }
            try {
                n = Math.multiplyExact(n, (long) dims[i]);
            } catch (ArithmeticException e) {
                throw new Einsum4jException("shape " + Arrays.toString(dims) + " has more than "
                        + Long.MAX_VALUE + " elements");
            }
        }
        return n;
    }

    public int rank() {
        return dims.length;
    }

    public int dim(int axis) {
        return dims[axis];
    }

    public int[] toArray() {
        return dims.clone();
    }

    public long numel() {
        return numel(dims);
    }

    /** Row-major (C order) strides in elements. */
    public long[] contiguousStrides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(dims[i], 1);
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape && Arrays.equals(dims, ((Shape) o).dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    /** numpy's tuple form: {@code (2, 3)}, {@code (5,)}, {@code ()}. */
    @Override
    public String toString() {
        if (dims.length == 1) {
            return "(" + dims[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(dims[i]);
        }
        return sb.append(')').toString();
    }

    /** The command line's form: {@code 2x3}, or {@code scalar}. */
    public String toCliString() {
        if (dims.length == 0) {
            return "scalar";
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append('x');
            }
            sb.append(dims[i]);
        }
        return sb.toString();
    }
}
