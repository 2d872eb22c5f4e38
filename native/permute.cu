// Permute (transpose) kernels. The CUDA backend uses them where a GEMM cannot absorb a layout change through its
// transpose flags and leading dimensions, and diagonal_gather where a diagonal (`ii->i`) must be a copy rather
// than a strided view.
//
// batched_transpose: out[b][c][r] = in[b][r][c] for a batch of rows x cols matrices, through a 32 x 33 shared
// memory tile so that both the reads and the writes are coalesced (the +1 column avoids bank conflicts).
// permute_gather: any permutation (or strided view) of up to kMaxRank dims into a contiguous output: writes are
// coalesced, reads follow the input strides. The general fallback.
// diagonal_gather: permute_gather under its own name, with the layout from permute::diagonal_layout (summed strides).
//
// Launch (host side, see org.einsum4j.cuda and native/KERNELS.md):
//   batched_transpose_*: block (32, 8), grid (ceil(cols/32), ceil(rows/32), batch)
//   permute_gather_*, diagonal_gather_*: 1-D blocks of 256 threads, any grid (grid-stride loop)
#include "permute.cuh"

namespace einsum4j {
namespace permute {

template <typename T>
__device__ void batched_transpose(const T* __restrict__ in, T* __restrict__ out, int rows, int cols) {
    __shared__ T tile[kTile][kTile + 1];
    const Launch t = this_thread();
    transpose_load(t, in, tile, rows, cols);
    __syncthreads();
    transpose_store(t, out, tile, rows, cols);
}

}  // namespace permute
}  // namespace einsum4j

#define EINSUM4J_PERMUTE(SUFFIX, T)                                                                              \
    extern "C" __global__ void batched_transpose_##SUFFIX(const T* in, T* out, int rows, int cols) {            \
        einsum4j::permute::batched_transpose<T>(in, out, rows, cols);                                            \
    }                                                                                                            \
    /* `layout` holds the output's sizes and, per output dim, the input stride: out is row-major over sizes. */ \
    extern "C" __global__ void permute_gather_##SUFFIX(const T* in, T* out, einsum4j::StridedLayout layout,     \
                                                       int64_t n) {                                              \
        einsum4j::permute::gather_thread<T>(einsum4j::this_thread(), in, out, layout, n);                        \
    }                                                                                                            \
    extern "C" __global__ void diagonal_gather_##SUFFIX(const T* in, T* out, einsum4j::StridedLayout layout,    \
                                                        int64_t n) {                                             \
        einsum4j::permute::gather_thread<T>(einsum4j::this_thread(), in, out, layout, n);                        \
    }

EINSUM4J_PERMUTE(f32, float)
EINSUM4J_PERMUTE(f64, double)
EINSUM4J_PERMUTE(f16, __half)
EINSUM4J_PERMUTE(bf16, __nv_bfloat16)
