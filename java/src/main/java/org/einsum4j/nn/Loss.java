package org.einsum4j.nn;

import java.util.Arrays;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * A per-row loss: for outputs {@code [R, …]} it gives each row's loss and the gradient of each row's own loss
 * ({@code dℓ_r/d output_r}), not of their mean. DP training wants exactly that (each row's contribution, averaged
 * over a sample's K copies by the grad samplers, then clipped); a non-private mean loss scales it by 1/R.
 */
public interface Loss {

    /** Each row's loss and its gradient; the caller closes the result. */
    Result evaluate(Tensor output, Tensor target);

    /** Softmax cross-entropy against INT64 class labels {@code [R]} for logits {@code [R, C]}. */
    static Loss crossEntropy() {
        return (output, target) -> {
            if (output.rank() != 2 || target.rank() != 1 || target.dim(0) != output.dim(0)
                    || target.dtype() != DType.INT64) {
                throw new NnException("cross-entropy expects logits [R, C] and INT64 labels [R], got "
                        + output.dtype() + output.shape() + " and " + target.dtype() + target.shape());
            }
            long[] y = target.toLongArray();
            for (int i = 0; i < y.length; i++) {
                if (y[i] < 0 || y[i] >= output.dim(1)) {
                    throw new NnException("cross-entropy label " + y[i] + " at row " + i + " out of range [0, "
                            + output.dim(1) + ")");
                }
            }
            Tensor[] r = NnKernels.of(output).softmaxCrossEntropy(output, target);
            return new Result(lossesOf(r[0]), r[1]);
        };
    }

    /** Mean squared error per row: {@code ℓ_r = mean_j (p_rj − t_rj)²}, targets of the outputs' shape. */
    static Loss meanSquaredError() {
        return (output, target) -> {
            if (output.rank() < 1 || !Arrays.equals(output.dims(), target.dims())) {
                throw new NnException("mean squared error expects outputs and targets of one shape [R, ...], got "
                        + output.shape() + " and " + target.shape());
            }
            Tensor[] r = NnKernels.of(output).meanSquaredError(output, target);
            return new Result(lossesOf(r[0]), r[1]);
        };
    }

    private static double[] lossesOf(Tensor t) {
        try (t) {
            return t.toDoubleArray();
        }
    }

    /** Each row's loss and {@code dℓ_r/d output_r} (owned; closed by {@link #close()}). */
    record Result(double[] rowLosses, Tensor gradient) implements AutoCloseable {
        public double mean() {
            double s = 0;
            for (double v : rowLosses) {
                s += v;
            }
            return rowLosses.length == 0 ? 0 : s / rowLosses.length;
        }

        /** The gradient of the mean loss {@code (1/R) Σ_r ℓ_r}: a new tensor the caller closes. */
        public Tensor meanGradient() {
            return NnKernels.of(gradient).scale(gradient, rowLosses.length == 0 ? 0 : 1.0 / rowLosses.length);
        }

        @Override
        public void close() {
            gradient.close();
        }
    }
}
