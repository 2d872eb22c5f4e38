package org.einsum4j;

import org.einsum4j.cpu.CpuBackend;
import org.einsum4j.tensor.Tensor;

/**
 * The primitives an executor needs from a device. Every contraction plan is lowered to these, so a new
 * device implements this interface and nothing else. Results are new tensors owned by the caller.
 */
public interface Backend {
    /** A name as ContractOptions takes it: {@code cpu}, {@code cuda}. */
    String name();

    /**
     * {@code C[b, m, n] = Σ_k op(A)[b, m, k] · op(B)[b, k, n]} for 3-d operands. {@code a} is {@code [batch, m, k]}
     * and {@code b} is {@code [batch, k, n]} as views: any batch stride (0 broadcasts), and within each matrix
     * either unit column stride or unit row stride. Returns a new contiguous {@code [batch, m, n]}.
     *
     * <p>4-d operands {@code [batch, r, m, k]} and {@code [batch, r, k, n]} also sum over r
     * ({@code C[b] = Σ_r A[b, r] B[b, r]}): a summed label that cannot be merged into k without a copy.
     */
    Tensor batchedGemm(Tensor a, Tensor b);

    /** Sums over the axes flagged in {@code reduce}; returns a new contiguous tensor of the other axes, in order. */
    Tensor sum(Tensor t, boolean[] reduce);

    /** A new contiguous copy of {@code t} (any strides, broadcast included). */
    Tensor contiguousCopy(Tensor t);

    /** The CPU backend: OpenBLAS GEMM plus Java kernels. Always available. */
    static Backend cpu() {
        return CpuBackend.INSTANCE;
    }

    /** Looks a backend up by name. */
    static Backend named(String name) {
        if (name == null || name.equalsIgnoreCase("cpu")) {
            return cpu();
        }
        if (name.equalsIgnoreCase("cuda")) {
            throw new BackendUnavailableException("the CUDA backend is not part of this build yet");
        }
        throw new Einsum4jException("unknown backend '" + name + "' (expected cpu or cuda)");
    }
}
