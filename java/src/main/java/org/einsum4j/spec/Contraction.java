package org.einsum4j.spec;

import java.util.Arrays;

/**
 * A spec bound to operand shapes: every operand dimension carries an integer label id (ellipsis dimensions
 * included), with one size per label. This is what the planner, the oracle and the executors work on.
 *
 * <ul>
 *   <li>{@code input(i)[d]} is the label of operand i's dimension d; a label repeated within one operand is a
 *       diagonal.</li>
 *   <li>{@code output()} lists the result's labels in order (never repeated).</li>
 *   <li>{@code size(label)} is the label's full size; an operand dimension of size 1 where the label is larger
 *       is broadcast ({@code shape(i)[d] == 1 < size(label)}).</li>
 *   <li>{@code symbol(label)} is a one-character name for printing (letters as written; ellipsis and integer
 *       labels get unused symbols as opt_einsum's get_symbol does).</li>
 * </ul>
 * Immutable; arrays are copied on the way in and out.
 */
public final class Contraction {
    private final int[][] inputs;
    private final int[] output;
    private final long[] sizes;
    private final int[][] shapes;
    private final String[] symbols;

    public Contraction(int[][] inputs, int[] output, long[] sizes, int[][] shapes, String[] symbols) {
        this.inputs = deepCopy(inputs);
        this.output = output.clone();
        this.sizes = sizes.clone();
        this.shapes = deepCopy(shapes);
        this.symbols = symbols.clone();
        if (inputs.length != shapes.length) {
            throw new IllegalArgumentException("inputs and shapes differ in length");
        }
        if (symbols.length != sizes.length) {
            throw new IllegalArgumentException("symbols and sizes differ in length");
        }
    }

    private static int[][] deepCopy(int[][] a) {
        int[][] c = new int[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    public int numInputs() {
        return inputs.length;
    }

    /** Number of distinct labels; label ids are 0 … numLabels()-1. */
    public int numLabels() {
        return sizes.length;
    }

    public int[] input(int operand) {
        return inputs[operand].clone();
    }

    public int[][] inputs() {
        return deepCopy(inputs);
    }

    public int[] output() {
        return output.clone();
    }

    public long size(int label) {
        return sizes[label];
    }

    public long[] sizes() {
        return sizes.clone();
    }

    /** The operand's actual dimensions (1 where it broadcasts). */
    public int[] shape(int operand) {
        return shapes[operand].clone();
    }

    public int[][] shapes() {
        return deepCopy(shapes);
    }

    public String symbol(int label) {
        return symbols[label];
    }

    /** The labels of {@code labels} as symbols, concatenated. */
    public String term(int[] labels) {
        StringBuilder sb = new StringBuilder();
        for (int l : labels) {
            sb.append(symbols[l]);
        }
        return sb.toString();
    }

    /** The explicit form with symbols, e.g. {@code ab,bc->ac} (what PathInfo prints as the contraction). */
    public String toSpecString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < inputs.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(term(inputs[i]));
        }
        return sb.append("->").append(term(output)).toString();
    }

    @Override
    public String toString() {
        return "Contraction[" + toSpecString() + ", sizes=" + Arrays.toString(sizes) + "]";
    }
}
