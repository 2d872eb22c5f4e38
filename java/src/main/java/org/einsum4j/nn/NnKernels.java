package org.einsum4j.nn;

import org.einsum4j.Backend;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * The element-wise and gather work of the modules, losses and optimizers: everything that is not a linear map
 * (linear maps are {@code Einsum.contract} calls in the modules) and not already a grad-sampler kernel (im2col and
 * the embedding scatter are {@code Backend.samplerKernels()}). A backend supplies these for its device
 * ({@link Backend#nnKernels()}), exactly as it supplies the grad samplers' kernels, so a model whose parameters and
 * inputs live on a device runs there without a tensor crossing to the host.
 *
 * <p>Operands are on the backend's device (any strides unless a method says otherwise); every method returns new
 * contiguous tensors on that device, owned by the caller, of the operands' dtype unless a method says otherwise,
 * and leaves its inputs unchanged. Indices (labels, embedding rows) are checked by the caller before the call
 * ({@code SamplerKernels.checkIndices}); an implementation may assume they are in range.
 */
public interface NnKernels {

    /** The kernels of the backend of {@code t}'s device. */
    static NnKernels of(Tensor t) {
        return Backend.forDevice(t.device()).nnKernels();
    }

    /** Point-wise nonlinearities. GELU is PyTorch's {@code approximate='tanh'} form. */
    enum Activation { RELU, TANH, GELU }

    /** {@code f(x)} element-wise. */
    Tensor activation(Activation f, Tensor x);

    /** {@code gradOut ⊙ f'(x)}, same shapes. */
    Tensor activationBackward(Activation f, Tensor x, Tensor gradOut);

    /** {@code x + bias} with {@code bias} (length {@code x.dim(axis)}) broadcast along every other axis. */
    Tensor addAlongAxis(Tensor x, Tensor bias, int axis);

    /** {@code alpha·x}. */
    Tensor scale(Tensor x, double alpha);

    /** {@code a + alpha·b}, same shapes. */
    Tensor axpy(Tensor a, double alpha, Tensor b);

    /**
     * col2im, the adjoint of the grad samplers' 2-d im2col with one sample copy: {@code cols} contiguous
     * {@code [N, C·kh·kw, oh·ow]} (rows in a weight's {@code [O, C/G·kh·kw]} order, groups outermost) summed back
     * into {@code [N, C, H, W]}. Each argument array is {@code {height, width}}: input size, kernel, stride, left
     * (= right) zero padding, dilation. Conv1d uses it with height 1.
     */
    Tensor fold(Tensor cols, int n, int channels, int[] in, int[] kernel, int[] stride, int[] padding,
                int[] dilation);

    /**
     * Max pooling over windows of {@code x [N, C, H, W]} (no padding): {@code [0]} the pooled values, {@code [1]}
     * the INT64 flat input index of each window's first maximum (for the backward).
     */
    Tensor[] maxPool(Tensor x, int kh, int kw, int sh, int sw);

    /** Routes {@code gradOut} to the maxima {@link #maxPool} recorded: a new {@code inputDims} tensor. */
    Tensor maxPoolBackward(Tensor gradOut, Tensor argmax, int[] inputDims, int kh, int kw, int sh, int sw);

    /** Average pooling over windows of {@code x [N, C, H, W]} (no padding). */
    Tensor avgPool(Tensor x, int kh, int kw, int sh, int sw);

    /** Spreads {@code gradOut} evenly over each window: a new {@code inputDims} tensor. */
    Tensor avgPoolBackward(Tensor gradOut, int[] inputDims, int kh, int kw, int sh, int sw);

    /**
     * Normalizes consecutive groups of {@code groupSize} elements to mean 0, variance 1 (biased variance, {@code eps}
     * added, statistics in float64): {@code [0]} x̂ of {@code x}'s shape, {@code [1]} FLOAT64 {@code [2, groups]}:
     * each group's mean, then its reciprocal standard deviation. LayerNorm and GroupNorm are both this with
     * different group sizes.
     */
    Tensor[] normalize(Tensor x, int groupSize, double eps);

    /**
     * dL/dx from dL/dx̂: {@code rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂))} per group ({@code stats} from
     * {@link #normalize}).
     */
    Tensor normalizeBackward(Tensor gradXhat, Tensor xhat, Tensor stats, int groupSize);

    /**
     * A dropout mask of the given shape on this device: 0 with probability {@code p}, else {@code 1/(1−p)}. Element
     * i is decided by a counter-based hash of {@code (seed, i)} ({@link #dropoutUniform}), so every backend draws the
     * same mask for the same seed.
     */
    Tensor dropoutMask(DType dtype, int[] dims, double p, long seed);

    /** Rows of {@code weight [num, D]} picked by in-range INT64 {@code indices [...]}: {@code [..., D]}. */
    Tensor gatherRows(Tensor weight, Tensor indices);

    /**
     * Softmax cross-entropy per row of {@code logits [R, C]} against in-range INT64 class {@code labels [R]}:
     * {@code [0]} the FLOAT64 losses {@code [R]}, {@code [1]} their gradients {@code softmax − onehot}
     * {@code [R, C]}.
     */
    Tensor[] softmaxCrossEntropy(Tensor logits, Tensor labels);

    /** Mean squared error per row of {@code [R, …]}: {@code [0]} FLOAT64 losses {@code [R]}, {@code [1]} gradients
     * {@code 2(p − t)/D} of the prediction's shape. */
    Tensor[] meanSquaredError(Tensor prediction, Tensor target);

    /** The index of the first largest value of each row of {@code [R, C]}: INT64 {@code [R]}. */
    Tensor argmaxRows(Tensor logits);

    /** One Adam update of {@code param} with moments {@code m}, {@code v} (same shapes): {@code [param', m', v']}. */
    Tensor[] adam(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                  long step);

    /**
     * The uniform number in [0, 1) that decides dropout element {@code i} for {@code seed}: SplitMix64's finalizer
     * of {@code seed + (i + 1)·φ} (φ = 0x9E3779B97F4A7C15), top 53 bits. Counter-based, so a GPU thread computes
     * its element's value without a generator's state (native/nn_index.cuh has the same function).
     */
    static double dropoutUniform(long seed, long i) {
        long z = seed + (i + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53;
    }
}
