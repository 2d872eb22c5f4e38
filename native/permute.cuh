// Permute (transpose) thread functions; the kernels are in permute.cu, the launch rules in KERNELS.md.
#pragma once

#include "index_math.cuh"

namespace einsum4j {
namespace permute {

constexpr int kTile = 32;
constexpr int kRowsPerPass = 8;

// batched_transpose, phase 1 (before the barrier): this thread's elements of the block's 32x32 input tile into
// `tile` (32 rows of 33: the +1 column keeps the phase-2 column reads free of bank conflicts). Block (32, 8).
template <typename T>
EINSUM4J_HD void transpose_load(const Launch& t, const T* __restrict__ in, T (*tile)[kTile + 1], int rows,
                                int cols) {
    const T* src = in + static_cast<int64_t>(t.block_z) * rows * cols;
    const int c = t.block_x * kTile + t.thread_x;
    const int r0 = t.block_y * kTile + t.thread_y;
    for (int k = 0; k < kTile; k += kRowsPerPass) {
        const int r = r0 + k;
        if (r < rows && c < cols) {
            tile[t.thread_y + k][t.thread_x] = src[static_cast<int64_t>(r) * cols + c];
        }
    }
}

// Phase 2 (after the barrier): the transposed tile out, the block's roles swapped so that consecutive threads
// write consecutive addresses.
template <typename T>
EINSUM4J_HD void transpose_store(const Launch& t, T* __restrict__ out, T (*tile)[kTile + 1], int rows, int cols) {
    T* dst = out + static_cast<int64_t>(t.block_z) * rows * cols;
    const int r = t.block_y * kTile + t.thread_x;
    const int c0 = t.block_x * kTile + t.thread_y;
    for (int k = 0; k < kTile; k += kRowsPerPass) {
        const int cc = c0 + k;
        if (cc < cols && r < rows) {
            dst[static_cast<int64_t>(cc) * rows + r] = tile[t.thread_x][t.thread_y + k];
        }
    }
}

// permute_gather / diagonal_gather: out (contiguous, row-major over layout.sizes) from in at layout.strides.
template <typename T>
EINSUM4J_HD void gather_thread(const Launch& t, const T* __restrict__ in, T* __restrict__ out,
                               const StridedLayout& layout, int64_t n) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        out[i] = in[strided_offset(layout, i)];
    }
}

// The gather layout of a diagonal view: output dim j takes the sum of the input strides of every input dim whose
// label is j (labels[d] in [0, out_rank)), so `ii->i` is the gather with stride s0 + s1. The sizes of dims that
// share a label must agree (the planner checked). Returns false when a label is out of range.
EINSUM4J_HD bool diagonal_layout(int in_rank, const int64_t* in_sizes, const int64_t* in_strides, const int* labels,
                                 int out_rank, StridedLayout* out) {
    out->rank = out_rank;
    for (int j = 0; j < kMaxRank; ++j) {
        out->sizes[j] = 1;
        out->strides[j] = 0;
    }
    for (int d = 0; d < in_rank; ++d) {
        if (labels[d] < 0 || labels[d] >= out_rank) return false;
        out->sizes[labels[d]] = in_sizes[d];
        out->strides[labels[d]] += in_strides[d];
    }
    return true;
}

}  // namespace permute
}  // namespace einsum4j
