// Index arithmetic shared by the einsum4j kernels: 64-bit safe sizes, ceil-division for launch grids, and the
// mapping of a linear row-major index to a strided offset (what every gather-style kernel needs).
//
// Kernels are compiled as one translation unit (see cmake/Fatbin.cmake), so everything here is inline, and each
// kernel family keeps its own helpers in its own namespace.
#pragma once

#include <stdint.h>

namespace einsum4j {

// Most dimensions a kernel parameter block carries; einsum operands beyond this are reshaped by the planner.
constexpr int kMaxRank = 8;

// Sizes and strides (in elements) of a strided tensor view, passed to kernels by value.
struct StridedLayout {
    int rank;
    int64_t sizes[kMaxRank];
    int64_t strides[kMaxRank];
};

__host__ __device__ inline int64_t ceil_div(int64_t a, int64_t b) {
    return (a + b - 1) / b;
}

// Offset (in elements) of the element whose row-major linear index over layout.sizes is `linear`.
__device__ inline int64_t strided_offset(const StridedLayout& layout, int64_t linear) {
    int64_t offset = 0;
    for (int d = layout.rank - 1; d >= 0; --d) {
        const int64_t size = layout.sizes[d];
        const int64_t i = linear % size;
        linear /= size;
        offset += i * layout.strides[d];
    }
    return offset;
}

// Grid-stride loop bounds: the first index of this thread and the step, for 1-D launches.
__device__ inline int64_t global_thread_index() {
    return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ inline int64_t global_thread_count() {
    return static_cast<int64_t>(gridDim.x) * blockDim.x;
}

}  // namespace einsum4j
