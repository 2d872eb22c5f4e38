// Thread functions of the nn modules' kernels (org.einsum4j.nn.NnKernels on CUDA): activations and their
// derivatives, bias add, axpy, col2im (the convolution backward's fold), max/average pooling forward and backward,
// the normalization of LayerNorm/GroupNorm forward and backward, the dropout mask, the embedding gather, softmax
// cross-entropy, mean squared error, row argmax and Adam. Kernels in nn.cu; launch rules in native/KERNELS.md
// ("nn kernels"): every kernel is a 1-D grid-stride loop (G1) over its items, blocks of 256, no shared memory.
//
// Each function computes what the Java host implementation (cpu/CpuNnKernels) computes, in the same order and in
// float64 (stored in the tensor's dtype), so the host harness (native/test/nn_harness.cu) compares them with the
// Java loops through NnKernelHarnessTest. Backward passes of pooling and col2im are gathers (each input element sums
// the outputs that read it, in ascending output order), not scatters: no atomics, deterministic.
#pragma once

#include "index_math.cuh"

namespace einsum4j {
namespace nn {

constexpr double kSqrt2OverPi = 0.7978845608028654;  // sqrt(2 / pi), as Math.sqrt(2 / Math.PI)

// 0 ReLU, 1 Tanh, 2 GELU (PyTorch's approximate='tanh').
EINSUM4J_HD double activate(int64_t kind, double v) {
    if (kind == 0) return v > 0 ? v : 0;
    if (kind == 1) return tanh(v);
    return 0.5 * v * (1 + tanh(kSqrt2OverPi * (v + 0.044715 * v * v * v)));
}

EINSUM4J_HD double activate_derivative(int64_t kind, double v) {
    if (kind == 0) return v > 0 ? 1 : 0;
    if (kind == 1) {
        const double t = tanh(v);
        return 1 - t * t;
    }
    const double u = kSqrt2OverPi * (v + 0.044715 * v * v * v);
    const double t = tanh(u);
    return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * kSqrt2OverPi * (1 + 3 * 0.044715 * v * v);
}

template <typename T>
EINSUM4J_HD void activation_thread(const Launch& t, const T* __restrict__ x, T* __restrict__ y, int64_t n,
                                   int64_t kind) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) y[i] = static_cast<T>(activate(kind, x[i]));
}

template <typename T>
EINSUM4J_HD void activation_backward_thread(const Launch& t, const T* __restrict__ x, const T* __restrict__ g,
                                            T* __restrict__ dx, int64_t n, int64_t kind) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        dx[i] = static_cast<T>(static_cast<double>(g[i]) * activate_derivative(kind, x[i]));
    }
}

// y[i] = x[i] + bias[(i / inner) % c]: bias along one axis of a contiguous tensor.
template <typename T>
EINSUM4J_HD void add_along_axis_thread(const Launch& t, const T* __restrict__ x, const T* __restrict__ bias,
                                       T* __restrict__ y, int64_t n, int64_t inner, int64_t c) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        y[i] = static_cast<T>(static_cast<double>(x[i]) + static_cast<double>(bias[(i / inner) % c]));
    }
}

// y = a + alpha * b in float64.
template <typename T>
EINSUM4J_HD void axpy_thread(const Launch& t, const T* __restrict__ a, const T* __restrict__ b, T* __restrict__ y,
                             int64_t n, double alpha) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        y[i] = static_cast<T>(static_cast<double>(a[i]) + alpha * static_cast<double>(b[i]));
    }
}

// The window positions along one axis whose tap `k` reads input coordinate `y`: output o reads o*s - p + k*d.
// Returns the output index or -1.
EINSUM4J_HD int64_t tap_source(int64_t y, int64_t k, int64_t s, int64_t p, int64_t d, int64_t out) {
    const int64_t q = y + p - k * d;
    if (q < 0 || q % s != 0) return -1;
    const int64_t o = q / s;
    return o < out ? o : -1;
}

