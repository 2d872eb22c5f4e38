package org.einsum4j.nn;

import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/**
 * A trainable tensor of a module: its name as PyTorch's {@code named_parameters()} gives it inside a
 * {@link Sequential} ({@code 0.weight}, {@code 3.bias}), its current value and, after a non-private backward pass,
 * the batch gradient. Optimizers replace the value with a new tensor each step (the old one is closed), so hold the
 * parameter, not its tensor.
 */
public final class Parameter {
    private final String shortName;
    private String name;
    private Tensor value;
    private Tensor grad;

    Parameter(String shortName, Tensor value) {
        this.shortName = shortName;
        this.name = shortName;
        this.value = value;
    }

    /** The full name, e.g. {@code 0.weight}. */
    public String name() {
        return name;
    }

    /** The name inside its module, as the grad samplers key it: {@code weight}, {@code bias}. */
    public String shortName() {
        return shortName;
    }

    public Tensor value() {
        return value;
    }

    public int[] dims() {
        return value.dims();
    }

    /** The gradient of the last backward pass run with parameter gradients, or null. */
    public Tensor grad() {
        return grad;
    }

    void prefix(String p) {
        name = p + "." + shortName;
    }

    void setValue(Tensor v) {
        if (v != value) {
            value.close();
            value = v;
        }
    }

    void moveTo(Device device) {
        if (!value.device().equals(device)) {
            setValue(value.to(device));
        }
        setGrad(null);
    }

    void setGrad(Tensor g) {
        if (grad != null && grad != g) {
            grad.close();
        }
        grad = g;
    }

    @Override
    public String toString() {
        return name + value.shape();
    }
}
