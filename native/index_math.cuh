// Index arithmetic shared by the einsum4j kernels: 64-bit safe sizes, ceil-division for launch grids, the mapping
// of a linear row-major index to a strided offset (what every gather-style kernel needs), the launch coordinates
// of a thread, and the reductions inside a warp or a block.
//
// Testability rule: every kernel's body is a __host__ __device__ "thread function" that takes the thread's
// coordinates as a Launch value instead of reading blockIdx/threadIdx. The __global__ wrapper passes
// this_thread(); native/test/harness.cu loops over a simulated grid on the host and calls the same function, so
// the per-element index math the GPU runs is the math the host test checks. Only the cross-thread combine steps
// (warp shuffles, __syncthreads) are device-only; their host models (host_warp_sum, host_block_sum) pair values
// in the same order.
//
// Kernels are compiled as one translation unit (see cmake/Fatbin.cmake), so everything here is inline, and each
// kernel family keeps its own helpers in its own namespace.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <stdint.h>

#include <type_traits>

#include <math.h>

namespace einsum4j {

#define EINSUM4J_HD __host__ __device__ inline

// Most dimensions a kernel parameter block carries; einsum operands beyond this are reshaped by the planner.
constexpr int kMaxRank = 8;

// Threads per warp; every block size in KERNELS.md is a multiple of it.
constexpr int kWarp = 32;

// Sizes and strides (in elements) of a strided tensor view, passed to kernels by value.
// Byte layout (for the Java side): int32 rank @0, 4 bytes padding, int64 sizes[8] @8, int64 strides[8] @72;
// 136 bytes, 8-byte aligned. Unused trailing entries are ignored.
struct StridedLayout {
    int rank;
    int64_t sizes[kMaxRank];
    int64_t strides[kMaxRank];
};

// One index space walked with two sets of strides (copy: source and destination; multiply: operands a and b).
// Byte layout: int32 rank @0, padding, int64 sizes[8] @8, int64 strides_a[8] @72, int64 strides_b[8] @136; 200 bytes.
// A stride of 0 broadcasts that dim.
struct PairLayout {
    int rank;
    int64_t sizes[kMaxRank];
    int64_t strides_a[kMaxRank];
    int64_t strides_b[kMaxRank];
};

static_assert(sizeof(StridedLayout) == 136, "StridedLayout's byte layout is part of the kernel contract");
static_assert(sizeof(PairLayout) == 200, "PairLayout's byte layout is part of the kernel contract");

// The coordinates of one thread of a launch (CUDA's blockIdx, threadIdx, gridDim, blockDim), as a value so that the
// host harness can make them up.
struct Launch {
    unsigned block_x, block_y, block_z;
    unsigned thread_x, thread_y, thread_z;
    unsigned grid_x, grid_y, grid_z;
    unsigned dim_x, dim_y, dim_z;
};

__device__ inline Launch this_thread() {
    return Launch{blockIdx.x,  blockIdx.y,  blockIdx.z,  threadIdx.x, threadIdx.y, threadIdx.z,
                  gridDim.x,   gridDim.y,   gridDim.z,   blockDim.x,  blockDim.y,  blockDim.z};
}

EINSUM4J_HD int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

// Grid-stride loop bounds over a 1-D launch (x only): the first index of this thread and the step.
EINSUM4J_HD int64_t first_index(const Launch& t) {
    return static_cast<int64_t>(t.block_x) * t.dim_x + t.thread_x;
}

EINSUM4J_HD int64_t index_step(const Launch& t) {
    return static_cast<int64_t>(t.grid_x) * t.dim_x;
}

// Warp-granular grid-stride loop (one warp per work item): this thread's global warp number, lane and warp count.
EINSUM4J_HD int64_t first_warp(const Launch& t) {
    return first_index(t) / kWarp;
}

EINSUM4J_HD int lane_of(const Launch& t) {
    return static_cast<int>(t.thread_x % kWarp);
}

EINSUM4J_HD int64_t warp_step(const Launch& t) {
    return index_step(t) / kWarp;
}

// Offset (in elements) of the element whose row-major linear index over sizes[0..rank) is `linear`.
EINSUM4J_HD int64_t strided_offset(int rank, const int64_t* sizes, const int64_t* strides, int64_t linear) {
    if (rank == 1) {
        return linear * strides[0];
    }
    int64_t offset = 0;
    for (int d = rank - 1; d >= 0; --d) {
        const int64_t size = sizes[d];
        const int64_t i = linear % size;
        linear /= size;
        offset += i * strides[d];
    }
    return offset;
}

EINSUM4J_HD int64_t strided_offset(const StridedLayout& layout, int64_t linear) {
    return strided_offset(layout.rank, layout.sizes, layout.strides, linear);
}

// Both offsets of a PairLayout for one linear index, with one division per dim.
EINSUM4J_HD void pair_offsets(const PairLayout& layout, int64_t linear, int64_t* a, int64_t* b) {
    int64_t oa = 0;
    int64_t ob = 0;
    for (int d = layout.rank - 1; d >= 0; --d) {
        const int64_t size = layout.sizes[d];
        const int64_t i = linear % size;
        linear /= size;
        oa += i * layout.strides_a[d];
        ob += i * layout.strides_b[d];
    }
    *a = oa;
    *b = ob;
}

// ---------------------------------------------------------------- element types

// widen: the value in the type arithmetic is done in (float for the 16-bit types, else the type itself);
// narrow<T>: back to storage type T, rounding to nearest even.
EINSUM4J_HD float widen(float v) { return v; }
EINSUM4J_HD double widen(double v) { return v; }
EINSUM4J_HD float widen(__half v) { return __half2float(v); }
EINSUM4J_HD float widen(__nv_bfloat16 v) { return __bfloat162float(v); }

template <typename T>
struct Narrow;
template <>
struct Narrow<float> {
    EINSUM4J_HD static float from(double v) { return static_cast<float>(v); }
};
template <>
struct Narrow<double> {
    EINSUM4J_HD static double from(double v) { return v; }
};
template <>
struct Narrow<__half> {
    EINSUM4J_HD static __half from(double v) { return __double2half(v); }
    EINSUM4J_HD static __half from(float v) { return __float2half_rn(v); }
};
template <>
struct Narrow<__nv_bfloat16> {
    EINSUM4J_HD static __nv_bfloat16 from(double v) { return __double2bfloat16(v); }
    EINSUM4J_HD static __nv_bfloat16 from(float v) { return __float2bfloat16_rn(v); }
};

template <typename T, typename A>
EINSUM4J_HD T narrow(A v) {
    return Narrow<T>::from(v);
}

// Accumulator of long sums (reductions, norm statistics): float64 for float32 and float64 data, float32 for the
// 16-bit storage types (FP32 accumulation).
template <typename T>
struct SumAcc {
    using type = typename std::conditional<sizeof(T) == 2, float, double>::type;
};

// Accumulator of short products (outer products with a small K): the type itself, float32 for the 16-bit types
// (the type widen returns).
template <typename T>
struct MulAcc {
    using type = decltype(widen(T()));
};

// ---------------------------------------------------------------- cross-thread combine steps

// Sum over the 32 lanes of a warp; the total is valid in lane 0. Pairing: lane l += lane l+16, l+8, l+4, l+2, l+1.
template <typename A>
__device__ inline A warp_sum(A v) {
    for (int offset = kWarp / 2; offset > 0; offset >>= 1) {
        v += __shfl_down_sync(0xffffffffu, v, offset);
    }
    return v;
}

// Sum over a 1-D block (blockDim.x a multiple of 32, at most 1024); valid in thread 0. Every thread of the block
// must call it (it has barriers). Each warp sums itself (warp_sum), then warp 0 sums the warps' totals.
// Static shared memory: 32 accumulators.
template <typename A>
__device__ inline A block_sum(A v) {
    __shared__ A warp_totals[kWarp];
    const int lane = threadIdx.x % kWarp;
    const int warp = threadIdx.x / kWarp;
    v = warp_sum(v);
    __syncthreads();  // the previous call's readers are done with warp_totals
    if (lane == 0) {
        warp_totals[warp] = v;
    }
    __syncthreads();
    if (warp == 0) {
        v = lane < static_cast<int>(blockDim.x / kWarp) ? warp_totals[lane] : A(0);
        v = warp_sum(v);
    }
    return v;
}

// Host models of warp_sum and block_sum, pairing the values in the same order (for the harness).
template <typename A>
__host__ inline A host_warp_sum(const A* lanes) {
    A v[kWarp];
    for (int l = 0; l < kWarp; ++l) v[l] = lanes[l];
    for (int offset = kWarp / 2; offset > 0; offset >>= 1) {
        for (int l = 0; l < kWarp; ++l) {
            // __shfl_down_sync returns the lane's own value when l + offset is out of the warp
            v[l] += l + offset < kWarp ? v[l + offset] : v[l];
        }
    }
    return v[0];
}

template <typename A>
__host__ inline A host_block_sum(const A* values, int threads) {
    A totals[kWarp];
    const int warps = threads / kWarp;
    for (int w = 0; w < kWarp; ++w) totals[w] = w < warps ? host_warp_sum(values + w * kWarp) : A(0);
    return host_warp_sum(totals);
}

// Lowers *target to value (as unsigned 64-bit: -1 is the largest); on the host the harness is single-threaded.
EINSUM4J_HD void atomic_min_u64(int64_t* target, int64_t value) {
#ifdef __CUDA_ARCH__
    atomicMin(reinterpret_cast<unsigned long long*>(target), static_cast<unsigned long long>(value));
#else
    if (static_cast<uint64_t>(value) < static_cast<uint64_t>(*target)) *target = value;
#endif
}

}  // namespace einsum4j
