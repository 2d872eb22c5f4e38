// Reduction kernels (thread functions and the meaning of every argument in reduce.cuh; launch rules in KERNELS.md):
//   sum_axes_thread_*: one thread per output; 1-D blocks of 256, any grid.
//   sum_axes_block_*:  block (256) per (chunk, output); grid (ceil(reduced/chunk), min(kept, 65535)); writes
//                      out[o * gridDim.x + chunk]. Static shared memory 32 accumulators (256 B).
//   sum_axes_warp_*:   one warp per output; 1-D blocks of 256, any grid.
//   dot_rows_*:        one warp per row; 1-D blocks of 256, any grid.
// Accumulation in float64 for float32/float64 data, float32 for FLOAT16/BFLOAT16.
#include "reduce.cuh"

namespace einsum4j {
namespace reduce {

template <typename T>
__device__ void sum_block(const T* __restrict__ in, T* __restrict__ out, ReduceLayout l, int64_t kept,
                          int64_t reduced, int64_t chunk) {
    const Launch t = this_thread();
    for (int64_t o = t.block_y; o < kept; o += t.grid_y) {  // uniform per block: every thread reaches block_sum
        const auto total = block_sum(block_partial(t, in, l, reduced, chunk, o));
        if (t.thread_x == 0) {
            out[block_output_index(t, o)] = narrow<T>(total);
        }
    }
}

template <typename T>
__device__ void sum_warp(const T* __restrict__ in, T* __restrict__ out, ReduceLayout l, int64_t kept,
                         int64_t reduced) {
    const Launch t = this_thread();
    const int lane = lane_of(t);
    for (int64_t o = first_warp(t); o < kept; o += warp_step(t)) {  // uniform per warp
        const auto total = warp_sum(warp_partial(in, l, reduced, o, lane));
        if (lane == 0) {
            out[o] = narrow<T>(total);
        }
    }
}

template <typename T>
__device__ void dot_rows(const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out, PairLayout layout,
                         int64_t rows, int64_t len, int64_t a_step, int64_t b_step) {
    const Launch t = this_thread();
    const int lane = lane_of(t);
    for (int64_t r = first_warp(t); r < rows; r += warp_step(t)) {  // uniform per warp
        const auto total = warp_sum(dot_lane(a, b, layout, len, a_step, b_step, r, lane));
        if (lane == 0) {
            out[r] = narrow<T>(total);
        }
    }
}

}  // namespace reduce
}  // namespace einsum4j

#define EINSUM4J_REDUCE(SUFFIX, T)                                                                            \
    extern "C" __global__ void sum_axes_thread_##SUFFIX(const T* in, T* out, einsum4j::reduce::ReduceLayout l, \
                                                        int64_t kept, int64_t reduced) {                      \
        einsum4j::reduce::sum_thread<T>(einsum4j::this_thread(), in, out, l, kept, reduced);                  \
    }                                                                                                         \
    extern "C" __global__ void sum_axes_warp_##SUFFIX(const T* in, T* out, einsum4j::reduce::ReduceLayout l,  \
                                                      int64_t kept, int64_t reduced) {                       \
        einsum4j::reduce::sum_warp<T>(in, out, l, kept, reduced);                                             \
    }                                                                                                         \
    extern "C" __global__ void sum_axes_block_##SUFFIX(const T* in, T* out, einsum4j::reduce::ReduceLayout l,  \
                                                       int64_t kept, int64_t reduced, int64_t chunk) {        \
        einsum4j::reduce::sum_block<T>(in, out, l, kept, reduced, chunk);                                     \
    }                                                                                                         \
    extern "C" __global__ void dot_rows_##SUFFIX(const T* a, const T* b, T* out, einsum4j::PairLayout layout,  \
                                                 int64_t rows, int64_t len, int64_t a_step, int64_t b_step) {  \
        einsum4j::reduce::dot_rows<T>(a, b, out, layout, rows, len, a_step, b_step);                          \
    }

EINSUM4J_REDUCE(f32, float)
EINSUM4J_REDUCE(f64, double)
EINSUM4J_REDUCE(f16, __half)
EINSUM4J_REDUCE(bf16, __nv_bfloat16)
