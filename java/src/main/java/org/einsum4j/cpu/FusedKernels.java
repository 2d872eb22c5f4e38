package org.einsum4j.cpu;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.einsum4j.Einsum4jException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAccess;
import org.einsum4j.tensor.Tensor;

/**
 * Memory-bound contractions for which a GEMM call with a size-1 dimension is the wrong tool: row-wise dot
 * products (Hadamard-and-reduce, {@code ij,ij->i}) and outer products ({@code ni,nj->nij}, {@code i,j->ij}).
 * Outer products are counted loops over heap arrays, which C2 vectorizes (loops over {@code Unsafe} addresses it
 * does not): rows staged into per-thread heap buffers by block copies when their stride is 1; row dots are BLAS
 * dots. Rows are split over the cores. Their speed is compared with a plain copy of the same bytes in the benchmark suite
 * ({@code ContractBenchmark.copyOperands}).
 */
final class FusedKernels {
    private FusedKernels() {
    }

    /**
     * {@code C[i] = Σ_l A[i, l] · B[i, l]} for 3-d views {@code a = [batch, 1, k]}, {@code b = [batch, k, 1]}
     * (as the batched GEMM takes them: m = n = 1) into the contiguous c of {@code batch} elements, any strides:
     * one BLAS dot per row (a SIMD reduction; C2 on Java 17 does not vectorize float sums over heap arrays, a
     * Java loop ran 2x slower than BLAS even on data in L1), the rows split over the cores.
     */
    static void rowDots(Tensor a, Tensor b, Tensor c, int batch, int k) {
        long sa0 = a.stride(0);
        long sb0 = b.stride(0);
        long ia = a.stride(2);
        long ib = b.stride(1);
        if (ia > Integer.MAX_VALUE || ib > Integer.MAX_VALUE) {
            throw new Einsum4jException("dot: stride beyond the 2^31-1 BLAS limit");
        }
        long pc = HostAccess.address(c);
        boolean f32 = c.dtype() == DType.FLOAT32;
        Parallel.forRange(batch, (lo, hi) -> {
            if (f32) {
                FloatPointer pa = HostAccess.floatPointer(a);
                FloatPointer pb = HostAccess.floatPointer(b);
                for (int i = lo; i < hi; i++) {
                    pa.position(i * sa0);
                    pb.position(i * sb0);
                    Memory.putFloat(pc + 4L * i, openblas_nolapack.cblas_sdot(k, pa, (int) ia, pb, (int) ib));
                }
            } else {
                DoublePointer pa = HostAccess.doublePointer(a);
                DoublePointer pb = HostAccess.doublePointer(b);
                for (int i = lo; i < hi; i++) {
                    pa.position(i * sa0);
                    pb.position(i * sb0);
                    Memory.putDouble(pc + 8L * i, openblas_nolapack.cblas_ddot(k, pa, (int) ia, pb, (int) ib));
                }
            }
        }, k);
    }

    /** {@code len} floats from {@code addr} with byte stride {@code stride} into x: a block copy when contiguous. */
    static void stage(long addr, long stride, float[] x, int len) {
        if (stride == 4) {
            Memory.copyToArray(addr, x, 0, len);
        } else {
            for (int j = 0; j < len; j++) {
                x[j] = Memory.getFloat(addr + j * stride);
            }
        }
    }

    static void stage(long addr, long stride, double[] x, int len) {
        if (stride == 8) {
            Memory.copyToArray(addr, x, 0, len);
        } else {
            for (int j = 0; j < len; j++) {
                x[j] = Memory.getDouble(addr + j * stride);
            }
        }
    }

    /**
     * Outer products {@code C[b, i, j] = A[b, i, 0] · B[b, 0, j]} (k = 1) for 3-d views {@code a = [batch, m, 1]},
     * {@code b = [batch, 1, n]}, any strides, into the contiguous {@code [batch, m, n]} c: B's row is staged once
     * per batch entry, each row of C formed in a heap buffer and block-copied out, rows split over the cores.
     */
    static void outer(Tensor a, Tensor b, Tensor c, int batch, int m, int n) {
        boolean f32 = a.dtype() == DType.FLOAT32;
        int es = f32 ? 4 : 8;
        long pa = HostAccess.address(a);
        long pb = HostAccess.address(b);
        long pc = HostAccess.address(c);
        long sa0 = a.stride(0) * es;
        long sa1 = a.stride(1) * es;
        long sb0 = b.stride(0) * es;
        long sb2 = b.stride(2) * es;
        Parallel.forRange(batch * m, (lo, hi) -> {
            int loaded = -1;
            if (f32) {
                float[] brow = new float[n];
                float[] crow = new float[n];
                for (int r = lo; r < hi; r++) {
                    int bi = r / m;
                    if (bi != loaded) {
                        stage(pb + bi * sb0, sb2, brow, n);
                        loaded = bi;
                    }
                    float x = Memory.getFloat(pa + bi * sa0 + (r - (long) bi * m) * sa1);
                    for (int j = 0; j < n; j++) {
                        crow[j] = x * brow[j];
                    }
                    Memory.copyFromArray(crow, 0, pc + (long) r * n * 4, n);
                }
            } else {
                double[] brow = new double[n];
                double[] crow = new double[n];
                for (int r = lo; r < hi; r++) {
                    int bi = r / m;
                    if (bi != loaded) {
                        stage(pb + bi * sb0, sb2, brow, n);
                        loaded = bi;
                    }
                    double x = Memory.getDouble(pa + bi * sa0 + (r - (long) bi * m) * sa1);
                    for (int j = 0; j < n; j++) {
                        crow[j] = x * brow[j];
                    }
                    Memory.copyFromArray(crow, 0, pc + (long) r * n * 8, n);
                }
            }
        }, n);
    }
}
