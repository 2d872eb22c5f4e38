// Norm-layer partials of the grad samplers, as SampleKernels.layerNormPartials / groupNormPartials compute them:
// float64 statistics (mean, 1/sqrt(biased var + eps), two passes), x̂ never stored, float64 accumulation.
//   norm_stats:          mean[v], rstd[v] of each of `vectors` contiguous vectors of `len` elements (an empty
//                        vector gives 0, 0, never NaN).
//   layer_norm_partials: x, g [rows, inner, len]; stats per (r, m) vector (vectors = rows*inner);
//                        w[r, d] = sum_m (x - mean) * rstd * g, b[r, d] = sum_m g.
//   group_norm_partials: x, g [rows, groups*cpg, spatial]; stats per (r, group) block of cpg*spatial;
//                        w[r, c] = (sum_s (x - mean) * g) * rstd, b[r, c] = sum_s g. InstanceNorm: groups = C.
// Kernels in norm.cu; launch rules in KERNELS.md.
#pragma once

#include "index_math.cuh"

namespace einsum4j {
namespace norm {

// norm_stats, pass 1 and pass 2: this thread's partial sums over elements threadIdx.x, + blockDim.x, ... of
// vector v (the block sums them with block_sum).
template <typename T>
EINSUM4J_HD double sum_partial(const Launch& t, const T* __restrict__ x, int64_t v, int64_t len) {
    const T* p = x + v * len;
    double s = 0;
    for (int64_t j = t.thread_x; j < len; j += t.dim_x) s += widen(p[j]);
    return s;
}

template <typename T>
EINSUM4J_HD double square_partial(const Launch& t, const T* __restrict__ x, int64_t v, int64_t len, double mean) {
    const T* p = x + v * len;
    double s = 0;
    for (int64_t j = t.thread_x; j < len; j += t.dim_x) {
        const double d = static_cast<double>(widen(p[j])) - mean;
        s += d * d;
    }
    return s;
}

EINSUM4J_HD double mean_of(double sum, int64_t len) {
    return len == 0 ? 0.0 : sum / static_cast<double>(len);
}

EINSUM4J_HD double rstd_of(double squares, int64_t len, double eps) {
    return len == 0 ? 0.0 : 1.0 / sqrt(squares / static_cast<double>(len) + eps);
}

// layer_norm_partials: one thread per output (r, d), grid-stride over rows*len; 1-D blocks of 256, any grid.
template <typename T>
EINSUM4J_HD void layer_norm_thread(const Launch& t, const T* __restrict__ x, const T* __restrict__ g,
                                   const double* __restrict__ mean, const double* __restrict__ rstd,
                                   T* __restrict__ w, T* __restrict__ b, int64_t rows, int64_t inner, int64_t len) {
    for (int64_t o = first_index(t); o < rows * len; o += index_step(t)) {
        const int64_t r = o / len;
        const int64_t d = o - r * len;
        double acc_w = 0;
        double acc_b = 0;
        for (int64_t m = 0; m < inner; ++m) {
            const int64_t v = r * inner + m;
            const int64_t off = v * len + d;
            const double gv = widen(g[off]);
            acc_w += (static_cast<double>(widen(x[off])) - mean[v]) * rstd[v] * gv;
            acc_b += gv;
        }
        w[o] = narrow<T>(acc_w);
        b[o] = narrow<T>(acc_b);
    }
}

struct Pair {
    double w, b;
};

// group_norm_partials: one warp per output (r, c) (grid-stride in warps over rows*groups*cpg); lanes over the
// spatial positions. This lane's partial sums; lane 0 writes w = sum_w * rstd, b = sum_b.
template <typename T>
EINSUM4J_HD Pair group_norm_lane(const T* __restrict__ x, const T* __restrict__ g, const double* __restrict__ mean,
                                 int64_t cpg, int64_t spatial, int64_t o, int lane) {
    const int64_t rg = o / cpg;
    const int64_t c = o - rg * cpg;
    const int64_t base = (rg * cpg + c) * spatial;
    Pair p{0, 0};
    for (int64_t s = lane; s < spatial; s += kWarp) {
        const double gv = widen(g[base + s]);
        p.w += (static_cast<double>(widen(x[base + s])) - mean[rg]) * gv;
        p.b += gv;
    }
    return p;
}

template <typename T>
EINSUM4J_HD void group_norm_write(T* __restrict__ w, T* __restrict__ b, const double* __restrict__ rstd,
                                  int64_t cpg, int64_t o, Pair total) {
    w[o] = narrow<T>(total.w * rstd[o / cpg]);
    b[o] = narrow<T>(total.b);
}

}  // namespace norm
}  // namespace einsum4j
