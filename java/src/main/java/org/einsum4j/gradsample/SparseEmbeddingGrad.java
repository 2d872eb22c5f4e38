package org.einsum4j.gradsample;

import java.util.Arrays;
import org.einsum4j.Backend;
import org.einsum4j.tensor.Tensor;

/**
 * A per-sample Embedding gradient in sparse form: for each sample only the rows its tokens touched. Sample n's
 * entries are {@code offsets[n] … offsets[n+1]−1}: {@code rows} (INT64 {@code [nnz]}, ascending within a
 * sample, {@code padding_idx} never present) and {@code values} ({@code [nnz, D]}, the sum of the backprop rows
 * at that index over the sample's K·T positions). The dense gradient is {@code B·V·D} values; this is at most
 * {@code B·K·T·D}. Owns both tensors: close it.
 */
public record SparseEmbeddingGrad(long[] offsets, Tensor rows, Tensor values) implements AutoCloseable {
    public SparseEmbeddingGrad {
        offsets = offsets.clone();
    }

    @Override
    public long[] offsets() {
        return offsets.clone();
    }

    /** Number of samples B. */
    public int samples() {
        return offsets.length - 1;
    }

    /** Number of stored (sample, row) entries. */
    public long nnz() {
        return offsets[offsets.length - 1];
    }

    /** The dense {@code [B, V, D]} form on the values' device (for tests and small vocabularies); the caller owns it. */
    public Tensor toDense(int vocabulary) {
        return Backend.of(rows, values).samplerKernels().sparseToDense(this, vocabulary);
    }

    @Override
    public void close() {
        rows.close();
        values.close();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseEmbeddingGrad s && Arrays.equals(s.offsets, offsets) && s.rows == rows
                && s.values == values;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(offsets) * 31 + System.identityHashCode(rows);
    }

    @Override
    public String toString() {
        return "SparseEmbeddingGrad(B=" + samples() + ", nnz=" + nnz() + ", values=" + values + ")";
    }
}
