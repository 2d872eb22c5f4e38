// Element-wise thread functions: fill, scale, divide (the K-reduction's MEAN), strided copy with dtype conversion
// (stride 0 broadcasts), and the broadcasting (Hadamard) multiply. Kernels in elementwise.cu; launch rules in
// KERNELS.md. All are 1-D grid-stride loops: any grid, blocks of 256 threads.
#pragma once

#include "index_math.cuh"

namespace einsum4j {
namespace elementwise {

// out[i] = value, i < n (contiguous).
template <typename T>
EINSUM4J_HD void fill_thread(const Launch& t, T* __restrict__ out, int64_t n, T value) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        out[i] = value;
    }
}

// data[i] = data[i] * alpha in place (contiguous); 16-bit types multiply in float32.
template <typename T, typename S>
EINSUM4J_HD void scale_thread(const Launch& t, T* __restrict__ data, int64_t n, S alpha) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        data[i] = narrow<T>(widen(data[i]) * alpha);
    }
}

// data[i] = data[i] / divisor in place: a true division, not a multiply by a rounded 1/divisor, so that the MEAN
// K-reduction matches the CPU backend bit for bit.
template <typename T, typename S>
EINSUM4J_HD void divide_thread(const Launch& t, T* __restrict__ data, int64_t n, S divisor) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        data[i] = narrow<T>(widen(data[i]) / divisor);
    }
}

// dst[offset_b(i)] = convert(src[offset_a(i)]) over layout.sizes (strides_a: source, strides_b: destination; a
// source stride of 0 broadcasts). Conversion rounds to nearest even; float64 -> 16-bit rounds once.
template <typename S, typename D>
EINSUM4J_HD void copy_thread(const Launch& t, const S* __restrict__ src, D* __restrict__ dst,
                             const PairLayout& layout, int64_t n) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        int64_t a;
        int64_t b;
        pair_offsets(layout, i, &a, &b);
        dst[b] = narrow<D>(widen(src[a]));
    }
}

// out[i] = a[offset_a(i)] * b[offset_b(i)], out contiguous row-major over layout.sizes; broadcast dims have
// stride 0 in a or b. 16-bit types multiply in float32.
template <typename T>
EINSUM4J_HD void mul_thread(const Launch& t, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ out,
                            const PairLayout& layout, int64_t n) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        int64_t oa;
        int64_t ob;
        pair_offsets(layout, i, &oa, &ob);
        out[i] = narrow<T>(widen(a[oa]) * widen(b[ob]));
    }
}

}  // namespace elementwise
}  // namespace einsum4j
