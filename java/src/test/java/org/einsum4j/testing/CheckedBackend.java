package org.einsum4j.testing;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.einsum4j.Backend;
import org.einsum4j.Einsum4jException;
import org.einsum4j.gradsample.SamplerKernels;
import org.einsum4j.gradsample.SparseEmbeddingGrad;
import org.einsum4j.nn.NnKernels;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/**
 * A test-only device whose memory is host memory behind {@link CheckedStorage}: its kernels unwrap their
 * operands and run the CPU backend's, while every other host access to its tensors throws. Running the
 * contraction and grad-sampler tests on it proves that the executor and the samplers do all their work through
 * the {@link Backend} interface (what a CUDA backend needs) and never read device memory behind its back.
 * Copies between the host and this device are counted ({@link #hostCopies()}), so a test can assert that a
 * call made none.
 */
public final class CheckedBackend implements Backend {
    /** The device type this backend registers. */
    public static final String TYPE = "checked";

    private static final AtomicLong HOST_COPIES = new AtomicLong();
    private static final AtomicLong TO_HOST_ELEMENTS = new AtomicLong();
    private static final AtomicLong LARGEST_TO_HOST = new AtomicLong();

    private final Device device;
    private final Backend cpu = Backend.cpu();
    private final SamplerKernels kernels = new Kernels();
    private final NnKernels nn = new Nn();

    CheckedBackend(Device device) {
        this.device = device;
    }

