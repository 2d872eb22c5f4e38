// The nn modules' kernels (org.einsum4j.nn.NnKernels on CUDA, cuda/CudaNnKernels.java). Thread functions in
// nn.cuh; every kernel is a 1-D grid-stride loop (G1): blocks of 256 threads, any grid, no shared memory. Argument
// lists: native/KERNELS.md "nn kernels".
#include "nn.cuh"

using einsum4j::this_thread;
namespace nn = einsum4j::nn;

#define EINSUM4J_NN(SUFFIX, T)                                                                                \
    extern "C" __global__ void nn_activation_##SUFFIX(const T* x, T* y, int64_t n, int64_t kind) {            \
        nn::activation_thread<T>(this_thread(), x, y, n, kind);                                               \
    }                                                                                                         \
    extern "C" __global__ void nn_activation_backward_##SUFFIX(const T* x, const T* g, T* dx, int64_t n,      \
                                                               int64_t kind) {                                \
        nn::activation_backward_thread<T>(this_thread(), x, g, dx, n, kind);                                  \
    }                                                                                                         \
    extern "C" __global__ void nn_add_along_axis_##SUFFIX(const T* x, const T* bias, T* y, int64_t n,         \
                                                          int64_t inner, int64_t c) {                         \
        nn::add_along_axis_thread<T>(this_thread(), x, bias, y, n, inner, c);                                 \
    }                                                                                                         \
    extern "C" __global__ void nn_axpy_##SUFFIX(const T* a, const T* b, T* y, int64_t n, double alpha) {      \
        nn::axpy_thread<T>(this_thread(), a, b, y, n, alpha);                                                 \
    }                                                                                                         \
    extern "C" __global__ void nn_fold_##SUFFIX(const T* cols, T* x, int64_t n, int64_t c, int64_t h,         \
                                                int64_t w, int64_t kh, int64_t kw, int64_t sh, int64_t sw,    \
                                                int64_t ph, int64_t pw, int64_t dh, int64_t dw, int64_t oh,   \
                                                int64_t ow) {                                                 \
        nn::fold_thread<T>(this_thread(), cols, x, n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow);       \
    }                                                                                                         \
    extern "C" __global__ void nn_max_pool_##SUFFIX(const T* x, T* y, int64_t* arg, int64_t planes,           \
                                                    int64_t h, int64_t w, int64_t kh, int64_t kw, int64_t sh, \
                                                    int64_t sw, int64_t oh, int64_t ow) {                     \
        nn::max_pool_thread<T>(this_thread(), x, y, arg, nn::Pool{planes, h, w, kh, kw, sh, sw, oh, ow});     \
    }                                                                                                         \
    extern "C" __global__ void nn_max_pool_backward_##SUFFIX(const T* g, const int64_t* arg, T* dx,           \
                                                             int64_t planes, int64_t h, int64_t w,            \
                                                             int64_t kh, int64_t kw, int64_t sh, int64_t sw,  \
                                                             int64_t oh, int64_t ow) {                        \
        nn::max_pool_backward_thread<T>(this_thread(), g, arg, dx,                                            \
                                        nn::Pool{planes, h, w, kh, kw, sh, sw, oh, ow});                      \
    }                                                                                                         \
    extern "C" __global__ void nn_avg_pool_##SUFFIX(const T* x, T* y, int64_t planes, int64_t h, int64_t w,   \
                                                    int64_t kh, int64_t kw, int64_t sh, int64_t sw,           \
                                                    int64_t oh, int64_t ow) {                                 \
        nn::avg_pool_thread<T>(this_thread(), x, y, nn::Pool{planes, h, w, kh, kw, sh, sw, oh, ow});          \
    }                                                                                                         \
    extern "C" __global__ void nn_avg_pool_backward_##SUFFIX(const T* g, T* dx, int64_t planes, int64_t h,    \
                                                             int64_t w, int64_t kh, int64_t kw, int64_t sh,   \
                                                             int64_t sw, int64_t oh, int64_t ow) {            \
        nn::avg_pool_backward_thread<T>(this_thread(), g, dx, nn::Pool{planes, h, w, kh, kw, sh, sw, oh, ow}); \
    }                                                                                                         \
    extern "C" __global__ void nn_normalize_##SUFFIX(const T* x, T* xhat, double* stats, int64_t groups,      \
                                                     int64_t size, double eps) {                              \
        nn::normalize_thread<T>(this_thread(), x, xhat, stats, groups, size, eps);                            \
    }                                                                                                         \
    extern "C" __global__ void nn_normalize_backward_##SUFFIX(const T* g, const T* xhat, const double* stats, \
                                                              T* dx, int64_t groups, int64_t size) {          \
        nn::normalize_backward_thread<T>(this_thread(), g, xhat, stats, dx, groups, size);                    \
    }                                                                                                         \
    extern "C" __global__ void nn_dropout_mask_##SUFFIX(T* mask, int64_t n, int64_t seed, double p,           \
                                                        double keep) {                                        \
        nn::dropout_mask_thread<T>(this_thread(), mask, n, seed, p, keep);                                    \
    }                                                                                                         \
    extern "C" __global__ void nn_gather_rows_##SUFFIX(const T* w, const int64_t* idx, T* y,                  \
                                                       int64_t positions, int64_t dim) {                      \
        nn::gather_rows_thread<T>(this_thread(), w, idx, y, positions, dim);                                  \
    }                                                                                                         \
    extern "C" __global__ void nn_softmax_xent_##SUFFIX(const T* z, const int64_t* labels, double* loss,      \
                                                        T* grad, int64_t rows, int64_t classes) {             \
        nn::softmax_xent_thread<T>(this_thread(), z, labels, loss, grad, rows, classes);                      \
    }                                                                                                         \
    extern "C" __global__ void nn_mse_##SUFFIX(const T* p, const T* t, double* loss, T* grad, int64_t rows,   \
                                               int64_t d) {                                                   \
        nn::mse_thread<T>(this_thread(), p, t, loss, grad, rows, d);                                          \
    }                                                                                                         \
    extern "C" __global__ void nn_argmax_rows_##SUFFIX(const T* z, int64_t* out, int64_t rows, int64_t c) {   \
        nn::argmax_rows_thread<T>(this_thread(), z, out, rows, c);                                            \
    }                                                                                                         \
    extern "C" __global__ void nn_adam_##SUFFIX(const T* p, const T* g, const T* m, const T* v, T* p2,        \
                                                T* m2, T* v2, int64_t n, double lr, double beta1,             \
                                                double beta2, double eps, double c1, double c2) {             \
        nn::adam_thread<T>(this_thread(), p, g, m, v, p2, m2, v2, n, lr, beta1, beta2, eps, c1, c2);          \
    }

EINSUM4J_NN(f32, float)
EINSUM4J_NN(f64, double)
