package org.einsum4j.nn;

import org.einsum4j.tensor.Tensor;

/** {@code torch.nn.MaxPool2d} / {@code AvgPool2d} over {@code [N, C, H, W]}, no padding. */
public final class Pool2d extends Module {
    private final boolean max;
    private final int kernel;
    private final int stride;
    private Tensor argmax;

    private Pool2d(boolean max, int kernel, int stride) {
        if (kernel < 1 || stride < 1) {
            throw new NnException((max ? "MaxPool2d" : "AvgPool2d") + " kernel and stride must be >= 1, got "
                    + kernel + ", " + stride);
        }
        this.max = max;
        this.kernel = kernel;
        this.stride = stride;
    }

    /** Max pooling with a square window; stride = kernel as PyTorch's default. */
    public static Pool2d max(int kernel) {
        return new Pool2d(true, kernel, kernel);
    }

    public static Pool2d max(int kernel, int stride) {
        return new Pool2d(true, kernel, stride);
    }

    public static Pool2d avg(int kernel) {
        return new Pool2d(false, kernel, kernel);
    }

    public static Pool2d avg(int kernel, int stride) {
        return new Pool2d(false, kernel, stride);
    }

    @Override
    public int[] outputShape(int[] s) {
        if (s.length != 4 || s[2] < kernel || s[3] < kernel) {
            throw shape(this, "[N, C, H, W] with H, W >= " + kernel, s);
        }
        return new int[] {s[0], s[1], (s[2] - kernel) / stride + 1, (s[3] - kernel) / stride + 1};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        release();
        outputShape(x.dims());
        NnKernels k = NnKernels.of(x);
        if (training) {
            input = x;
        }
        if (max) {
            Tensor[] r = k.maxPool(x, kernel, kernel, stride, stride);
            argmax = own(r[1]);
            return own(r[0]);
        }
        return own(k.avgPool(x, kernel, kernel, stride, stride));
    }

    @Override
    public Tensor backward(Tensor g, boolean parameterGradients) {
        checkTrained(toString());
        NnKernels k = NnKernels.of(g);
        return own(max ? k.maxPoolBackward(g, argmax, input.dims(), kernel, kernel, stride, stride)
                : k.avgPoolBackward(g, input.dims(), kernel, kernel, stride, stride));
    }

    @Override
    public String toString() {
        return (max ? "MaxPool2d" : "AvgPool2d") + "(kernel=" + kernel + ", stride=" + stride + ")";
    }
}
