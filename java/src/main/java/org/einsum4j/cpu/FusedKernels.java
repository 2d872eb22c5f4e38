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
     * Columns per piece of an outer product's row: 1 KiB of float32. B's row is held as pieces of this many columns,
     * each in its own heap array, and each piece of C's row is formed in a 1 KiB heap buffer and block-copied out.
     * Whole rows of E09's 4096 columns took 3.2 ms for 64 MiB on one thread against 2.2 ms in pieces (as E02's
     * 256-column rows: 2.0 ms): a 16 KiB row of B and a 16 KiB buffer do not stay in L1 beside the output lines
     * streaming through it. (One array with offsets does not do: C2 on Java 17 vectorizes {@code c[j] = x * b[j]}
     * but not {@code c[j] = x * b[o + j]}, as b and c may be the same array.)
     */
    static final int PIECE_BYTES = 1024;

    /**
     * Outer products {@code C[b, i, j] = A[b, i, 0] · B[b, 0, j]} (k = 1) for 3-d views {@code a = [batch, m, 1]},
     * {@code b = [batch, 1, n]}, any strides, into the contiguous {@code [batch, m, n]} c: B's row is staged once
     * per batch entry in pieces of {@link #PIECE_BYTES}, each piece of C's rows formed in a heap buffer and
     * block-copied out, rows split over the cores.
     */
    static void outer(Tensor a, Tensor b, Tensor c, int batch, int m, int n) {
        boolean f32 = a.dtype() == DType.FLOAT32;
        int es = f32 ? 4 : 8;
        int w = PIECE_BYTES / es;
        int pieces = (n + w - 1) / w;
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
                float[][] brow = new float[pieces][];
                for (int q = 0; q < pieces; q++) {
                    brow[q] = new float[Math.min(w, n - q * w)];
                }
                float[] crow = new float[Math.min(w, n)];
                for (int r = lo; r < hi; r++) {
                    int bi = r / m;
                    if (bi != loaded) {
                        for (int q = 0; q < pieces; q++) {
                            stage(pb + bi * sb0 + q * w * sb2, sb2, brow[q], brow[q].length);
                        }
                        loaded = bi;
                    }
                    float x = Memory.getFloat(pa + bi * sa0 + (r - (long) bi * m) * sa1);
                    long out = pc + (long) r * n * 4;
                    for (int q = 0; q < pieces; q++) {
                        float[] bq = brow[q];
                        int len = bq.length;
                        for (int j = 0; j < len; j++) {
                            crow[j] = x * bq[j];
                        }
                        Memory.copyFromArray(crow, 0, out + (long) q * PIECE_BYTES, len);
                    }
                }
            } else {
                double[][] brow = new double[pieces][];
                for (int q = 0; q < pieces; q++) {
                    brow[q] = new double[Math.min(w, n - q * w)];
                }
                double[] crow = new double[Math.min(w, n)];
                for (int r = lo; r < hi; r++) {
                    int bi = r / m;
                    if (bi != loaded) {
                        for (int q = 0; q < pieces; q++) {
                            stage(pb + bi * sb0 + q * w * sb2, sb2, brow[q], brow[q].length);
                        }
                        loaded = bi;
                    }
                    double x = Memory.getDouble(pa + bi * sa0 + (r - (long) bi * m) * sa1);
                    long out = pc + (long) r * n * 8;
                    for (int q = 0; q < pieces; q++) {
                        double[] bq = brow[q];
                        int len = bq.length;
                        for (int j = 0; j < len; j++) {
                            crow[j] = x * bq[j];
                        }
                        Memory.copyFromArray(crow, 0, out + (long) q * PIECE_BYTES, len);
                    }
                }
            }
        }, n);
    }
}
