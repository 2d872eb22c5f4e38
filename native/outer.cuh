// Fused per-sample outer product, a batched GEMM of small depth:
//   out[n, i, j] = sum_{r < R} sum_{k < K} x[n, r, k, i] * y[n, r, k, j]  (+ beta * out[n, i, j] when beta != 0)
// for `ni,nj->nij` (R = K = 1), its K-folded form `nki,nkj->nij` (the [B*K, T, ...] -> [B, K*T, ...] fold is a view:
// pass K*T as K with the strides of the fold, or K and T as R and K when they do not merge), and `i,j->ij` (N = 1).
// In Backend.gemm's terms (C[b, m, n] = sum_r sum_k A[b, r, m, k] B[b, r, k, n] + beta C): x = A with i = m,
// y = B with j = n, any strides (0 broadcasts), so it serves every gemm whose depth R*K is small. Memory-bound: the output (N*I*J) dominates the traffic, so each
// thread writes W = 16 / sizeof(T) consecutive j as one 16-byte store (float4-wide) whenever J is a multiple of W
// and out is 16-byte aligned, and reads y the same way when y is contiguous in j and aligned. Kernels in outer.cu.
#pragma once

#include "index_math.cuh"

namespace einsum4j {
namespace outer {

template <typename T>
struct alignas(16) Vec {
    static constexpr int kWidth = 16 / sizeof(T);
    T v[kWidth];
};

// Geometry of one outer-product launch, all in elements. Passed as separate kernel arguments (see outer.cu).
struct OuterShape {
    int64_t n, r, k, i, j;
    int64_t x_n, x_r, x_k, x_i;  // strides of x over (n, r, k, i)
    int64_t y_n, y_r, y_k, y_j;  // strides of y over (n, r, k, j)
};

// Launch: block (bx, by) with bx * by = 256, bx a power of two >= min(ceil(J / W), 256); grid (gx, gy), any sizes:
// threads (x) walk groups of W consecutive j, threads (y) walk rows (n, i) of the output, both grid-stride.
template <typename T>
EINSUM4J_HD void outer_thread(const Launch& t, const T* __restrict__ x, const T* __restrict__ y, T* __restrict__ out,
                              const OuterShape& s, typename MulAcc<T>::type beta) {
    using A = typename MulAcc<T>::type;
    constexpr int W = Vec<T>::kWidth;
    const int64_t groups = ceil_div(s.j, W);
    const int64_t rows = s.n * s.i;
    const bool out_vec = s.j % W == 0 && reinterpret_cast<uintptr_t>(out) % 16 == 0;
    const bool y_vec = out_vec && s.y_j == 1 && s.y_k % W == 0 && s.y_r % W == 0 && s.y_n % W == 0 &&
                       reinterpret_cast<uintptr_t>(y) % 16 == 0;
    const int64_t row_step = static_cast<int64_t>(t.grid_y) * t.dim_y;
    const int64_t group_step = static_cast<int64_t>(t.grid_x) * t.dim_x;
    for (int64_t row = static_cast<int64_t>(t.block_y) * t.dim_y + t.thread_y; row < rows; row += row_step) {
        const int64_t n = row / s.i;
        const int64_t i = row - n * s.i;
        const T* xr = x + n * s.x_n + i * s.x_i;
        const T* yr = y + n * s.y_n;
        T* orow = out + row * s.j;
        for (int64_t g = static_cast<int64_t>(t.block_x) * t.dim_x + t.thread_x; g < groups; g += group_step) {
            const int64_t j0 = g * W;
            A acc[W];
#pragma unroll
            for (int w = 0; w < W; ++w) acc[w] = 0;
            for (int64_t r = 0; r < s.r; ++r) {
                for (int64_t k = 0; k < s.k; ++k) {
                    const A xv = widen(xr[r * s.x_r + k * s.x_k]);
                    const T* yk = yr + r * s.y_r + k * s.y_k;
                    if (y_vec) {
                        const Vec<T> yv = *reinterpret_cast<const Vec<T>*>(yk + j0);
#pragma unroll
                        for (int w = 0; w < W; ++w) acc[w] += xv * static_cast<A>(widen(yv.v[w]));
                    } else {
#pragma unroll
                        for (int w = 0; w < W; ++w) {
                            if (j0 + w < s.j) acc[w] += xv * static_cast<A>(widen(yk[(j0 + w) * s.y_j]));
                        }
                    }
                }
            }
            if (out_vec) {
                Vec<T> v;
                if (beta != A(0)) {  // uniform: the old values are read only when asked for (beta 0 ignores NaN there)
                    const Vec<T> old = *reinterpret_cast<const Vec<T>*>(orow + j0);
#pragma unroll
                    for (int w = 0; w < W; ++w) acc[w] += beta * static_cast<A>(widen(old.v[w]));
                }
#pragma unroll
                for (int w = 0; w < W; ++w) v.v[w] = narrow<T>(acc[w]);
                *reinterpret_cast<Vec<T>*>(orow + j0) = v;
            } else {
#pragma unroll
                for (int w = 0; w < W; ++w) {
                    if (j0 + w < s.j) {
                        if (beta != A(0)) acc[w] += beta * static_cast<A>(widen(orow[j0 + w]));
                        orow[j0 + w] = narrow<T>(acc[w]);
                    }
                }
            }
        }
    }
}

}  // namespace outer
}  // namespace einsum4j
