package org.einsum4j.gradsample;

import java.util.Arrays;
import org.einsum4j.tensor.Memory;
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

    /** The dense {@code [B, V, D]} form (for tests and small vocabularies); the caller owns it. */
    public Tensor toDense(int vocabulary) {
        int d = values.rank() == 2 ? values.dim(1) : 0;
        Tensor out = Tensor.zeros(values.dtype(), samples(), vocabulary, d);
        if (out.numel() == 0 || nnz() == 0) {
            return out;
        }
        int es = values.dtype().byteSize();
        long oa = out.address();
        long va = values.address();
        long ra = rows.address();
        for (int n = 0; n < samples(); n++) {
            for (long e = offsets[n]; e < offsets[n + 1]; e++) {
                long row = Memory.getLong(ra + 8 * e);
                Memory.copy(va + e * d * es, oa + (((long) n * vocabulary + row) * d) * es, (long) d * es);
            }
        }
        return out;
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