// col2im: x[n, c, y, x] = sum over taps (ki, kj) in ascending order of cols[n, (c*kh + ki)*kw + kj, oi*ow + oj]
// where (oi, oj) is the output that tap reads (y, x) from. One thread per input element.
template <typename T>
EINSUM4J_HD void fold_thread(const Launch& t, const T* __restrict__ cols, T* __restrict__ x, int64_t n, int64_t c,
                             int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t ph,
                             int64_t pw, int64_t dh, int64_t dw, int64_t oh, int64_t ow) {
    const int64_t total = n * c * h * w;
    const int64_t rows = c * kh * kw;
    const int64_t l = oh * ow;
    for (int64_t i = first_index(t); i < total; i += index_step(t)) {
        const int64_t xx = i % w;
        const int64_t yy = i / w % h;
        const int64_t ch = i / (w * h) % c;
        const int64_t s = i / (w * h * c);
        double acc = 0;
        for (int64_t ki = 0; ki < kh; ++ki) {
            const int64_t oi = tap_source(yy, ki, sh, ph, dh, oh);
            if (oi < 0) continue;
            for (int64_t kj = 0; kj < kw; ++kj) {
                const int64_t oj = tap_source(xx, kj, sw, pw, dw, ow);
                if (oj < 0) continue;
                acc += static_cast<double>(cols[(s * rows + (ch * kh + ki) * kw + kj) * l + oi * ow + oj]);
            }
        }
        x[i] = static_cast<T>(acc);
    }
}

// Pooling geometry of [planes, h, w] with kernel (kh, kw), stride (sh, sw), no padding, output (oh, ow).
struct Pool {
    int64_t planes, h, w, kh, kw, sh, sw, oh, ow;
};

// The first output index along one axis whose window covers coordinate y, and one past the last.
EINSUM4J_HD int64_t first_window(int64_t y, int64_t k, int64_t s) {
    return y < k ? 0 : (y - k) / s + 1;
}

EINSUM4J_HD int64_t last_window(int64_t y, int64_t s, int64_t out) {
    const int64_t o = y / s + 1;
    return o < out ? o : out;
}

// The plane of input element e and the output windows [i0, i1) x [j0, j1) that cover it.
struct Covering {
    int64_t plane, i0, i1, j0, j1;
};

EINSUM4J_HD Covering covering(int64_t e, const Pool& q) {
    const int64_t xx = e % q.w;
    const int64_t yy = e / q.w % q.h;
    return Covering{e / (q.w * q.h), first_window(yy, q.kh, q.sh), last_window(yy, q.sh, q.oh),
                    first_window(xx, q.kw, q.sw), last_window(xx, q.sw, q.ow)};
}

// y[o] = the window's first maximum, arg[o] its flat input index (plane*h*w + row*w + col).
template <typename T>
EINSUM4J_HD void max_pool_thread(const Launch& t, const T* __restrict__ x, T* __restrict__ y,
                                 int64_t* __restrict__ arg, const Pool& g) {
    const int64_t total = g.planes * g.oh * g.ow;
    for (int64_t o = first_index(t); o < total; o += index_step(t)) {
        const int64_t j = o % g.ow;
        const int64_t i = o / g.ow % g.oh;
        const int64_t p = o / (g.ow * g.oh);
        int64_t at = (p * g.h + i * g.sh) * g.w + j * g.sw;
        for (int64_t u = 0; u < g.kh; ++u) {
            for (int64_t v = 0; v < g.kw; ++v) {
                const int64_t e = (p * g.h + i * g.sh + u) * g.w + j * g.sw + v;
                if (static_cast<double>(x[e]) > static_cast<double>(x[at])) at = e;
            }
        }
        y[o] = x[at];
        arg[o] = at;
    }
}

// dx[e] = sum of g[o] over the windows o (ascending) whose recorded maximum is e.
template <typename T>
EINSUM4J_HD void max_pool_backward_thread(const Launch& t, const T* __restrict__ g, const int64_t* __restrict__ arg,
                                          T* __restrict__ dx, const Pool& q) {
    const int64_t total = q.planes * q.h * q.w;
    for (int64_t e = first_index(t); e < total; e += index_step(t)) {
        const Covering c = covering(e, q);
        double acc = 0;
        for (int64_t i = c.i0; i < c.i1; ++i) {
            for (int64_t j = c.j0; j < c.j1; ++j) {
                const int64_t o = (c.plane * q.oh + i) * q.ow + j;
                if (arg[o] == e) acc += static_cast<double>(g[o]);
            }
        }
        dx[e] = static_cast<T>(acc);
    }
}

