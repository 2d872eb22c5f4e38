// Norm-layer partial kernels; what they compute is in norm.cuh, launch rules in native/KERNELS.md:
//   norm_stats_*:          one block (256 threads) per vector, grid-stride over vectors (grid: min(vectors, 65535));
//                          static shared memory 32 doubles + 1 double.
//   layer_norm_partials_*: one thread per output; 1-D blocks of 256, any grid.
//   group_norm_partials_*: one warp per output; 1-D blocks of 256, any grid.
#include "norm.cuh"

namespace einsum4j {
namespace norm {

template <typename T>
__device__ void stats(const T* __restrict__ x, double* __restrict__ mean, double* __restrict__ rstd,
                      int64_t vectors, int64_t len, double eps) {
    __shared__ double shared_mean;
    const Launch t = this_thread();
    for (int64_t v = t.block_x; v < vectors; v += t.grid_x) {  // uniform per block
        const double sum = block_sum(sum_partial(t, x, v, len));
        if (t.thread_x == 0) shared_mean = mean_of(sum, len);
        __syncthreads();
        const double m = shared_mean;
        const double squares = block_sum(square_partial(t, x, v, len, m));
        if (t.thread_x == 0) {
            mean[v] = m;
            rstd[v] = rstd_of(squares, len, eps);
        }
        __syncthreads();  // shared_mean is rewritten by the next vector
    }
}

template <typename T>
__device__ void group_norm(const T* __restrict__ x, const T* __restrict__ g, const double* __restrict__ mean,
                           const double* __restrict__ rstd, T* __restrict__ w, T* __restrict__ b, int64_t outputs,
                           int64_t cpg, int64_t spatial) {
    const Launch t = this_thread();
    const int lane = lane_of(t);
    for (int64_t o = first_warp(t); o < outputs; o += warp_step(t)) {  // uniform per warp
        const Pair p = group_norm_lane(x, g, mean, cpg, spatial, o, lane);
        const Pair total{warp_sum(p.w), warp_sum(p.b)};
        if (lane == 0) group_norm_write(w, b, rstd, cpg, o, total);
    }
}

}  // namespace norm
}  // namespace einsum4j

#define EINSUM4J_NORM(SUFFIX, T)                                                                              \
    extern "C" __global__ void norm_stats_##SUFFIX(const T* x, double* mean, double* rstd, int64_t vectors,     \
                                                   int64_t len, double eps) {                                 \
        einsum4j::norm::stats<T>(x, mean, rstd, vectors, len, eps);                                           \
    }                                                                                                         \
    extern "C" __global__ void layer_norm_partials_##SUFFIX(const T* x, const T* g, const double* mean,         \
                                                            const double* rstd, T* w, T* b, int64_t rows,     \
                                                            int64_t inner, int64_t len) {                     \
        einsum4j::norm::layer_norm_thread<T>(einsum4j::this_thread(), x, g, mean, rstd, w, b, rows, inner, len); \
    }                                                                                                         \
    extern "C" __global__ void group_norm_partials_##SUFFIX(const T* x, const T* g, const double* mean,         \
                                                            const double* rstd, T* w, T* b, int64_t rows,     \
                                                            int64_t groups, int64_t cpg, int64_t spatial) {   \
        einsum4j::norm::group_norm<T>(x, g, mean, rstd, w, b, rows * groups * cpg, cpg, spatial);             \
    }

EINSUM4J_NORM(f32, float)
EINSUM4J_NORM(f64, double)