    /** Copies between the host and a checked device so far (either direction), over all checked devices. */
    public static long hostCopies() {
        return HOST_COPIES.get();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String name() {
        return TYPE;
    }

    /** Elements copied from a checked device to the host so far, over all checked devices. */
    public static long toHostElements() {
        return TO_HOST_ELEMENTS.get();
    }

    /**
     * The most elements one copy from a checked device to the host has moved since the last call (which resets
     * it): a test's bound on what a call reads back.
     */
    public static long largestToHostSinceLastCall() {
        return LARGEST_TO_HOST.getAndSet(0);
    }

    /** A host view of a checked tensor's memory (same dims, strides and offset). Only for this backend. */
    private Tensor unwrap(Tensor t) {
        if (!t.device().equals(device)) {
            throw new Einsum4jException("checked backend on " + device + " got a tensor on " + t.device() + ": "
                    + t);
        }
        Tensor host = ((CheckedStorage) t.deviceStorage()).host();
        return host.asStrided(t.dims(), t.strides(), t.offset());
    }

    /** Adopts a new contiguous host tensor (a CPU kernel's result) as this device's memory, without a copy. */
    private Tensor adopt(Tensor host) {
        try {
            return Tensor.onDevice(new CheckedStorage(device, host), host.dtype(), host.dims());
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
    }

    @Override
    public Tensor empty(DType dtype, int... dims) {
        return adopt(cpu.empty(dtype, dims));
    }

    @Override
    public Tensor zeros(DType dtype, int... dims) {
        return adopt(cpu.zeros(dtype, dims));
    }

    @Override
    public void fill(Tensor out, double value) {
        cpu.fill(unwrap(out), value);
    }

    @Override
    public void scale(Tensor t, double alpha) {
        cpu.scale(unwrap(t), alpha);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        boolean fromHost = src.device().isHost();
        boolean toHost = dst.device().isHost();
        if (fromHost || toHost) {
            HOST_COPIES.incrementAndGet();
        }
        if (toHost && !fromHost) {
            TO_HOST_ELEMENTS.addAndGet(src.numel());
            LARGEST_TO_HOST.accumulateAndGet(src.numel(), Math::max);
        }
        cpu.copy(fromHost ? src : unwrap(src), toHost ? dst : unwrap(dst));
    }

    @Override
    public void gemm(Tensor a, Tensor b, Tensor c, double beta) {
        cpu.gemm(unwrap(a), unwrap(b), unwrap(c), beta);
    }

    @Override
    public void sum(Tensor t, boolean[] reduce, Tensor out) {
        cpu.sum(unwrap(t), reduce, unwrap(out));
    }

    @Override
    public void multiply(Tensor a, Tensor b, boolean[] reduce, Tensor out) {
        cpu.multiply(unwrap(a), unwrap(b), reduce, unwrap(out));
    }

    @Override
    public long availableBytes() {
        return cpu.availableBytes();
    }

    @Override
    public int minSplitDepth() {
        return cpu.minSplitDepth();
    }

    @Override
    public SamplerKernels samplerKernels() {
        return kernels;
    }

    @Override
    public NnKernels nnKernels() {
        return nn;
    }

    private Tensor[] adopt(Tensor[] hosts) {
        Tensor[] out = new Tensor[hosts.length];
        try {
            for (int i = 0; i < hosts.length; i++) {
                out[i] = adopt(hosts[i]);
            }
            return out;
        } catch (RuntimeException e) {
            for (int i = 0; i < hosts.length; i++) {
                (out[i] != null ? out[i] : hosts[i]).close();
            }
            throw e;
        }
    }

    /** The CPU nn kernels on unwrapped operands; their new results adopted as checked memory. */
    private final class Nn implements NnKernels {
        private final NnKernels k = cpu.nnKernels();

        @Override
        public Tensor activation(Activation f, Tensor x) {
            return adopt(k.activation(f, unwrap(x)));
        }

        @Override
        public Tensor activationBackward(Activation f, Tensor x, Tensor gradOut) {
            return adopt(k.activationBackward(f, unwrap(x), unwrap(gradOut)));
        }

        @Override
        public Tensor addAlongAxis(Tensor x, Tensor bias, int axis) {
            return adopt(k.addAlongAxis(unwrap(x), unwrap(bias), axis));
        }

        @Override
        public Tensor scale(Tensor x, double alpha) {
            return adopt(k.scale(unwrap(x), alpha));
        }

        @Override
        public Tensor axpy(Tensor a, double alpha, Tensor b) {
            return adopt(k.axpy(unwrap(a), alpha, unwrap(b)));
        }

        @Override
        public Tensor fold(Tensor cols, int n, int channels, int[] in, int[] ks, int[] s, int[] p, int[] d) {
            return adopt(k.fold(unwrap(cols), n, channels, in, ks, s, p, d));
        }

        @Override
        public Tensor[] maxPool(Tensor x, int kh, int kw, int sh, int sw) {
            return adopt(k.maxPool(unwrap(x), kh, kw, sh, sw));
        }

        @Override
        public Tensor maxPoolBackward(Tensor gradOut, Tensor argmax, int[] inputDims, int kh, int kw, int sh,
                                      int sw) {
            return adopt(k.maxPoolBackward(unwrap(gradOut), unwrap(argmax), inputDims, kh, kw, sh, sw));
        }

        @Override
        public Tensor avgPool(Tensor x, int kh, int kw, int sh, int sw) {
            return adopt(k.avgPool(unwrap(x), kh, kw, sh, sw));
        }

        @Override
        public Tensor avgPoolBackward(Tensor gradOut, int[] inputDims, int kh, int kw, int sh, int sw) {
            return adopt(k.avgPoolBackward(unwrap(gradOut), inputDims, kh, kw, sh, sw));
        }

        @Override
        public Tensor[] normalize(Tensor x, int groupSize, double eps) {
            return adopt(k.normalize(unwrap(x), groupSize, eps));
        }

        @Override
        public Tensor normalizeBackward(Tensor gradXhat, Tensor xhat, Tensor stats, int groupSize) {
            return adopt(k.normalizeBackward(unwrap(gradXhat), unwrap(xhat), unwrap(stats), groupSize));
        }

        @Override
        public Tensor dropoutMask(DType dtype, int[] dims, double p, long seed) {
            return adopt(k.dropoutMask(dtype, dims, p, seed));
        }

        @Override
        public Tensor gatherRows(Tensor weight, Tensor indices) {
            return adopt(k.gatherRows(unwrap(weight), unwrap(indices)));
        }

        @Override
        public Tensor[] softmaxCrossEntropy(Tensor logits, Tensor labels) {
            return adopt(k.softmaxCrossEntropy(unwrap(logits), unwrap(labels)));
        }

        @Override
        public Tensor[] meanSquaredError(Tensor prediction, Tensor target) {
            return adopt(k.meanSquaredError(unwrap(prediction), unwrap(target)));
        }

        @Override
        public Tensor argmaxRows(Tensor logits) {
            return adopt(k.argmaxRows(unwrap(logits)));
        }

        @Override
        public Tensor[] adam(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                             double eps, long step) {
            return adopt(k.adam(unwrap(param), unwrap(grad), unwrap(m), unwrap(v), lr, beta1, beta2, eps, step));
        }
    }

    /** The CPU sampler kernels on unwrapped operands; their new results adopted as checked memory. */
    private final class Kernels implements SamplerKernels {
        private final SamplerKernels k = cpu.samplerKernels();

        @Override
        public Tensor unfold(Tensor x, int samples, int copies, int groups, int channels, int[] in, int[] ks,
                             int[] s, int[] p, int[] d, int[] out) {
            return adopt(k.unfold(unwrap(x), samples, copies, groups, channels, in, ks, s, p, d, out));
        }

        @Override
        public void layerNormPartials(Tensor x, Tensor g, int rows, int inner, int len, double eps, Tensor weight,
                                      Tensor bias) {
            k.layerNormPartials(unwrap(x), unwrap(g), rows, inner, len, eps, unwrap(weight), unwrap(bias));
        }

        @Override
        public void groupNormPartials(Tensor x, Tensor g, int rows, int groups, int cpg, int spatial, double eps,
                                      Tensor weight, Tensor bias) {
            k.groupNormPartials(unwrap(x), unwrap(g), rows, groups, cpg, spatial, eps, unwrap(weight),
                    unwrap(bias));
        }

        @Override
        public void checkIndices(Tensor idx, int v, String what) {
            k.checkIndices(unwrap(idx), v, what);
        }

        @Override
        public Tensor embeddingDense(Tensor idx, Tensor g, int ks, int v, int dim, int paddingIdx) {
            return adopt(k.embeddingDense(unwrap(idx), unwrap(g), ks, v, dim, paddingIdx));
        }

        @Override
        public SparseEmbeddingGrad embeddingSparse(Tensor idx, Tensor g, int ks, int dim, int paddingIdx,
                                                   int divisor) {
            SparseEmbeddingGrad h = k.embeddingSparse(unwrap(idx), unwrap(g), ks, dim, paddingIdx, divisor);
            Tensor rows = adopt(h.rows());
            try {
                return new SparseEmbeddingGrad(h.offsets(), rows, adopt(h.values()));
            } catch (RuntimeException e) {
                rows.close();
                throw e;
            }
        }

        @Override
        public Tensor sparseToDense(SparseEmbeddingGrad grad, int vocabulary) {
            List<Tensor> parts = List.of(unwrap(grad.rows()), unwrap(grad.values()));
            return adopt(k.sparseToDense(new SparseEmbeddingGrad(grad.offsets(), parts.get(0), parts.get(1)),
                    vocabulary));
        }

        @Override
        public void divide(Tensor t, int d) {
            k.divide(unwrap(t), d);
        }
    }
}