template <typename T>
EINSUM4J_HD void avg_pool_thread(const Launch& t, const T* __restrict__ x, T* __restrict__ y, const Pool& g) {
    const int64_t total = g.planes * g.oh * g.ow;
    const int64_t kk = g.kh * g.kw;
    for (int64_t o = first_index(t); o < total; o += index_step(t)) {
        const int64_t j = o % g.ow;
        const int64_t i = o / g.ow % g.oh;
        const int64_t p = o / (g.ow * g.oh);
        double s = 0;
        for (int64_t u = 0; u < g.kh; ++u) {
            for (int64_t v = 0; v < g.kw; ++v) s += static_cast<double>(x[(p * g.h + i * g.sh + u) * g.w + j * g.sw + v]);
        }
        y[o] = static_cast<T>(s / kk);
    }
}

template <typename T>
EINSUM4J_HD void avg_pool_backward_thread(const Launch& t, const T* __restrict__ g, T* __restrict__ dx, const Pool& q) {
    const int64_t total = q.planes * q.h * q.w;
    const int64_t kk = q.kh * q.kw;
    for (int64_t e = first_index(t); e < total; e += index_step(t)) {
        const Covering c = covering(e, q);
        double acc = 0;
        for (int64_t i = c.i0; i < c.i1; ++i) {
            for (int64_t j = c.j0; j < c.j1; ++j) acc += static_cast<double>(g[(c.plane * q.oh + i) * q.ow + j]) / kk;
        }
        dx[e] = static_cast<T>(acc);
    }
}

// One thread per group of `size` consecutive elements: mean, biased variance (two passes, float64), x̂, and the
// statistics stats[gi] = mean, stats[groups + gi] = 1/sqrt(var + eps).
template <typename T>
EINSUM4J_HD void normalize_thread(const Launch& t, const T* __restrict__ x, T* __restrict__ xhat,
                                  double* __restrict__ stats, int64_t groups, int64_t size, double eps) {
    for (int64_t gi = first_index(t); gi < groups; gi += index_step(t)) {
        const T* a = x + gi * size;
        double mean = 0;
        for (int64_t i = 0; i < size; ++i) mean += static_cast<double>(a[i]);
        mean /= size;
        double var = 0;
        for (int64_t i = 0; i < size; ++i) {
            const double c = static_cast<double>(a[i]) - mean;
            var += c * c;
        }
        const double r = 1 / sqrt(var / size + eps);
        stats[gi] = mean;
        stats[groups + gi] = r;
        for (int64_t i = 0; i < size; ++i) xhat[gi * size + i] = static_cast<T>((static_cast<double>(a[i]) - mean) * r);
    }
}

// dx = rstd * (g - mean(g) - x̂ * mean(g ⊙ x̂)) per group, one thread per group.
template <typename T>
EINSUM4J_HD void normalize_backward_thread(const Launch& t, const T* __restrict__ g, const T* __restrict__ xhat,
                                           const double* __restrict__ stats, T* __restrict__ dx, int64_t groups,
                                           int64_t size) {
    for (int64_t gi = first_index(t); gi < groups; gi += index_step(t)) {
        const int64_t o = gi * size;
        double mg = 0;
        double mgx = 0;
        for (int64_t i = 0; i < size; ++i) {
            mg += static_cast<double>(g[o + i]);
            mgx += static_cast<double>(g[o + i]) * static_cast<double>(xhat[o + i]);
        }
        mg /= size;
        mgx /= size;
        const double r = stats[groups + gi];
        for (int64_t i = 0; i < size; ++i) {
            dx[o + i] = static_cast<T>(r * (static_cast<double>(g[o + i]) - mg - static_cast<double>(xhat[o + i]) * mgx));
        }
    }
}

// NnKernels.dropoutUniform: SplitMix64's finalizer of seed + (i + 1)·φ, top 53 bits, in [0, 1).
EINSUM4J_HD double dropout_uniform(int64_t seed, int64_t i) {
    uint64_t z = static_cast<uint64_t>(seed) + static_cast<uint64_t>(i + 1) * 0x9E3779B97F4A7C15ULL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    z = z ^ (z >> 31);
    return static_cast<double>(z >> 11) * 0x1.0p-53;
}

