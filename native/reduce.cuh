// Reduction thread functions: sums of a strided tensor over any set of axes into the kept axes, and row dots
// (`ij,ij->i`, the broadcast-multiply fused with a sum over the last axis). Kernels in reduce.cu; launch rules in
// KERNELS.md. Deterministic: for a given launch configuration every sum is formed in one fixed order (no atomics),
// so a result never changes between runs.
#pragma once

#include "index_math.cuh"

namespace einsum4j {
namespace reduce {

// Kept axes (one output element per kept index, output contiguous row-major over kept_sizes) and reduced axes of
// one input, both with the input's strides. Byte layout: int32 kept_rank @0, int32 reduced_rank @4,
// int64 kept_sizes[8] @8, kept_strides[8] @72, reduced_sizes[8] @136, reduced_strides[8] @200; 264 bytes.
// A rank of 0 means one element (no kept axes: a full sum; no reduced axes: a strided copy).
struct ReduceLayout {
    int kept_rank;
    int reduced_rank;
    int64_t kept_sizes[kMaxRank];
    int64_t kept_strides[kMaxRank];
    int64_t reduced_sizes[kMaxRank];
    int64_t reduced_strides[kMaxRank];
};
static_assert(sizeof(ReduceLayout) == 264, "ReduceLayout's byte layout is part of the kernel contract");

EINSUM4J_HD int64_t kept_offset(const ReduceLayout& l, int64_t o) {
    return l.kept_rank == 0 ? 0 : strided_offset(l.kept_rank, l.kept_sizes, l.kept_strides, o);
}

EINSUM4J_HD int64_t reduced_offset(const ReduceLayout& l, int64_t j) {
    return l.reduced_rank == 0 ? 0 : strided_offset(l.reduced_rank, l.reduced_sizes, l.reduced_strides, j);
}

// sum_axes_thread: one thread per output element (grid-stride over `kept` outputs), each summing its `reduced`
// elements in order. Best when the reduced extent is small (K of a K-fold, a few rows): consecutive threads then
// read consecutive kept elements.
template <typename T>
EINSUM4J_HD void sum_thread(const Launch& t, const T* __restrict__ in, T* __restrict__ out, const ReduceLayout& l,
                            int64_t kept, int64_t reduced) {
    using A = typename SumAcc<T>::type;
    for (int64_t o = first_index(t); o < kept; o += index_step(t)) {
        const T* base = in + kept_offset(l, o);
        A acc = 0;
        for (int64_t j = 0; j < reduced; ++j) {
            acc += widen(base[reduced_offset(l, j)]);
        }
        out[o] = narrow<T>(acc);
    }
}

// sum_axes_block: blockIdx.x picks a chunk of `chunk` reduced indices, blockIdx.y (grid-stride) an output. This
// thread's partial sum over elements chunk_begin + threadIdx.x, + blockDim.x, ... (coalesced when the innermost
// reduced axis is contiguous). The block then sums the partials (block_sum) and thread 0 writes
// out[o * gridDim.x + blockIdx.x]: with gridDim.x == 1 that is the sum itself; with more chunks it is a
// [kept, chunks] table of partial sums that a second launch (sum_axes_thread over its rows) adds up: the
// deterministic two-pass reduction for few outputs with long reductions.
template <typename T>
EINSUM4J_HD typename SumAcc<T>::type block_partial(const Launch& t, const T* __restrict__ in, const ReduceLayout& l,
                                                   int64_t reduced, int64_t chunk, int64_t o) {
    using A = typename SumAcc<T>::type;
    const T* base = in + kept_offset(l, o);
    const int64_t begin = static_cast<int64_t>(t.block_x) * chunk;
    const int64_t end = begin + chunk < reduced ? begin + chunk : reduced;
    A acc = 0;
    for (int64_t j = begin + t.thread_x; j < end; j += t.dim_x) {
        acc += widen(base[reduced_offset(l, j)]);
    }
    return acc;
}

// sum_axes_warp: one warp per output (grid-stride in warps over `kept`), lanes over the reduced indices
// lane, lane + 32, ...: coalesced when the innermost reduced axis is contiguous (`ij->i` with long rows). This
// lane's partial; lane 0 writes the warp's total (warp_sum).
template <typename T>
EINSUM4J_HD typename SumAcc<T>::type warp_partial(const T* __restrict__ in, const ReduceLayout& l, int64_t reduced,
                                                  int64_t o, int lane) {
    using A = typename SumAcc<T>::type;
    const T* base = in + kept_offset(l, o);
    A acc = 0;
    for (int64_t j = lane; j < reduced; j += kWarp) {
        acc += widen(base[reduced_offset(l, j)]);
    }
    return acc;
}

EINSUM4J_HD int64_t block_output_index(const Launch& t, int64_t o) {
    return o * t.grid_x + t.block_x;
}

// dot_rows: out[r] = sum_j a[offset_a(r) + j * a_step] * b[offset_b(r) + j * b_step], r over the kept index space
// `rows` (layout: kept sizes, a and b strides), one warp per row (grid-stride in warps), lanes over j.
template <typename T>
EINSUM4J_HD typename SumAcc<T>::type dot_lane(const T* __restrict__ a, const T* __restrict__ b,
                                              const PairLayout& layout, int64_t len, int64_t a_step, int64_t b_step,
                                              int64_t r, int lane) {
    using A = typename SumAcc<T>::type;
    int64_t oa;
    int64_t ob;
    pair_offsets(layout, r, &oa, &ob);
    A acc = 0;
    for (int64_t j = lane; j < len; j += kWarp) {
        acc += static_cast<A>(widen(a[oa + j * a_step])) * static_cast<A>(widen(b[ob + j * b_step]));
    }
    return acc;
}

}  // namespace reduce
}  // namespace einsum4j
