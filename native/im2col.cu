// im2col for the Conv grad sampler; layout, thread function and launch rule in im2col.cuh and native/KERNELS.md.
// No shared memory; x is read through the read-only path, cols written coalesced.
#include "im2col.cuh"

#define EINSUM4J_IM2COL(SUFFIX, T)                                                                         \
    extern "C" __global__ void im2col_##SUFFIX(const T* x, T* cols, einsum4j::im2col::ConvGeometry g) {    \
        einsum4j::im2col::im2col_thread<T>(einsum4j::this_thread(), x, cols, g);                           \
    }

EINSUM4J_IM2COL(f32, float)
EINSUM4J_IM2COL(f64, double)
EINSUM4J_IM2COL(f16, __half)
EINSUM4J_IM2COL(bf16, __nv_bfloat16)
