package org.einsum4j.nn;

import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * The element-wise and gather/scatter work of the modules, losses and optimizers: everything that is not a linear
 * map (linear maps are {@code Einsum.contract} calls in the modules themselves). One small interface so that a
 * device backend can supply its own implementation; {@link CpuNnKernels} is the host one. A CUDA backend must
 * provide its own kernels for every method here: the CPU implementation reads and writes host tensors through the
 * public copy API and would silently move device tensors to the host.
 *
 * <p>Every method returns a new tensor owned by the caller, of the input's dtype, and leaves its inputs unchanged.
 */
interface NnKernels {

    /**
     * The kernels for tensors on {@code t}'s device: the host ones for host tensors; other devices have none yet,
     * and this says so instead of copying their tensors to the host behind the caller's back.
     */
    static NnKernels of(Tensor t) {
        if (!t.device().isHost()) {
            throw new NnException("nn modules have element-wise kernels for host tensors only, got a tensor on "
                    + t.device() + " (a device backend must supply its own NnKernels)");
        }
        return CpuNnKernels.INSTANCE;
    }

    /** Point-wise nonlinearities. GELU is PyTorch's {@code approximate='tanh'} form. */
    enum Activation { RELU, TANH, GELU }

    /** {@code f(x)} element-wise. */
    Tensor activation(Activation f, Tensor x);

    /** {@code gradOut ⊙ f'(x)}. */
    Tensor activationBackward(Activation f, Tensor x, Tensor gradOut);

    /** {@code x + bias} with {@code bias} (length {@code x.dim(axis)}) broadcast along every other axis. */
    Tensor addAlongAxis(Tensor x, Tensor bias, int axis);

    /** {@code alpha·x}. */
    Tensor scale(Tensor x, double alpha);

    /** {@code a + alpha·b}, same shapes. */
    Tensor axpy(Tensor a, double alpha, Tensor b);

    /**
     * im2col for a 2-d convolution: {@code x [N, C, H, W]} → {@code [N, C·kh·kw, oh·ow]} in the row order of a
     * weight viewed {@code [O, C·kh·kw]}; zero padding. Conv1d uses it with {@code H = 1}.
     */
    Tensor unfold(Tensor x, ConvGeometry g);

    /** The adjoint of {@link #unfold}: {@code cols [N, C·kh·kw, oh·ow]} summed back into {@code [N, C, H, W]}. */
    Tensor fold(Tensor cols, ConvGeometry g, int n);

    /** Max pooling over windows of {@code x [N, C, H, W]}: {@code [0]} the pooled values, {@code [1]} the INT64 flat
     * input index of each maximum (for the backward). */
    Tensor[] maxPool(Tensor x, int kh, int kw, int sh, int sw);

    /** Routes {@code gradOut} to the maxima recorded by {@link #maxPool}. */
    Tensor maxPoolBackward(Tensor gradOut, Tensor argmax, int[] inputDims);

    /** Average pooling over windows of {@code x [N, C, H, W]}. */
    Tensor avgPool(Tensor x, int kh, int kw, int sh, int sw);

    /** Spreads {@code gradOut} evenly over each window. */
    Tensor avgPoolBackward(Tensor gradOut, int[] inputDims, int kh, int kw, int sh, int sw);

    /**
     * Normalizes consecutive groups of {@code groupSize} elements to mean 0, variance 1 (biased variance, {@code eps}
     * added): {@code [0]} x̂ of {@code x}'s shape, {@code [1]} the FLOAT64 reciprocal standard deviations, one per
     * group. LayerNorm and GroupNorm are both this with different group sizes.
     */
    Tensor[] normalize(Tensor x, int groupSize, double eps);

    /** dL/dx from dL/dx̂: {@code rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂))} per group. */
    Tensor normalizeBackward(Tensor gradXhat, Tensor xhat, Tensor rstd, int groupSize);

    /** A dropout mask of the given shape: 0 with probability {@code p}, else {@code 1/(1−p)}. */
    Tensor dropoutMask(DType dtype, int[] dims, double p, long seed);

    /** Rows of {@code weight [num, D]} picked by INT64 {@code indices [...]}: {@code [..., D]}. */
    Tensor gatherRows(Tensor weight, Tensor indices);

    /** The adjoint of {@link #gatherRows}: {@code grad [..., D]} summed into {@code [num, D]}. */
    Tensor scatterAddRows(Tensor grad, Tensor indices, int num);

    /**
     * Softmax cross-entropy per row of {@code logits [R, C]} against INT64 class {@code labels [R]}: {@code [0]}
     * the FLOAT64 losses {@code [R]}, {@code [1]} their gradients {@code softmax − onehot} {@code [R, C]}.
     */
    Tensor[] softmaxCrossEntropy(Tensor logits, Tensor labels);

    /** Mean squared error per row of {@code [R, D]}: {@code [0]} FLOAT64 losses {@code [R]}, {@code [1]} gradients
     * {@code 2(p − t)/D}. */
    Tensor[] meanSquaredError(Tensor prediction, Tensor target);

    /** The index of the largest value of each row of {@code [R, C]}. */
    long[] argmaxRows(Tensor logits);

    /** Samples of {@code N(0, std²)}, one per element, from {@code random}. */
    Tensor gaussian(DType dtype, int[] dims, double std, java.util.Random random);

    /** One Adam update of {@code param} in the moment tensors {@code m}, {@code v}: returns
     * {@code [param', m', v']}. */
    Tensor[] adam(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2, double eps,
                  long step);
}
