// Embedding grad-sampler thread functions (kernels in embedding.cu, launch rules in native/KERNELS.md), matching
// SampleKernels.embeddingDense / embeddingSparse / checkIndices:
//   idx [R, P] int64 with R = B*K rows sample-major; g [R, P, D]; per_sample = K*P positions per sample.
// Determinism: no atomics in the scatters. A thread owns one column d of one sample and adds that sample's
// positions in ascending order (row r, then position t): the same order as the CPU loop, so dense and sparse
// results equal the CPU backend's bit for bit.
#pragma once

#include "index_math.cuh"

namespace einsum4j {
namespace embedding {

// index_check_i64: lowers *first_bad (as unsigned, so -1 means "none yet") to the first flat position whose index
// lies outside [0, v). The caller sets *first_bad = -1 before the launch (cuMemsetD8 0xFF over 8 bytes); after
// it, -1 means every index is in range. Each thread walks its positions in ascending order and stops at its
// first offender, so the minimum over threads is the first offender overall. 1-D blocks of 256, any grid.
EINSUM4J_HD void index_check_thread(const Launch& t, const int64_t* __restrict__ idx, int64_t n, int64_t v,
                                    int64_t* first_bad) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        if (idx[i] < 0 || idx[i] >= v) {
            atomic_min_u64(first_bad, i);
            return;
        }
    }
}

// embedding_dense: out [B, V, D], every element written (the thread zeroes its column of its sample first), then
// out[n, idx[r, t], d] += g[r, t, d] for r in n*K .. n*K+K-1, t < P, skipping padding_idx (pass a value outside
// [0, V) for none) and, defensively, any index outside [0, V) (index_check runs first and reports those).
// Grid: x threads over d (grid-stride), blockIdx.y over samples (grid-stride); blocks of 256 (or fewer when D is
// small, a multiple of 32).
template <typename T>
EINSUM4J_HD void dense_thread(const Launch& t, const int64_t* __restrict__ idx, const T* __restrict__ g,
                              T* __restrict__ out, int64_t samples, int64_t per_sample, int64_t v, int64_t dim,
                              int64_t padding_idx) {
    for (int64_t n = t.block_y; n < samples; n += t.grid_y) {
        T* slab = out + n * v * dim;
        const int64_t* ids = idx + n * per_sample;
        const T* gs = g + n * per_sample * dim;
        for (int64_t d = first_index(t); d < dim; d += index_step(t)) {
            for (int64_t row = 0; row < v; ++row) slab[row * dim + d] = narrow<T>(0.0);
            for (int64_t q = 0; q < per_sample; ++q) {
                const int64_t row = ids[q];
                if (row == padding_idx || row < 0 || row >= v) continue;
                slab[row * dim + d] = slab[row * dim + d] + gs[q * dim + d];
            }
        }
    }
}

// True when position q of a sample holds the first occurrence of its (non-padding) index in that sample.
EINSUM4J_HD bool first_occurrence(const int64_t* __restrict__ ids, int64_t q, int64_t padding_idx) {
    const int64_t row = ids[q];
    if (row == padding_idx) return false;
    for (int64_t p = 0; p < q; ++p) {
        if (ids[p] == row) return false;
    }
    return true;
}

// embedding_unique_count: counts[n] = number of distinct non-padding indices of sample n. One block per sample
// (grid-stride over samples in blockIdx.x); this thread's count over positions threadIdx.x, + blockDim.x, ...
// The per-position test is O(per_sample), so the kernel is O(per_sample^2) per sample: meant for K*P up to a few
// thousand (the grad-sampler case: K copies of a sequence), not for bag-of-words inputs with huge P.
EINSUM4J_HD int64_t unique_count_partial(const Launch& t, const int64_t* __restrict__ idx, int64_t n,
                                         int64_t per_sample, int64_t padding_idx) {
    const int64_t* ids = idx + n * per_sample;
    int64_t count = 0;
    for (int64_t q = t.thread_x; q < per_sample; q += t.dim_x) count += first_occurrence(ids, q, padding_idx);
    return count;
}

// exclusive_scan_i64: offsets[0..n] = exclusive prefix sums of counts[0..n), offsets[n] the total (nnz, the one
// value the host reads back to size the values tensor). One block of 1024 threads, three phases separated by
// barriers: each thread sums a contiguous chunk; thread 0 scans the chunk sums; each thread writes its chunk.
EINSUM4J_HD int64_t scan_chunk(const Launch& t, int64_t n) {
    return ceil_div(n, t.dim_x);
}

EINSUM4J_HD int64_t scan_phase1(const Launch& t, const int64_t* __restrict__ counts, int64_t n) {
    const int64_t chunk = scan_chunk(t, n);
    int64_t s = 0;
    for (int64_t i = t.thread_x * chunk; i < n && i < (t.thread_x + 1) * chunk; ++i) s += counts[i];
    return s;
}

EINSUM4J_HD void scan_phase2(int64_t* partials, int threads) {  // thread 0 only: exclusive scan in place
    int64_t run = 0;
    for (int i = 0; i < threads; ++i) {
        const int64_t c = partials[i];
        partials[i] = run;
        run += c;
    }
}

