package org.einsum4j.cuda;

/**
 * One {@code cublasGemmStridedBatchedEx} call, in cuBLAS's column-major terms: {@code C = alpha·op(A)·op(B) +
 * beta·C} for {@code batch} matrices at the given element strides, A, B, C device pointers. The backend computes
 * row-major {@code C[b] = A[b]·B[b]} as the column-major {@code Cᵀ = Bᵀ·Aᵀ}, so cuBLAS's A is our B.
 *
 * @param transA    cuBLAS's op(A) transposes
 * @param dtype     the type of A, B and C: FLOAT32, FLOAT64, or FLOAT16/BFLOAT16 (computed in float32:
 *                  CUBLAS_COMPUTE_32F, alpha and beta floats)
 * @param tf32      FLOAT32 with TF32 tensor cores (CUBLAS_COMPUTE_32F_FAST_TF32): only on explicit opt-in
 */
record GemmCall(boolean transA, boolean transB, int m, int n, int k, double alpha, long a, int lda, long strideA,
                long b, int ldb, long strideB, double beta, long c, int ldc, long strideC, int batch,
                org.einsum4j.tensor.DType dtype, boolean tf32) {
}
