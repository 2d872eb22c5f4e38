package org.einsum4j.nn;

import org.einsum4j.tensor.Tensor;

/** {@code torch.nn.Flatten()}: {@code [N, d1, d2, …]} → {@code [N, d1·d2·…]}, a view where strides allow. */
public final class Flatten extends Module {
    private int[] inputDims;

    @Override
    public int[] outputShape(int[] s) {
        if (s.length < 1) {
            throw shape(this, "[N, ...]", s);
        }
        return new int[] {s[0], prod(s, 1, s.length)};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        release();
        inputDims = x.dims();
        if (training) {
            input = x;
        }
        Tensor c = x.contiguous();
        if (c != x) {
            own(c);
        }
        return c.view(outputShape(inputDims));
    }

    @Override
    public Tensor backward(Tensor g, boolean parameterGradients) {
        checkTrained("Flatten");
        Tensor c = g.contiguous();
        if (c != g) {
            own(c);
        }
        return c.view(inputDims);
    }

    @Override
    public String toString() {
        return "Flatten()";
    }
}