EINSUM4J_HD void scan_phase3(const Launch& t, const int64_t* __restrict__ counts, int64_t* __restrict__ offsets,
                             int64_t n, int64_t prefix) {
    const int64_t chunk = scan_chunk(t, n);
    int64_t run = prefix;
    for (int64_t i = t.thread_x * chunk; i < n && i < (t.thread_x + 1) * chunk; ++i) {
        offsets[i] = run;
        run += counts[i];
    }
    if (t.thread_x == t.dim_x - 1) offsets[n] = run;  // the last chunk ends at n (chunk * dim_x >= n)
}

// embedding_unique_rows: row_ids[offsets[n] + rank] = the sample's distinct indices in ascending order (rank = how
// many of the sample's distinct indices are smaller). One block per sample (grid-stride in blockIdx.x), threads
// over positions; O(per_sample^2) per sample like unique_count.
EINSUM4J_HD void unique_rows_thread(const Launch& t, const int64_t* __restrict__ idx,
                                    const int64_t* __restrict__ offsets, int64_t* __restrict__ row_ids,
                                    int64_t samples, int64_t per_sample, int64_t padding_idx) {
    for (int64_t n = t.block_x; n < samples; n += t.grid_x) {
        const int64_t* ids = idx + n * per_sample;
        for (int64_t q = t.thread_x; q < per_sample; q += t.dim_x) {
            if (!first_occurrence(ids, q, padding_idx)) continue;
            const int64_t row = ids[q];
            int64_t rank = 0;
            for (int64_t p = 0; p < per_sample; ++p) {
                rank += ids[p] < row && first_occurrence(ids, p, padding_idx);
            }
            row_ids[offsets[n] + rank] = row;
        }
    }
}

// Slot of `row` among the sorted ids[0..count): lower bound (the row is there when unique_rows made the list).
EINSUM4J_HD int64_t slot_of(const int64_t* __restrict__ ids, int64_t count, int64_t row) {
    int64_t lo = 0;
    int64_t hi = count;
    while (lo < hi) {
        const int64_t mid = (lo + hi) / 2;
        if (ids[mid] < row) lo = mid + 1; else hi = mid;
    }
    return lo;
}

// embedding_sparse_scatter: the per-sample scatter into a given compact index set. For sample n with distinct rows
// row_ids[offsets[n] .. offsets[n+1]) (ascending), values[offsets[n] + slot(row), d] = sum of g[position, d] over
// the sample's positions holding `row` (padding_idx skipped), then divided by `divisor` (1: no division; K for
// the MEAN reduction). Every values element of the sample is written. Grid as embedding_dense.
template <typename T>
EINSUM4J_HD void sparse_scatter_thread(const Launch& t, const int64_t* __restrict__ idx, const T* __restrict__ g,
                                       const int64_t* __restrict__ offsets, const int64_t* __restrict__ row_ids,
                                       T* __restrict__ values, int64_t samples, int64_t per_sample, int64_t dim,
                                       int64_t padding_idx, T divisor) {
    for (int64_t n = t.block_y; n < samples; n += t.grid_y) {
        const int64_t first = offsets[n];
        const int64_t count = offsets[n + 1] - first;
        const int64_t* sample_rows = row_ids + first;
        T* vals = values + first * dim;
        const int64_t* ids = idx + n * per_sample;
        const T* gs = g + n * per_sample * dim;
        for (int64_t d = first_index(t); d < dim; d += index_step(t)) {
            for (int64_t s = 0; s < count; ++s) vals[s * dim + d] = narrow<T>(0.0);
            for (int64_t q = 0; q < per_sample; ++q) {
                const int64_t row = ids[q];
                if (row == padding_idx) continue;
                const int64_t s = slot_of(sample_rows, count, row);
                if (s < count && sample_rows[s] == row) vals[s * dim + d] = vals[s * dim + d] + gs[q * dim + d];
            }
            if (divisor != T(1)) {
                for (int64_t s = 0; s < count; ++s) vals[s * dim + d] = vals[s * dim + d] / divisor;
            }
        }
    }
}

// embedding_sparse_to_dense: out [B, V, D] fully written: zero, then out[n, row_ids[e], d] = values[e, d] for the
// sample's entries e in offsets[n] .. offsets[n+1] (SparseEmbeddingGrad.toDense). Grid as embedding_dense.
template <typename T>
EINSUM4J_HD void sparse_to_dense_thread(const Launch& t, const int64_t* __restrict__ offsets,
                                        const int64_t* __restrict__ row_ids, const T* __restrict__ values,
                                        T* __restrict__ out, int64_t samples, int64_t v, int64_t dim) {
    for (int64_t n = t.block_y; n < samples; n += t.grid_y) {
        T* slab = out + n * v * dim;
        for (int64_t d = first_index(t); d < dim; d += index_step(t)) {
            for (int64_t row = 0; row < v; ++row) slab[row * dim + d] = narrow<T>(0.0);
            for (int64_t e = offsets[n]; e < offsets[n + 1]; ++e) {
                const int64_t row = row_ids[e];
                if (row >= 0 && row < v) slab[row * dim + d] = values[e * dim + d];
            }
        }
    }
}

}  // namespace embedding
}  // namespace einsum4j
