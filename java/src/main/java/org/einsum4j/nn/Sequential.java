package org.einsum4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.Sequential}: modules applied in order. Parameters are named as PyTorch names them
 * ({@code 0.weight}). {@link #checkInput} walks the shapes through every module, so a model that does not accept an
 * input shape fails before any work with the module's index and what it expected.
 */
public final class Sequential {
    private final List<Module> modules;

    public Sequential(Module... modules) {
        if (modules.length == 0) {
            throw new NnException("Sequential needs at least one module");
        }
        this.modules = List.of(modules);
        for (int i = 0; i < modules.length; i++) {
            for (Parameter p : modules[i].parameters()) {
                p.prefix(Integer.toString(i));
            }
            if (i > 0 && modules[i] instanceof Embedding) {
                throw new NnException("Embedding must be the first module (its input has no gradient), found at " + i);
            }
        }
    }

    public List<Module> modules() {
        return modules;
    }

    /** Every parameter in PyTorch's order. */
    public List<Parameter> parameters() {
        List<Parameter> out = new ArrayList<>();
        for (Module m : modules) {
            out.addAll(m.parameters());
        }
        return out;
    }

    /**
     * Moves every parameter to {@code device} (a copy; the old tensors are closed, batch gradients dropped) and
     * releases what the last pass captured. Inputs must then be on that device too: the modules and losses run
     * there through its backend's kernels and never copy a tensor to the host.
     */
    public Sequential to(Device device) {
        release();
        for (Parameter p : parameters()) {
            p.moveTo(device);
        }
        return this;
    }

    /** The device of the parameters (the host for a model without any). */
    public Device device() {
        for (Parameter p : parameters()) {
            return p.value().device();
        }
        return Device.CPU;
    }

    /** The output shape for an input shape; throws an {@link NnException} naming the module that rejects it. */
    public int[] checkInput(int... inputShape) {
        int[] s = inputShape.clone();
        for (int i = 0; i < modules.size(); i++) {
            try {
                s = modules.get(i).outputShape(s);
            } catch (NnException e) {
                throw new NnException("module " + i + ": " + e.getMessage() + " (model input "
                        + Arrays.toString(inputShape) + ")");
            }
        }
        return s;
    }

    /**
     * The model's output for {@code x}. The result (and every intermediate) belongs to the modules and stays valid
     * until the next forward pass or {@link #release()}.
     */
    public Tensor forward(Tensor x, boolean training) {
        checkInput(x.dims());
        Tensor h = x;
        for (Module m : modules) {
            h = m.forward(h, training);
        }
        return h;
    }

    /** Backpropagates dL/d(output) of the last training pass; with {@code parameterGradients} fills
     * {@link Parameter#grad()}. */
    public void backward(Tensor gradOutput, boolean parameterGradients) {
        Tensor g = gradOutput;
        for (int i = modules.size() - 1; i >= 0 && g != null; i--) {
            g = modules.get(i).backward(g, parameterGradients);
        }
    }

    /** Closes every tensor the last pass made. */
    public void release() {
        for (Module m : modules) {
            m.release();
        }
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("Sequential(");
        for (int i = 0; i < modules.size(); i++) {
            b.append("\n  (").append(i).append("): ").append(modules.get(i));
        }
        return b.append("\n)").toString();
    }
}
