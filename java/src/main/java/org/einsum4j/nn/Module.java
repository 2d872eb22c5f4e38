package org.einsum4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * A layer of a {@link Sequential}: forward and backward, its parameters, and — for layers with parameters — the
 * grad-sampler record ({@link #layer()}) plus the activations and backprops captured in the last pass, which
 * {@link GradSampleModule} hands to the grad samplers or the ghost norms.
 *
 * <p>Ownership: tensors a module returns (outputs, input gradients) belong to the module and stay valid until its
 * next forward pass or {@link Sequential#release()}; a module never closes the tensors it is given.
 *
 * <p><b>Writing your own module.</b> Extend this class: in {@link #forward} call {@link #release()} first, compute
 * with {@code Einsum.contract} and {@code NnKernels.of(x)} (so the module runs on any device), hand every tensor
 * you make to {@link #own} and, in training, keep the input with {@link #saveInput}; in {@link #backward} call
 * {@link #saveGradOutput} and, when asked, {@link #setGradient} for each parameter (made with
 * {@link #parameter}). For DP training, return a {@link org.einsum4j.gradsample.CustomLayer} from {@link #layer()}
 * and register its per-sample gradients ({@code GradSamplerRegistry.global().register}) and, for ghost clipping,
 * its norms ({@code GhostNormRegistry.global().register}): the samplers get the saved input as activations and the
 * saved output gradient as backprops.
 */
public abstract class Module {
    private final List<Tensor> owned = new ArrayList<>();
    Tensor input;
    Tensor gradOut;

    protected Module() {
    }

    /** The output of {@code x}; in training mode the module keeps what its backward and the samplers need. */
    public abstract Tensor forward(Tensor x, boolean training);

    /**
     * The gradient with respect to the input of the last forward pass (null for an Embedding, whose input is
     * indices); with {@code parameterGradients} also each parameter's batch gradient ({@link Parameter#grad()}).
     */
    public abstract Tensor backward(Tensor gradOutput, boolean parameterGradients);

    /** The output shape for an input shape, or an {@link NnException} naming what the module expects. */
    public abstract int[] outputShape(int[] inputShape);

    /** This module's parameters, in PyTorch's order. */
    public List<Parameter> parameters() {
        return List.of();
    }

    /** The grad samplers' description of this layer; empty for layers without parameters. */
    public Optional<Layer> layer() {
        return Optional.empty();
    }

    /** The input of the last training forward pass (the grad samplers' activations). */
    Tensor capturedInput() {
        return input;
    }

    /** dL/d(output) of the last backward pass (the grad samplers' backprops). */
    Tensor capturedGradOut() {
        return gradOut;
    }

    /** Makes {@code t} the module's: closed at the next forward pass or release. Returns {@code t}. */
    protected final Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    /** Keeps the input of a training forward pass: the grad samplers' activations (not closed by the module). */
    protected final void saveInput(Tensor x) {
        input = x;
    }

    /** The input kept by {@link #saveInput}, or null. */
    protected final Tensor savedInput() {
        return input;
    }

    /** Keeps dL/d(output) of a backward pass: the grad samplers' backprops (not closed by the module). */
    protected final void saveGradOutput(Tensor g) {
        gradOut = g;
    }

    /** A new parameter of this module holding {@code value} (the parameter owns it). */
    protected static Parameter parameter(String name, Tensor value) {
        return new Parameter(name, value);
    }

    /** Sets a parameter's batch gradient (the parameter owns {@code grad}; the previous one is closed). */
    protected static void setGradient(Parameter p, Tensor grad) {
        p.setGrad(grad);
    }

    /** Closes what the last pass made and forgets what it captured. An override must call this. */
    protected void release() {
        for (Tensor t : owned) {
            t.close();
        }
        owned.clear();
        input = null;
        gradOut = null;
    }

    /** Throws when {@link #backward} comes without a training forward pass ({@link #saveInput} not called). */
    protected final void checkTrained(String what) {
        if (input == null) {
            throw new NnException(this + ": backward without a training forward pass (" + what + ")");
        }
    }

    static NnException shape(Module m, String expected, int[] got) {
        return new NnException(m + " expects input " + expected + ", got " + Arrays.toString(got));
    }

    /** PyTorch's default init for Linear and Conv: uniform in ±1/sqrt(fan_in). */
    static Tensor uniform(DType dtype, SplittableRandom r, double bound, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextDouble() * 2 - 1) * bound;
        }
        return host(v, dtype, dims);
    }

    /** A new host tensor of {@code dtype} holding {@code v}: parameters start on the host ({@link Sequential#to}). */
    static Tensor host(double[] v, DType dtype, int... dims) {
        try (Tensor t = Tensor.of(v, dims)) {
            return dtype == DType.FLOAT64 ? t.copy() : t.to(dtype);
        }
    }

    /**
     * Refuses a module's operand on another device than its parameters before any work: the kernels would
     * otherwise meet tensors of two devices.
     */
    void sameDevice(Tensor x, Parameter p) {
        if (!x.device().equals(p.value().device())) {
            throw new NnException(this + ": input on " + x.device() + " but parameter " + p.name() + " on "
                    + p.value().device() + " (move the model with Sequential.to(device))");
        }
    }

    static Tensor constant(DType dtype, double c, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        double[] v = new double[n];
        Arrays.fill(v, c);
        return host(v, dtype, dims);
    }

    /** {@code [weight]} or {@code [weight, bias]}: PyTorch's order. */
    static List<Parameter> weightAndBias(Parameter weight, Parameter bias) {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    static int prod(int[] d, int from, int to) {
        int p = 1;
        for (int i = from; i < to; i++) {
            p *= d[i];
        }
        return p;
    }
}
