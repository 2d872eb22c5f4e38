package org.einsum4j.plan;

import org.einsum4j.Backend;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * One step of a compiled {@link Plan}. Steps read and write numbered slots: slots {@code 0 … n-1} hold the
 * operands' prepared views (owned by the caller), later slots the intermediates (owned by the plan's run, each
 * written once and closed after its last use, which {@link #free()} lists). Every field is fixed when the plan
 * is compiled; running a step only makes views with the recorded sizes and strides and calls the backend.
 */
sealed interface Step permits Step.Sum, Step.Gemm, Step.Multiply, Step.Output {

    /** Intermediate slots whose last use is this step: closed right after it. */
    int[] free();

    /**
     * Sums {@code src} over the flagged axes into a new contiguous intermediate {@code dst} with the kept
     * {@code labels} (in src's order) and {@code dims}: labels no later step and not the output needs.
     */
    record Sum(int src, boolean[] reduce, int[] labels, int[] dims, int dst, int[] free) implements Step {
        /** {@code into}: the caller's result tensor (contiguous, these dims) to write instead of a new one, or null. */
        void run(Tensor[] slot, Backend backend, DType dtype, Tensor into) {
            Tensor out = into != null ? into : backend.empty(dtype, dims);
            slot[dst] = out;
            backend.sum(slot[src], reduce, out);
        }
    }

    /**
     * One batched GEMM {@code C[b, m, n] = Σ_k A[b, m, k] B[b, k, n]}: {@code batch} the labels both operands keep,
     * {@code k} those both sum away, {@code m} / {@code n} those of one side only (each group in the memory order
     * that spared a copy). {@code split > 0}: the first {@code split} labels of k form an accumulated r dimension
     * ({@code C = Σ_r A_r B_r}), so that neither operand is copied. The result {@code dst} is a contiguous
     * intermediate with {@code labels} = batch, m, n and {@code dims}; the GEMM writes it viewed as {@code shape3}.
     */
    record Gemm(int a, int b, int[] batch, int[] m, int[] k, int[] n, int split, Operand opA, Operand opB,
                int[] labels, int[] dims, int[] shape3, long[] strides3, int dst, int[] free) implements Step {
        /** {@code into}: the caller's result tensor (contiguous, these dims) to write instead of a new one, or null. */
        void run(Tensor[] slot, Backend backend, DType dtype, Tensor into) {
            Tensor wa = null;
            Tensor wb = null;
            try {
                wa = opA.copyInto(slot[a], backend, dtype);
                wb = opB.copyInto(slot[b], backend, dtype);
                Tensor c = into != null ? into : backend.empty(dtype, dims);
                slot[dst] = c;
                backend.gemm(opA.view(wa != null ? wa : slot[a]), opB.view(wb != null ? wb : slot[b]),
                        c.asStrided(shape3, strides3, c.offset()), 0);
            } finally {
                if (wa != null) {
                    wa.close();
                }
                if (wb != null) {
                    wb.close();
                }
            }
        }
    }

    /**
     * A pairwise step for which a GEMM is the wrong tool ({@code Backend.multiply}): an element-wise or broadcast
     * product (no summed label and one side without labels of its own: {@code ij,ij->ij}, {@code ij,j->ij}), an outer
     * product as the last step when no GEMM orientation writes the output order ({@code ij,jk->ijk}), or a
     * Hadamard-and-reduce whose summed labels are not the unit-stride ones ({@code ij,ij->j}). Both operands are read
     * as views over one iteration space {@code space} (the result's {@code labels} first, in its order, then the
     * summed ones; stride 0 where an operand lacks a label), and the result is the contiguous intermediate
     * {@code dst} with {@code dims}.
     */
    record Multiply(int a, int b, int[] space, long[] stridesA, long[] stridesB, boolean[] reduce, int[] labels,
                    int[] dims, int dst, int[] free) implements Step {
        /** {@code into}: the caller's result tensor (contiguous, these dims) to write instead of a new one, or null. */
        void run(Tensor[] slot, Backend backend, DType dtype, Tensor into) {
            Tensor out = into != null ? into : backend.empty(dtype, dims);
            slot[dst] = out;
            backend.multiply(slot[a].asStrided(space, stridesA, slot[a].offset()),
                    slot[b].asStrided(space, stridesB, slot[b].offset()), reduce, out);
        }
    }

    /**
     * The result: {@code inPlace} hands the intermediate {@code src} over as it is (already contiguous in output
     * order); otherwise src viewed with {@code dims} / {@code strides} (the final permutation) is copied into a
     * new tensor.
     */
    record Output(int src, int[] dims, long[] strides, boolean inPlace, int[] free) implements Step {
        Tensor run(Tensor[] slot, Backend backend, DType dtype) {
            if (inPlace) {
                Tensor r = slot[src];
                slot[src] = null;
                return r;
            }
            Tensor r = backend.empty(dtype, dims);
            try {
                backend.copy(slot[src].asStrided(dims, strides, slot[src].offset()), r);
                return r;
            } catch (RuntimeException e) {
                r.close();
                throw e;
            }
        }
    }

    /**
     * How a GEMM reads one operand: its slot viewed with {@code dims} / {@code strides} (3-d or, split, 4-d), or,
     * when no strides give that view, first copied ({@code copy} non-null) into a contiguous workspace which is
     * then viewed.
     */
    record Operand(int[] dims, long[] strides, Copy copy) {
        boolean needsCopy() {
            return copy != null;
        }

        /** The workspace copy of {@code base} when one is needed (the caller closes it), else null. */
        Tensor copyInto(Tensor base, Backend backend, DType dtype) {
            if (copy == null) {
                return null;
            }
            Tensor w = backend.empty(dtype, copy.dims);
            try {
                backend.copy(base.asStrided(copy.dims, copy.strides, base.offset()), w);
                return w;
            } catch (RuntimeException e) {
                w.close();
                throw e;
            }
        }

        Tensor view(Tensor base) {
            return base.asStrided(dims, strides, base.offset());
        }
    }

    /** A copy's source: the slot's axes permuted into group order ({@code dims} / {@code strides}); the destination is contiguous. */
    record Copy(int[] dims, long[] strides) {
        long elements() {
            long e = 1;
            for (int d : dims) {
                e *= d;
            }
            return e;
        }
    }
}
