package org.einsum4j.nn;

import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.einsum4j.Einsum;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.Linear}: {@code y = x Wᵀ + b} over the last axis of {@code [N, …, in]}. Forward and both
 * gradients are one contraction each ({@code …i,oi->…o}, {@code …o,oi->…i}, {@code …o,…i->oi}).
 */
public final class Linear extends Module {
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;

    /** Weights and bias uniform in ±1/sqrt(in) from {@code seed}, as PyTorch initializes them. */
    public Linear(int in, int out, boolean bias, DType dtype, long seed) {
        if (in < 1 || out < 1) {
            throw new NnException("Linear sizes must be >= 1, got in=" + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        SplittableRandom r = new SplittableRandom(seed);
        double bound = 1 / Math.sqrt(in);
        this.weight = new Parameter("weight", uniform(dtype, r, bound, out, in));
        this.bias = bias ? new Parameter("bias", uniform(dtype, r, bound, out)) : null;
    }

    public Linear(int in, int out, long seed) {
        this(in, out, true, DType.FLOAT32, seed);
    }

    @Override
    public int[] outputShape(int[] s) {
        if (s.length < 2 || s[s.length - 1] != in) {
            throw shape(this, "[N, ..., " + in + "]", s);
        }
        int[] o = s.clone();
        o[s.length - 1] = out;
        return o;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        release();
        outputShape(x.dims());
        sameDevice(x, weight);
        Tensor y = own(Einsum.contract("...i,oi->...o", x, weight.value()));
        if (bias != null) {
            y = own(NnKernels.of(x).addAlongAxis(y, bias.value(), y.rank() - 1));
        }
        if (training) {
            input = x;
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor g, boolean parameterGradients) {
        checkTrained("Linear");
        gradOut = g;
        if (parameterGradients) {
            weight.setGrad(Einsum.contract("...o,...i->oi", g, input));
            if (bias != null) {
                bias.setGrad(Einsum.contract("...o->o", g));
            }
        }
        return own(Einsum.contract("...o,oi->...i", g, weight.value()));
    }

    @Override
    public List<Parameter> parameters() {
        return weightAndBias(weight, bias);
    }

    @Override
    public Optional<Layer> layer() {
        return Optional.of(new LinearLayer(in, out, bias != null));
    }

    @Override
    public String toString() {
        return "Linear(in=" + in + ", out=" + out + ", bias=" + (bias != null) + ")";
    }
}
