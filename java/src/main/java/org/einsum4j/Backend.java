package org.einsum4j;

import org.einsum4j.cpu.CpuBackend;
import org.einsum4j.tensor.DType;
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

    /** A new contiguous tensor on this backend's device whose contents are unspecified (written in full before read). */
    Tensor empty(DType dtype, int... dims);

    /** A new zero-filled contiguous tensor on this backend's device. */
    Tensor zeros(DType dtype, int... dims);

    /**
     * Copies {@code src} into {@code dst} element by element: same dims and dtype, any strides on either side
     * (stride 0 in {@code src} broadcasts). Compiled plans use it for operand layouts no GEMM can read and for the
     * final permutation into the result.
     */
    void copy(Tensor src, Tensor dst);

    /**
     * {@code C[b, m, n] = Σ_r op(A)[b, r, m, k] · op(B)[b, r, k, n] + beta · C[b, m, n]}, written into the given
     * contiguous {@code c} of shape {@code [batch, m, n]}. The operands are 3-d {@code [batch, m, k]} /
     * {@code [batch, k, n]} or 4-d {@code [batch, r, m, k]} / {@code [batch, r, k, n]} views exactly as
     * {@link #batchedGemm} takes them. With {@code beta == 0} c's old contents are never read.
     */
    void gemm(Tensor a, Tensor b, Tensor c, double beta);

    /** Sums {@code t} over the axes flagged in {@code reduce} into {@code out} (the other axes, in order, contiguous). */
    void sum(Tensor t, boolean[] reduce, Tensor out);

    /**
     * The least depth (product of the summed sizes left in each GEMM) for which a plan splits summed labels off
     * into an accumulated r dimension rather than copying an operand: below it the many shallow GEMM calls cost
     * more than the copy. Device-specific (call overhead differs per device).
     */
    int minSplitDepth();

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
