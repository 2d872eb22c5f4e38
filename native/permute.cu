// Permute (transpose) kernels. The CUDA backend uses them where a GEMM cannot absorb a layout change through its
// transpose flags and leading dimensions.
//
// batched_transpose: out[b][c][r] = in[b][r][c] for a batch of rows x cols matrices, through a 32 x 33 shared
// memory tile so that both the reads and the writes are coalesced (the +1 column avoids bank conflicts).
// permute_gather: any permutation (or strided view) of up to kMaxRank dims into a contiguous output: writes are
// coalesced, reads follow the input strides. The general fallback.
//
// Launch (host side, see org.einsum4j.cuda):
//   batched_transpose_*: block (32, 8), grid (ceil(cols/32), ceil(rows/32), batch)
//   permute_gather_*:    1-D blocks of 256 threads, any grid (grid-stride loop)
#include "index_math.cuh"

namespace einsum4j {
namespace permute {

constexpr int kTile = 32;
constexpr int kRowsPerPass = 8;

template <typename T>
__device__ void batched_transpose(const T* __restrict__ in, T* __restrict__ out, int rows, int cols) {
    __shared__ T tile[kTile][kTile + 1];
    const int64_t matrix = static_cast<int64_t>(rows) * cols;
    const T* src = in + blockIdx.z * matrix;
    T* dst = out + blockIdx.z * matrix;

    int c = blockIdx.x * kTile + threadIdx.x;
    int r0 = blockIdx.y * kTile + threadIdx.y;
    for (int k = 0; k < kTile; k += kRowsPerPass) {
        const int r = r0 + k;
        if (r < rows && c < cols) {
            tile[threadIdx.y + k][threadIdx.x] = src[static_cast<int64_t>(r) * cols + c];
        }
    }
    __syncthreads();
    // the output is cols x rows: swap the block's roles so consecutive threads write consecutive addresses
    const int r = blockIdx.y * kTile + threadIdx.x;
    const int c0 = blockIdx.x * kTile + threadIdx.y;
    for (int k = 0; k < kTile; k += kRowsPerPass) {
        const int cc = c0 + k;
        if (cc < cols && r < rows) {
            dst[static_cast<int64_t>(cc) * rows + r] = tile[threadIdx.x][threadIdx.y + k];
        }
    }
}

template <typename T>
__device__ void permute_gather(const T* __restrict__ in, T* __restrict__ out, StridedLayout layout, int64_t n) {
    for (int64_t i = global_thread_index(); i < n; i += global_thread_count()) {
        out[i] = in[strided_offset(layout, i)];
    }
}

}  // namespace permute
}  // namespace einsum4j

extern "C" __global__ void batched_transpose_f32(const float* in, float* out, int rows, int cols) {
    einsum4j::permute::batched_transpose<float>(in, out, rows, cols);
}

extern "C" __global__ void batched_transpose_f64(const double* in, double* out, int rows, int cols) {
    einsum4j::permute::batched_transpose<double>(in, out, rows, cols);
}

// `layout` holds the output's sizes and, per output dim, the input stride: out is row-major over layout.sizes.
extern "C" __global__ void permute_gather_f32(const float* in, float* out, einsum4j::StridedLayout layout,
                                              int64_t n) {
    einsum4j::permute::permute_gather<float>(in, out, layout, n);
}

extern "C" __global__ void permute_gather_f64(const double* in, double* out, einsum4j::StridedLayout layout,
                                              int64_t n) {
    einsum4j::permute::permute_gather<double>(in, out, layout, n);
}
