package org.einsum4j;

import org.einsum4j.gradsample.SamplerKernels;
import org.einsum4j.nn.NnKernels;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/**
 * Every kernel einsum4j runs on one device: allocation, fill, scale, copies (any strides, broadcast, dtype
 * conversion, to and from the host), batched GEMM into a given output, sums into a given output, and the grad
 * samplers' kernels ({@link #samplerKernels()}) and the nn modules' ({@link #nnKernels()}). The executor, the
 * samplers and the modules call only this interface, so a new device implements it (and a {@link BackendProvider})
 * and nothing else.
 *
 * <p>Operands are on {@link #device()} unless a method says otherwise; outputs given by the caller are
 * contiguous. Backends are found by device type through {@link BackendProvider}s ({@link #forDevice}); the
 * backend of a call is the one of its operands' device ({@link #of}).
 */
public interface Backend {
    /** The device whose memory this backend's tensors live in and whose kernels it runs. */
    Device device();

    /** A name as ContractOptions takes it: {@code cpu}, {@code cuda}. */
    String name();

    /** A new contiguous tensor on this device, contents unspecified. */
    Tensor empty(DType dtype, int... dims);

    /** A new zero-filled contiguous tensor on this device. */
    Tensor zeros(DType dtype, int... dims);

    /** Sets every element of the contiguous {@code out} to {@code value}. */
    void fill(Tensor out, double value);

    /** Multiplies every element of the contiguous {@code t} by {@code alpha}, in place. */
    void scale(Tensor t, double alpha);

    /**
     * {@code dst[i] = src[i]} converted to dst's dtype, for the same dims: src with any strides (0 broadcasts),
     * dst contiguous. Each of src and dst is on the host or on this device: this one method moves data in both
     * directions (host → device, device → host, device → device), so a tensor's {@code to(Device)} calls the
     * backend of the non-host side.
     */
    void copy(Tensor src, Tensor dst);

    /**
     * {@code C[b, m, n] = Σ_r Σ_k op(A)[b, r, m, k] · op(B)[b, r, k, n] + beta · C[b, m, n]}. {@code a} is
     * {@code [batch, m, k]} and {@code b} is {@code [batch, k, n]} as views (any batch stride, 0 broadcasts;
     * within each matrix unit column or unit row stride, else the backend copies), or 4-d
     * {@code [batch, r, m, k]} and {@code [batch, r, k, n]} summing over r as well (a summed label that cannot
     * be merged into k without a copy). {@code c} is a contiguous {@code [batch, m, n]}; beta is 0
     * (overwrite, c's contents ignored) or 1 (accumulate).
     */
    void gemm(Tensor a, Tensor b, Tensor c, double beta);

    /** Sums {@code t} over the axes flagged in {@code reduce} into the contiguous {@code out} (the kept axes, in order). */
    void sum(Tensor t, boolean[] reduce, Tensor out);

    /**
     * {@code out = Σ a · b} over the axes flagged in {@code reduce}, into the contiguous {@code out} (the kept axes, in
     * order): {@code a} and {@code b} are views of the same dims over one iteration space, any strides (0 where an
     * operand does not vary along an axis, a broadcast). The element-wise and broadcast products of a contraction
     * ({@code ij,ij->ij}, {@code ij,j->ij}) and its Hadamard-and-reduce steps ({@code ij,ij->j}) run here: as a
     * batched GEMM they are millions of 1×1×1 products or GEMMs with k = 1 plus copies.
     */
    void multiply(Tensor a, Tensor b, boolean[] reduce, Tensor out);

    /**
     * The smallest GEMM depth (product of the summed sizes) worth a separate step: below it the executor
     * folds a step's summed labels differently. 16 on the CPU; a device sets its own.
     */
    int minSplitDepth();

    /**
     * Bytes this device can still allocate, for the checks that refuse a call before it starts
     * ({@link MemoryBudget}): on the host the OS's available memory (MemAvailable) plus the allocator's cached
     * blocks, on a GPU the free device memory. {@link Long#MAX_VALUE} when the backend cannot tell.
     */
    default long availableBytes() {
        return Long.MAX_VALUE;
    }

    /** The grad samplers' kernels on this device. */
    SamplerKernels samplerKernels();

    /** The nn modules' element-wise kernels (activations, pooling, norms, losses, optimizers) on this device. */
    NnKernels nnKernels();

    /**
     * Opens the scope of one expression run ({@link ContractExpression} opens one around each run, closes it when the
     * result is complete): a device may give the run its own stream, ordered after the caller's earlier work and
     * before its later work; the CPU has nothing to do. A run inside an open scope (or inside a user's stream) uses
     * that scope's stream.
     */
    default RunScope openRun() {
        return RunScope.NONE;
    }

    /** An open {@link #openRun} scope; closing it ends the run's scope and throws no checked exception. */
    interface RunScope extends AutoCloseable {
        /** The scope of a backend with nothing to do. */
        RunScope NONE = () -> { };

        @Override
        void close();
    }

    /** {@link #gemm} into a new tensor owned by the caller. */
    default Tensor batchedGemm(Tensor a, Tensor b) {
        int batch = a.dim(0);
        int m = a.dim(a.rank() - 2);
        int n = b.dim(b.rank() - 1);
        Tensor c = empty(a.dtype(), batch, m, n);
        try {
            gemm(a, b, c, 0);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** {@link #sum(Tensor, boolean[], Tensor)} into a new tensor owned by the caller. */
    default Tensor sum(Tensor t, boolean[] reduce) {
        if (reduce.length != t.rank()) {
            throw new Einsum4jException("sum: " + reduce.length + " flags for a tensor of rank " + t.rank());
        }
        int kept = 0;
        for (boolean r : reduce) {
            kept += r ? 0 : 1;
        }
        int[] dims = new int[kept];
        for (int i = 0, j = 0; i < reduce.length; i++) {
            if (!reduce[i]) {
                dims[j++] = t.dim(i);
            }
        }
        Tensor out = empty(t.dtype(), dims);
        try {
            sum(t, reduce, out);
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** A new contiguous copy of {@code t} on this device (any strides, broadcast included). */
    default Tensor contiguousCopy(Tensor t) {
        Tensor out = empty(t.dtype(), t.dims());
        try {
            copy(t, out);
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /** The CPU backend: OpenBLAS GEMM plus Java kernels. Always available. */
    static Backend cpu() {
        return forDevice(Device.CPU);
    }

    /**
     * The backend of {@code device}, from the {@link BackendProvider} registered for its type.
     *
     * @throws BackendUnavailableException when no provider serves the type or the device is not usable here
     */
    static Backend forDevice(Device device) {
        return Backends.forDevice(device);
    }

    /**
     * The backend of the operands' device. Operands on different devices: an {@link InvalidOperandException}
     * naming each operand's device (no silent copies).
     */
    static Backend of(Tensor... operands) {
        return forDevice(Backends.commonDevice(operands));
    }

    /** Looks a backend up by name as ContractOptions gives it: {@code cpu}, {@code cuda}, {@code cuda:1}. */
    static Backend named(String name) {
        if (name == null) {
            return cpu();
        }
        Device d;
        try {
            d = Device.parse(name);
        } catch (Einsum4jException e) {
            throw new Einsum4jException("unknown backend '" + name + "' (expected cpu or cuda)");
        }
        return forDevice(d);
    }
}