template <typename T>
EINSUM4J_HD void dropout_mask_thread(const Launch& t, T* __restrict__ mask, int64_t n, int64_t seed, double p,
                                     double keep) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        mask[i] = static_cast<T>(dropout_uniform(seed, i) < p ? 0.0 : keep);
    }
}

// y[q, :] = w[idx[q], :] for in-range indices (checked before the launch by index_check_i64).
template <typename T>
EINSUM4J_HD void gather_rows_thread(const Launch& t, const T* __restrict__ w, const int64_t* __restrict__ idx,
                                    T* __restrict__ y, int64_t positions, int64_t dim) {
    const int64_t total = positions * dim;
    for (int64_t i = first_index(t); i < total; i += index_step(t)) y[i] = w[idx[i / dim] * dim + i % dim];
}

// One thread per row: loss[r] = logsumexp(z_r) - z_r[label] and grad_r = softmax(z_r) - onehot(label).
template <typename T>
EINSUM4J_HD void softmax_xent_thread(const Launch& t, const T* __restrict__ z, const int64_t* __restrict__ labels,
                                     double* __restrict__ loss, T* __restrict__ grad, int64_t rows, int64_t classes) {
    for (int64_t r = first_index(t); r < rows; r += index_step(t)) {
        const T* zr = z + r * classes;
        double max = -INFINITY;
        for (int64_t j = 0; j < classes; ++j) max = fmax(max, static_cast<double>(zr[j]));
        double s = 0;
        for (int64_t j = 0; j < classes; ++j) s += exp(static_cast<double>(zr[j]) - max);
        const int64_t label = labels[r];
        loss[r] = -log(exp(static_cast<double>(zr[label]) - max) / s);
        for (int64_t j = 0; j < classes; ++j) {
            double p = exp(static_cast<double>(zr[j]) - max) / s;
            if (j == label) p -= 1;
            grad[r * classes + j] = static_cast<T>(p);
        }
    }
}

// One thread per row of d values: loss[r] = mean (p - t)^2, grad = 2 (p - t) / d.
template <typename T>
EINSUM4J_HD void mse_thread(const Launch& t, const T* __restrict__ p, const T* __restrict__ target,
                            double* __restrict__ loss, T* __restrict__ grad, int64_t rows, int64_t d) {
    for (int64_t r = first_index(t); r < rows; r += index_step(t)) {
        double s = 0;
        for (int64_t j = 0; j < d; ++j) {
            const double e = static_cast<double>(p[r * d + j]) - static_cast<double>(target[r * d + j]);
            s += e * e;
            grad[r * d + j] = static_cast<T>(2 * e / d);
        }
        loss[r] = s / d;
    }
}

template <typename T>
EINSUM4J_HD void argmax_rows_thread(const Launch& t, const T* __restrict__ z, int64_t* __restrict__ out, int64_t rows,
                                    int64_t c) {
    for (int64_t r = first_index(t); r < rows; r += index_step(t)) {
        int64_t best = 0;
        for (int64_t j = 1; j < c; ++j) {
            if (static_cast<double>(z[r * c + j]) > static_cast<double>(z[r * c + best])) best = j;
        }
        out[r] = best;
    }
}

// Adam with bias corrections c1 = 1 - beta1^step, c2 = 1 - beta2^step (computed on the host).
template <typename T>
EINSUM4J_HD void adam_thread(const Launch& t, const T* __restrict__ p, const T* __restrict__ g,
                             const T* __restrict__ m, const T* __restrict__ v, T* __restrict__ p2, T* __restrict__ m2,
                             T* __restrict__ v2, int64_t n, double lr, double beta1, double beta2, double eps,
                             double c1, double c2) {
    for (int64_t i = first_index(t); i < n; i += index_step(t)) {
        const double gi = static_cast<double>(g[i]);
        const double mi = beta1 * static_cast<double>(m[i]) + (1 - beta1) * gi;
        const double vi = beta2 * static_cast<double>(v[i]) + (1 - beta2) * gi * gi;
        m2[i] = static_cast<T>(mi);
        v2[i] = static_cast<T>(vi);
        p2[i] = static_cast<T>(static_cast<double>(p[i]) - lr * (mi / c1) / (sqrt(vi / c2) + eps));
    }
}

}  // namespace nn
}  // namespace einsum4j
