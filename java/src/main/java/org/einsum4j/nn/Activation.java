package org.einsum4j.nn;

import org.einsum4j.tensor.Tensor;

/** A point-wise nonlinearity: ReLU, Tanh or GELU (PyTorch's {@code approximate='tanh'} form). */
public final class Activation extends Module {
    private final NnKernels.Activation kind;

    private Activation(NnKernels.Activation kind) {
        this.kind = kind;
    }

    public static Activation relu() {
        return new Activation(NnKernels.Activation.RELU);
    }

    public static Activation tanh() {
        return new Activation(NnKernels.Activation.TANH);
    }

    public static Activation gelu() {
        return new Activation(NnKernels.Activation.GELU);
    }

    @Override
    public int[] outputShape(int[] s) {
        return s.clone();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        release();
        if (training) {
            input = x;
        }
        return own(NnKernels.of(x).activation(kind, x));
    }

    @Override
    public Tensor backward(Tensor g, boolean parameterGradients) {
        checkTrained(toString());
        return own(NnKernels.of(g).activationBackward(kind, input, g));
    }

    @Override
    public String toString() {
        return kind == NnKernels.Activation.RELU ? "ReLU()" : kind == NnKernels.Activation.TANH ? "Tanh()" : "GELU()";
    }
}
