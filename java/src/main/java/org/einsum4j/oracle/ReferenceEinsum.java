package org.einsum4j.oracle;

import java.util.Arrays;
import org.einsum4j.Einsum4jException;
import org.einsum4j.InvalidOperandException;
import org.einsum4j.spec.Contraction;
import org.einsum4j.spec.EinsumSpec;
import org.einsum4j.spec.OperandCountException;
import org.einsum4j.spec.ShapeMismatchException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Shape;
import org.einsum4j.tensor.Tensor;

/**
 * The reference oracle: a plain float64 loop nest over every label of a contraction. Slow and obviously correct;
 * every test compares against it.
 *
 * <p>One odometer runs over all labels (output labels most significant, then the summed ones); for each assignment
 * the product of the operands' elements is added to the output element. An operand dimension of size 1 reads
 * index 0 whatever the label's index (broadcasting); a label repeated in one operand reads the diagonal. Cost:
 * the product of all label sizes times the number of operands — keep it for small tests.
 */
public final class ReferenceEinsum {
    private ReferenceEinsum() {
    }

    /** Evaluates {@code spec} on the operands in float64; returns a new FLOAT64 tensor owned by the caller. */
    public static Tensor evaluate(String spec, Tensor... operands) {
        EinsumSpec s = EinsumSpec.parse(spec);
        checkOperands(s.numOperands(), operands);
        int[][] shapes = new int[operands.length][];
        for (int k = 0; k < operands.length; k++) {
            shapes[k] = operands[k].dims();
        }
        return evaluate(s.bind(shapes), operands);
    }

    /** Evaluates a bound contraction on the operands in float64. */
    public static Tensor evaluate(Contraction c, Tensor... operands) {
        checkOperands(c.numInputs(), operands);
        int numOps = operands.length;
        for (int k = 0; k < numOps; k++) {
            if (!Arrays.equals(operands[k].dims(), c.shape(k))) {
                throw new ShapeMismatchException("operand " + k + " has shape " + operands[k].shape()
                        + " but the contraction " + c.toSpecString() + " was bound to shape " + Shape.of(c.shape(k)));
            }
        }
        int numLabels = c.numLabels();
        int[] out = c.output();
        int[] outDims = new int[out.length];
        for (int j = 0; j < out.length; j++) {
            outDims[j] = (int) c.size(out[j]);
        }

        // Loop order: output labels first (most significant), then the others.
        int[] order = new int[numLabels];
        boolean[] isOut = new boolean[numLabels];
        int p = 0;
        for (int l : out) {
            order[p++] = l;
            isOut[l] = true;
        }
        for (int l = 0; l < numLabels; l++) {
            if (!isOut[l]) {
                order[p++] = l;
            }
        }
        long total = 1;
        int[] size = new int[numLabels];
        for (int l = 0; l < numLabels; l++) {
            size[l] = (int) c.size(l);
        }
        for (int l = 0; l < numLabels; l++) {
            if (size[l] == 0) {
                total = 0;
                break;
            }
            try {
                total = Math.multiplyExact(total, (long) size[l]);
            } catch (ArithmeticException e) {
                throw new Einsum4jException("the oracle's loop nest for " + c.toSpecString() + " with sizes "
                        + Arrays.toString(c.sizes()) + " has more than 2^63 iterations");
            }
        }

        double[] result = new double[Math.toIntExact(Shape.numel(outDims))];
        if (total == 0) {
            return Tensor.of(result, outDims);
        }

        // Per operand, the element step of each label in a row-major copy; a broadcast (size-1) dim steps by 0,
        // and a repeated label steps along all its dims at once (the diagonal).
        double[][] data = new double[numOps][];
        long[][] step = new long[numOps][numLabels];
        for (int k = 0; k < numOps; k++) {
            data[k] = operands[k].toDoubleArray();
            int[] dims = c.shape(k);
            int[] labels = c.input(k);
            long[] strides = Shape.of(dims).contiguousStrides();
            for (int d = 0; d < dims.length; d++) {
                if (dims[d] != 1) {
                    step[k][labels[d]] += strides[d];
                }
            }
        }
        long[] outStep = new long[numLabels];
        long[] outStrides = Shape.of(outDims).contiguousStrides();
        for (int j = 0; j < out.length; j++) {
            outStep[out[j]] = outStrides[j];
        }

        int[] idx = new int[numLabels];
        long[] offset = new long[numOps];
        long outOffset = 0;
        for (long it = 0; it < total; it++) {
            double prod = 1;
            for (int k = 0; k < numOps; k++) {
                prod *= data[k][(int) offset[k]];
            }
            result[(int) outOffset] += prod;
            // advance the odometer: the last label in loop order turns fastest
            for (int q = numLabels - 1; q >= 0; q--) {
                int l = order[q];
                if (++idx[l] < size[l]) {
                    for (int k = 0; k < numOps; k++) {
                        offset[k] += step[k][l];
                    }
                    outOffset += outStep[l];
                    break;
                }
                idx[l] = 0;
                for (int k = 0; k < numOps; k++) {
                    offset[k] -= (long) (size[l] - 1) * step[k][l];
                }
                outOffset -= (long) (size[l] - 1) * outStep[l];
            }
        }
        return Tensor.of(result, outDims);
    }

    private static void checkOperands(int expected, Tensor[] operands) {
        if (operands == null) {
            throw new InvalidOperandException("operands array is null");
        }
        if (operands.length != expected) {
            throw new OperandCountException("the spec has " + expected + " input term" + (expected == 1 ? "" : "s")
                    + " but " + operands.length + " operand" + (operands.length == 1 ? " was" : "s were") + " given");
        }
        for (int k = 0; k < operands.length; k++) {
            Tensor t = operands[k];
            if (t == null) {
                throw new InvalidOperandException("operand " + k + " is null");
            }
            if (t.isClosed()) {
                throw new InvalidOperandException("operand " + k + " (" + t + ") is closed");
            }
            if (!t.dtype().isFloating()) {
                throw new InvalidOperandException("operand " + k + " has dtype " + t.dtype()
                        + "; einsum takes floating operands (FLOAT32, FLOAT64, FLOAT16, BFLOAT16)");
            }
        }
    }
}
