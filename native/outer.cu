// Fused per-sample outer products (`ni,nj->nij`, `nki,nkj->nij`, `i,j->ij`); thread function and launch rule in
// outer.cuh and native/KERNELS.md. No shared memory. Accumulation in the data type (float32 for 16-bit storage),
// as a GEMM with a tiny k would; beta (0 or 1 in Backend.gemm) is a float for f32/f16/bf16, a double for f64.
#include "outer.cuh"

#define EINSUM4J_OUTER(SUFFIX, T)                                                                              \
    extern "C" __global__ void outer_##SUFFIX(const T* x, const T* y, T* out, int64_t n, int64_t r, int64_t k, \
                                              int64_t i, int64_t j, int64_t x_n, int64_t x_r, int64_t x_k,     \
                                              int64_t x_i, int64_t y_n, int64_t y_r, int64_t y_k, int64_t y_j,  \
                                              einsum4j::MulAcc<T>::type beta) {                                \
        const einsum4j::outer::OuterShape s{n, r, k, i, j, x_n, x_r, x_k, x_i, y_n, y_r, y_k, y_j};            \
        einsum4j::outer::outer_thread<T>(einsum4j::this_thread(), x, y, out, s, beta);                         \
    }

EINSUM4J_OUTER(f32, float)
EINSUM4J_OUTER(f64, double)
EINSUM4J_OUTER(f16, __half)
EINSUM4J_OUTER(bf16, __nv_bfloat16)
