// Element-wise kernels: fill, scale, divide (MEAN K-reduction), strided copy with dtype conversion and broadcast,
// broadcasting multiply. Thread functions in elementwise.cuh. Launch: 1-D blocks of 256 threads, any grid
// (grid-stride loops); no shared memory. Argument lists: native/KERNELS.md.
#include "elementwise.cuh"

using einsum4j::PairLayout;
using einsum4j::this_thread;
namespace ew = einsum4j::elementwise;

#define EINSUM4J_FILL_SCALE(SUFFIX, T, S)                                                                    \
    extern "C" __global__ void fill_##SUFFIX(T* out, int64_t n, T value) {                                   \
        ew::fill_thread<T>(this_thread(), out, n, value);                                                    \
    }                                                                                                        \
    extern "C" __global__ void scale_##SUFFIX(T* data, int64_t n, S alpha) {                                 \
        ew::scale_thread<T, S>(this_thread(), data, n, alpha);                                               \
    }                                                                                                        \
    extern "C" __global__ void divide_##SUFFIX(T* data, int64_t n, S divisor) {                              \
        ew::divide_thread<T, S>(this_thread(), data, n, divisor);                                            \
    }                                                                                                        \
    extern "C" __global__ void mul_broadcast_##SUFFIX(const T* a, const T* b, T* out, PairLayout layout,     \
                                                      int64_t n) {                                           \
        ew::mul_thread<T>(this_thread(), a, b, out, layout, n);                                              \
    }

EINSUM4J_FILL_SCALE(f32, float, float)
EINSUM4J_FILL_SCALE(f64, double, double)
EINSUM4J_FILL_SCALE(f16, __half, float)
EINSUM4J_FILL_SCALE(bf16, __nv_bfloat16, float)

#define EINSUM4J_COPY(FROM, TO, S, D)                                                                        \
    extern "C" __global__ void copy_##FROM##_##TO(const S* src, D* dst, PairLayout layout, int64_t n) {      \
        ew::copy_thread<S, D>(this_thread(), src, dst, layout, n);                                           \
    }

EINSUM4J_COPY(f32, f32, float, float)
EINSUM4J_COPY(f64, f64, double, double)
EINSUM4J_COPY(f32, f64, float, double)
EINSUM4J_COPY(f64, f32, double, float)
EINSUM4J_COPY(f16, f16, __half, __half)
EINSUM4J_COPY(f16, f32, __half, float)
EINSUM4J_COPY(f32, f16, float, __half)
EINSUM4J_COPY(f64, f16, double, __half)
EINSUM4J_COPY(f16, f64, __half, double)
EINSUM4J_COPY(bf16, bf16, __nv_bfloat16, __nv_bfloat16)
EINSUM4J_COPY(bf16, f32, __nv_bfloat16, float)
EINSUM4J_COPY(f32, bf16, float, __nv_bfloat16)
EINSUM4J_COPY(f64, bf16, double, __nv_bfloat16)
EINSUM4J_COPY(bf16, f64, __nv_bfloat16, double)
