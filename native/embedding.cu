// Embedding grad-sampler kernels; what each computes is in embedding.cuh, launch rules in native/KERNELS.md.
// Sparse path, four launches: embedding_unique_count -> exclusive_scan_i64 -> (host reads offsets[B] = nnz and
// allocates row_ids [nnz], values [nnz, D]) -> embedding_unique_rows -> embedding_sparse_scatter_*.
#include "embedding.cuh"

namespace einsum4j {
namespace embedding {

__device__ void unique_count(const int64_t* __restrict__ idx, int64_t* __restrict__ counts, int64_t samples,
                             int64_t per_sample, int64_t padding_idx) {
    const Launch t = this_thread();
    for (int64_t n = t.block_x; n < samples; n += t.grid_x) {  // uniform per block
        const int64_t total = block_sum(unique_count_partial(t, idx, n, per_sample, padding_idx));
        if (t.thread_x == 0) counts[n] = total;
    }
}

__device__ void exclusive_scan(const int64_t* __restrict__ counts, int64_t* __restrict__ offsets, int64_t n) {
    __shared__ int64_t partials[1024];
    const Launch t = this_thread();
    partials[t.thread_x] = scan_phase1(t, counts, n);
    __syncthreads();
    if (t.thread_x == 0) scan_phase2(partials, t.dim_x);
    __syncthreads();
    scan_phase3(t, counts, offsets, n, partials[t.thread_x]);
}

}  // namespace embedding
}  // namespace einsum4j

namespace emb = einsum4j::embedding;
using einsum4j::this_thread;

extern "C" __global__ void index_check_i64(const int64_t* idx, int64_t n, int64_t v, int64_t* first_bad) {
    emb::index_check_thread(this_thread(), idx, n, v, first_bad);
}

extern "C" __global__ void embedding_unique_count(const int64_t* idx, int64_t* counts, int64_t samples,
                                                  int64_t per_sample, int64_t padding_idx) {
    emb::unique_count(idx, counts, samples, per_sample, padding_idx);
}

extern "C" __global__ void exclusive_scan_i64(const int64_t* counts, int64_t* offsets, int64_t n) {
    emb::exclusive_scan(counts, offsets, n);
}

extern "C" __global__ void embedding_unique_rows(const int64_t* idx, const int64_t* offsets, int64_t* row_ids,
                                                 int64_t samples, int64_t per_sample, int64_t padding_idx) {
    emb::unique_rows_thread(this_thread(), idx, offsets, row_ids, samples, per_sample, padding_idx);
}

#define EINSUM4J_EMBEDDING(SUFFIX, T)                                                                           \
    extern "C" __global__ void embedding_dense_##SUFFIX(const int64_t* idx, const T* g, T* out, int64_t samples, \
                                                        int64_t per_sample, int64_t v, int64_t dim,              \
                                                        int64_t padding_idx) {                                   \
        emb::dense_thread<T>(this_thread(), idx, g, out, samples, per_sample, v, dim, padding_idx);              \
    }                                                                                                            \
    extern "C" __global__ void embedding_sparse_scatter_##SUFFIX(                                                \
        const int64_t* idx, const T* g, const int64_t* offsets, const int64_t* row_ids, T* values,               \
        int64_t samples, int64_t per_sample, int64_t dim, int64_t padding_idx, T divisor) {                      \
        emb::sparse_scatter_thread<T>(this_thread(), idx, g, offsets, row_ids, values, samples, per_sample, dim, \
                                      padding_idx, divisor);                                                     \
    }                                                                                                            \
    extern "C" __global__ void embedding_sparse_to_dense_##SUFFIX(const int64_t* offsets, const int64_t* row_ids, \
                                                                  const T* values, T* out, int64_t samples,      \
                                                                  int64_t v, int64_t dim) {                      \
        emb::sparse_to_dense_thread<T>(this_thread(), offsets, row_ids, values, out, samples, v, dim);          \
    }

EINSUM4J_EMBEDDING(f32, float)
EINSUM4J_EMBEDDING(f64, double)
