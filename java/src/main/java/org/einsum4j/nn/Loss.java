package org.einsum4j.nn;

import java.util.Arrays;
import org.einsum4j.Backend;
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

    /**
     * Softmax cross-entropy against INT64 class labels {@code [R]} for logits {@code [R, C]} (both on one device). The
     * labels are checked on their device before any work.
     */
    static Loss crossEntropy() {
        return (output, target) -> {
            if (output.rank() != 2 || target.rank() != 1 || target.dim(0) != output.dim(0)
                    || target.dtype() != DType.INT64) {
                throw new NnException("cross-entropy expects logits [R, C] and INT64 labels [R], got "
                        + output.dtype() + output.shape() + " and " + target.dtype() + target.shape());
            }
            sameDevice("cross-entropy", output, target);
            Tensor labels = target.contiguous();
            try {
                Backend.forDevice(labels.device()).samplerKernels().checkIndices(labels, output.dim(1),
                        "cross-entropy label");
                return new Result(NnKernels.of(output).softmaxCrossEntropy(output, labels));
            } finally {
                if (labels != target) {
                    labels.close();
                }
            }
        };
    }

    /** Mean squared error per row: {@code ℓ_r = mean_j (p_rj − t_rj)²}, targets of the outputs' shape. */
    static Loss meanSquaredError() {
        return (output, target) -> {
            if (output.rank() < 1 || !Arrays.equals(output.dims(), target.dims())) {
                throw new NnException("mean squared error expects outputs and targets of one shape [R, ...], got "
                        + output.shape() + " and " + target.shape());
            }
            sameDevice("mean squared error", output, target);
            return new Result(NnKernels.of(output).meanSquaredError(output, target));
        };
    }

    private static void sameDevice(String what, Tensor output, Tensor target) {
        if (!output.device().equals(target.device())) {
            throw new NnException(what + ": outputs on " + output.device() + " but targets on " + target.device());
        }
    }

    /**
     * Each row's loss (FLOAT64 {@code [R]}) and {@code dℓ_r/d output_r}, both on the outputs' device and owned by
     * the result ({@link #close()}). The losses reach the host only when asked ({@link #rowLosses()}), so a device
     * training step copies nothing to the host unless it reports its loss.
     */
    final class Result implements AutoCloseable {
        private final Tensor losses;
        private final Tensor gradient;
        private double[] host;

        Result(Tensor[] lossesAndGradient) {
            this.losses = lossesAndGradient[0];
            this.gradient = lossesAndGradient[1];
        }

        /** The per-row losses on the outputs' device. */
        public Tensor losses() {
            return losses;
        }

        /** {@code dℓ_r/d output_r}, of the outputs' shape. */
        public Tensor gradient() {
            return gradient;
        }

        /** The per-row losses on the host (one copy from a device, made on the first call). */
        public double[] rowLosses() {
            if (host == null) {
                host = losses.toDoubleArray();
            }
            return host.clone();
        }

        public double mean() {
            double[] v = rowLosses();
            double s = 0;
            for (double x : v) {
                s += x;
            }
            return v.length == 0 ? 0 : s / v.length;
        }

        /** The gradient of the mean loss {@code (1/R) Σ_r ℓ_r}: a new tensor the caller closes. */
        public Tensor meanGradient() {
            int rows = losses.dim(0);
            return NnKernels.of(gradient).scale(gradient, rows == 0 ? 0 : 1.0 / rows);
        }

        @Override
        public void close() {
            losses.close();
            gradient.close();
        }
    }
}
