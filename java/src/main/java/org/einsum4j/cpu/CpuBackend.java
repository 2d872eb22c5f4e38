package org.einsum4j.cpu;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.einsum4j.Backend;
import org.einsum4j.Einsum4jException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Memory;
import org.einsum4j.tensor.Tensor;

/**
 * The CPU backend: batched GEMM through OpenBLAS (one cblas call per batch entry, no copies when the operands'
 * strides fit BLAS's leading-dimension layout), Java loops for tiny matrices, reductions and copies.
 */
public final class CpuBackend implements Backend {
    public static final CpuBackend INSTANCE = new CpuBackend();

    /** Matrices with at most this many multiply-adds go through the Java loop rather than a BLAS call. */
    private static final long SMALL_GEMM = 64;

    static {
        BlasThreads.configure();
    }

    private CpuBackend() {
    }

    @Override
    public String name() {
        return "cpu";
    }

    // ------------------------------------------------------------------ GEMM

    /** How one operand is handed to BLAS: transposed or not, with which leading dimension. */
    private record BlasLayout(boolean trans, int ld) {
    }

    /**
     * The BLAS layout of a {@code rows × cols} matrix with strides (sr, sc), or null when it needs a copy.
     */
    private static BlasLayout layoutOf(int rows, int cols, long sr, long sc) {
        if ((cols == 1 || sc == 1) && (rows == 1 || sr >= Math.max(1, cols)) && sr <= Integer.MAX_VALUE) {
            return new BlasLayout(false, rows == 1 ? Math.max(1, cols) : (int) sr);
        }
        if ((rows == 1 || sr == 1) && (cols == 1 || sc >= Math.max(1, rows)) && sc <= Integer.MAX_VALUE) {
            return new BlasLayout(true, cols == 1 ? Math.max(1, rows) : (int) sc);
        }
        return null;
    }

    @Override
    public Tensor batchedGemm(Tensor a, Tensor b) {
        checkGemmOperands(a, b);
        int batch = a.dim(0);
        int m = a.dim(a.rank() - 2);
        int n = b.dim(b.rank() - 1);
        Tensor c = Tensor.empty(a.dtype(), batch, m, n);
        try {
            gemmInto(a, b, c);
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    @Override
    public void gemm(Tensor a, Tensor b, Tensor c, double beta) {
        checkGemmOperands(a, b);
        int m = a.dim(a.rank() - 2);
        int n = b.dim(b.rank() - 1);
        if (c.rank() != 3 || c.dim(0) != a.dim(0) || c.dim(1) != m || c.dim(2) != n || !c.isContiguous()
                || c.dtype() != a.dtype()) {
            throw new Einsum4jException("gemm: output " + c + " is not a contiguous " + a.dtype() + " ["
                    + a.dim(0) + ", " + m + ", " + n + "]");
        }
        if (beta == 0) {
            gemmInto(a, b, c);
            return;
        }
        // accumulate: this interim form computes A·B apart and adds beta·C to it (one extra pass over C)
        try (Tensor ab = batchedGemm(a, b)) {
            long pab = ab.address();
            long pc = c.address();
            long count = c.numel();
            if (c.dtype() == DType.FLOAT32) {
                for (long i = 0; i < count; i++) {
                    Memory.putFloat(pc + 4 * i, Memory.getFloat(pab + 4 * i) + (float) beta * Memory.getFloat(pc + 4 * i));
                }
            } else {
                for (long i = 0; i < count; i++) {
                    Memory.putDouble(pc + 8 * i, Memory.getDouble(pab + 8 * i) + beta * Memory.getDouble(pc + 8 * i));
                }
            }
        }
    }

    private static void checkGemmOperands(Tensor a, Tensor b) {
        boolean acc = a.rank() == 4;
        if (acc ? b.rank() != 4 || a.dim(1) != b.dim(1) || a.dim(3) != b.dim(2)
                : a.rank() != 3 || b.rank() != 3 || a.dim(2) != b.dim(1)) {
            throw new Einsum4jException("batchedGemm: shapes " + a.shape() + " and " + b.shape()
                    + " are not [batch, m, k] and [batch, k, n] (or [batch, r, m, k] and [batch, r, k, n])");
        }
        if (a.dim(0) != b.dim(0)) {
            throw new Einsum4jException("batchedGemm: batch sizes " + a.dim(0) + " and " + b.dim(0) + " differ");
        }
        if (a.dtype() != b.dtype() || !a.dtype().isFloating()) {
            throw new Einsum4jException("batchedGemm: dtypes " + a.dtype() + " and " + b.dtype());
        }
    }

    /** {@code C = Σ_r A_r B_r} into the contiguous [batch, m, n] c (old contents never read); operands checked. */
    private static void gemmInto(Tensor a, Tensor b, Tensor c) {
        if (a.rank() == 3) {
            // one summed slice: the 4-d form with r = 1
            a = a.asStrided(new int[] {a.dim(0), 1, a.dim(1), a.dim(2)},
                    new long[] {a.stride(0), 0, a.stride(1), a.stride(2)}, a.offset());
            b = b.asStrided(new int[] {b.dim(0), 1, b.dim(1), b.dim(2)},
                    new long[] {b.stride(0), 0, b.stride(1), b.stride(2)}, b.offset());
        }
        int batch = a.dim(0);
        int r = a.dim(1);
        int m = a.dim(2);
        int k = a.dim(3);
        int n = b.dim(3);
        DType dt = a.dtype();
        if ((long) batch * m * n == 0) {
            return;
        }
        if (r == 0 || k == 0) {
            Memory.zero(c.address(), c.numel() * dt.byteSize());
        } else if (r == 1 && (long) m * n * k <= SMALL_GEMM) {
            smallGemm(slice0(a), slice0(b), c);
        } else if (r == 1 && k == 1) {
            FusedKernels.outer(slice0(a), slice0(b), c, batch, m, n);
        } else if (r == 1 && m == 1 && n == 1) {
            FusedKernels.rowDots(slice0(a), slice0(b), c, batch, k);
        } else {
            blasGemm(a, b, c);
        }
    }

    /** The 3-d [batch, x, y] slice r = 0 of a 4-d [batch, r, x, y] operand. */
    private static Tensor slice0(Tensor t) {
        return t.asStrided(new int[] {t.dim(0), t.dim(2), t.dim(3)}, new long[] {t.stride(0), t.stride(2), t.stride(3)},
                t.offset());
    }

    /**
     * {@code C[b] = Σ_r A[b, r] · B[b, r]} by BLAS: one GEMM per (b, r), the r > 0 ones accumulating (beta = 1).
     * Operands whose matrices fit no BLAS layout are copied first.
     */
    private static void blasGemm(Tensor a, Tensor b, Tensor c) {
        int m = a.dim(2);
        int k = a.dim(3);
        int n = b.dim(3);
        Tensor ac = null;
        Tensor bc = null;
        try {
            BlasLayout la = layoutOf(m, k, a.stride(2), a.stride(3));
            if (la == null) {
                ac = a.copy();
                a = ac;
                la = layoutOf(m, k, a.stride(2), a.stride(3));
            }
            BlasLayout lb = layoutOf(k, n, b.stride(2), b.stride(3));
            if (lb == null) {
                bc = b.copy();
                b = bc;
                lb = layoutOf(k, n, b.stride(2), b.stride(3));
            }
            gemmTasks(a, la, a.stride(0), a.stride(1), b, lb, b.stride(0), b.stride(1), c, a.dim(0), a.dim(1), m, n, k);
        } finally {
            if (ac != null) {
                ac.close();
            }
            if (bc != null) {
                bc.close();
            }
        }
    }

    /**
     * {@code C[i] = Σ_j op(A)[i, j] op(B)[i, j]} over {@code batch × r} single-threaded BLAS calls, spread over the
     * cores by batch entry and, when there are fewer batch entries than cores, by blocks of C's rows.
     * A at {@code i·sa0 + j·sa1}, B at {@code i·sb0 + j·sb1} (elements).
     */
    private static void gemmTasks(Tensor a, BlasLayout la, long sa0, long sa1, Tensor b, BlasLayout lb, long sb0,
                                  long sb1, Tensor c, int batch, int r, int m, int n, int k) {
        int order = openblas_nolapack.CblasRowMajor;
        int ta = la.trans() ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int tb = lb.trans() ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        long scb = (long) m * n;
        long work = (long) m * n * k * r;
        int threads = Parallel.threads();
        int split = 1;
        if (batch < threads && work >= Parallel.MIN_GEMM_WORK) {
            split = Math.min((threads + batch - 1) / batch, Math.max(1, m / 32));
        }
        int rowsPer = (m + split - 1) / split;
        int mBlocks = (m + rowsPer - 1) / rowsPer;
        // A's rows of op(A): a row step of lda when not transposed, of one element when transposed
        long aRow = la.trans() ? 1 : la.ld();
        boolean f32 = c.dtype() == DType.FLOAT32;
        Parallel.forRange(batch * mBlocks, (lo, hi) -> {
            FloatPointer fa = f32 ? a.floatPointer() : null;
            FloatPointer fb = f32 ? b.floatPointer() : null;
            FloatPointer fc = f32 ? c.floatPointer() : null;
            DoublePointer da = f32 ? null : a.doublePointer();
            DoublePointer db = f32 ? null : b.doublePointer();
            DoublePointer dc = f32 ? null : c.doublePointer();
            for (int t = lo; t < hi; t++) {
                int i = t / mBlocks;
                int row0 = (t - i * mBlocks) * rowsPer;
                int rows = Math.min(rowsPer, m - row0);
                for (int j = 0; j < r; j++) {
                    long pa = i * sa0 + j * sa1 + row0 * aRow;
                    long pb = i * sb0 + j * sb1;
                    long pc = i * scb + (long) row0 * n;
                    if (f32) {
                        fa.position(pa);
                        fb.position(pb);
                        fc.position(pc);
                        openblas_nolapack.cblas_sgemm(order, ta, tb, rows, n, k, 1f, fa, la.ld(), fb, lb.ld(),
                                j == 0 ? 0f : 1f, fc, n);
                    } else {
                        da.position(pa);
                        db.position(pb);
                        dc.position(pc);
                        openblas_nolapack.cblas_dgemm(order, ta, tb, rows, n, k, 1.0, da, la.ld(), db, lb.ld(),
                                j == 0 ? 0.0 : 1.0, dc, n);
                    }
                }
            }
        }, Math.max(1, work / Math.max(1, mBlocks)));
    }

    /** Plain loops for matrices too small for a BLAS call to pay off (Hadamard products, dots of length few). */
    private static void smallGemm(Tensor a, Tensor b, Tensor c) {
        int batch = a.dim(0);
        int m = a.dim(1);
        int k = a.dim(2);
        int n = b.dim(2);
        boolean f32 = a.dtype() == DType.FLOAT32;
        int es = f32 ? 4 : 8;
        long pa = a.address();
        long pb = b.address();
        long pc = c.address();
        long a0 = a.stride(0) * es, a1 = a.stride(1) * es, a2 = a.stride(2) * es;
        long b0 = b.stride(0) * es, b1 = b.stride(1) * es, b2 = b.stride(2) * es;
        long o = pc;
        for (int bi = 0; bi < batch; bi++) {
            long ab = pa + bi * a0;
            long bb = pb + bi * b0;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double s = 0;
                    if (f32) {
                        for (int l = 0; l < k; l++) {
                            s += (double) Memory.getFloat(ab + i * a1 + l * a2) * Memory.getFloat(bb + l * b1 + j * b2);
                        }
                        Memory.putFloat(o, (float) s);
                        o += 4;
                    } else {
                        for (int l = 0; l < k; l++) {
                            s += Memory.getDouble(ab + i * a1 + l * a2) * Memory.getDouble(bb + l * b1 + j * b2);
                        }
                        Memory.putDouble(o, s);
                        o += 8;
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ reductions and copies

    @Override
    public Tensor sum(Tensor t, boolean[] reduce) {
        int rank = t.rank();
        if (reduce.length != rank) {
            throw new Einsum4jException("sum: " + reduce.length + " flags for a tensor of rank " + rank);
        }
        int kept = 0;
        for (boolean r : reduce) {
            if (!r) {
                kept++;
            }
        }
        int[] outDims = new int[kept];
        for (int i = 0, j = 0; i < rank; i++) {
            if (!reduce[i]) {
                outDims[j++] = t.dim(i);
            }
        }
        Tensor viaGemv = sumByGemv(t, reduce);
        if (viaGemv != null) {
            return viaGemv;
        }
        // accumulate in float64 whatever the dtype, then convert once
        try (Tensor acc = Tensor.zeros(DType.FLOAT64, outDims)) {
            if (t.numel() > 0) {
                long[] outStrides = new long[rank];
                long[] cs = acc.strides();
                for (int i = 0, j = 0; i < rank; i++) {
                    outStrides[i] = reduce[i] ? 0 : cs[j++];
                }
                accumulate(t, outStrides, acc.address());
            }
            return t.dtype() == DType.FLOAT64 ? acc.copy() : acc.to(t.dtype());
        }
    }

    /**
     * The sum as matrix-vector products with a vector of ones, {@code [batch, kept, reduced] · 1}, through the
     * batched GEMM (BLAS, threads, no copy of t): the kept axes, outermost first, become batch axes until the
     * rest of them and the reduced axes each merge into one dimension without a copy. Null when no such view
     * exists. Accumulates in t's dtype, as every GEMM step does.
     */
    private Tensor sumByGemv(Tensor t, boolean[] reduce) {
        int[] kept = axesInMemoryOrder(t, reduce, false);
        int[] red = axesInMemoryOrder(t, reduce, true);
        long reducedSize = product(t, red, 0, red.length);
        if (product(t, kept, 0, kept.length) > Integer.MAX_VALUE || reducedSize > Integer.MAX_VALUE
                || reducedSize < 2) {
            return null;
        }
        // kept axes: the first nb (outermost) become batch; reduced axes: the first nr become an accumulated
        // loop (C += A_r · 1), the rest the GEMV's depth. The first split that needs no copy wins.
        for (int nb = 0; nb <= kept.length; nb++) {
            for (int nr = 0; nr < red.length; nr++) {
                int[] perm = new int[t.rank()];
                int p = 0;
                for (int[] g : new int[][] {java.util.Arrays.copyOfRange(kept, 0, nb),
                        java.util.Arrays.copyOfRange(red, 0, nr), java.util.Arrays.copyOfRange(kept, nb, kept.length),
                        java.util.Arrays.copyOfRange(red, nr, red.length)}) {
                    System.arraycopy(g, 0, perm, p, g.length);
                    p += g.length;
                }
                int batch = (int) product(t, kept, 0, nb);
                int r = (int) product(t, red, 0, nr);
                int m = (int) product(t, kept, nb, kept.length);
                int depth = (int) product(t, red, nr, red.length);
                Tensor matrix = t.permute(perm).viewAs(batch, r, m, depth).orElse(null);
                if (matrix != null) {
                    return gemvWithOnes(t, matrix, kept);
                }
            }
        }
        return null;
    }

    /** {@code Σ_r matrix[b, r] · 1} for the [batch, r, m, depth] view; the result in the kept axes' own order. */
    private Tensor gemvWithOnes(Tensor t, Tensor matrix, int[] kept) {
        int batch = matrix.dim(0);
        int r = matrix.dim(1);
        int depth = matrix.dim(3);
        Tensor result;
        try (Tensor ones = Tensor.empty(t.dtype(), depth)) {
            long a = ones.address();
            for (long i = 0; i < depth; i++) {
                if (t.dtype() == DType.FLOAT32) {
                    Memory.putFloat(a + 4 * i, 1f);
                } else {
                    Memory.putDouble(a + 8 * i, 1.0);
                }
            }
            result = batchedGemm(matrix, ones.asStrided(new int[] {batch, r, depth, 1}, new long[] {0, 0, 1, 1}, 0));
        }
        int[] keptDims = new int[kept.length];
        boolean inOrder = true;
        for (int i = 0; i < kept.length; i++) {
            keptDims[i] = t.dim(kept[i]);
            inOrder &= i == 0 || kept[i] > kept[i - 1];
        }
        Tensor shaped = result.reshapeTakingOwnership(keptDims);
        if (inOrder) {
            return shaped;
        }
        // back to the kept axes' own order: the result is smaller than t by the reduced size
        int[] back = new int[kept.length];
        int[] sortedKept = kept.clone();
        java.util.Arrays.sort(sortedKept);
        for (int i = 0; i < kept.length; i++) {
            for (int j = 0; j < kept.length; j++) {
                if (kept[j] == sortedKept[i]) {
                    back[i] = j;
                }
            }
        }
        try {
            return shaped.permute(back).copy();
        } finally {
            shaped.close();
        }
    }

    /** The axes flagged {@code want} in {@code reduce}, by decreasing stride (memory order), stable. */
    private static int[] axesInMemoryOrder(Tensor t, boolean[] reduce, boolean want) {
        return java.util.stream.IntStream.range(0, t.rank()).filter(i -> reduce[i] == want).boxed()
                .sorted((x, y) -> Long.compare(t.stride(y), t.stride(x))).mapToInt(Integer::intValue).toArray();
    }

    private static long product(Tensor t, int[] axes, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= t.dim(axes[i]);
        }
        return p;
    }

    /** Adds every element of {@code t} into {@code out[index · outStrides]} (float64), walking t's memory in order. */
    private static void accumulate(Tensor t, long[] outStrides, long out) {
        int rank = t.rank();
        int[] dims = t.dims();
        long[] st = t.strides();
        // iterate axes from largest to smallest input stride, so the innermost loop walks memory contiguously
        Integer[] order = new Integer[rank];
        for (int i = 0; i < rank; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Long.compare(st[y], st[x]));
        int[] d = new int[rank];
        long[] si = new long[rank];
        long[] so = new long[rank];
        for (int i = 0; i < rank; i++) {
            d[i] = dims[order[i]];
            si[i] = st[order[i]];
            so[i] = outStrides[order[i]] * 8;
        }
        boolean f32 = t.dtype() == DType.FLOAT32;
        int es = f32 ? 4 : 8;
        long base = t.address();
        if (rank == 0) {
            Memory.putDouble(out, f32 ? Memory.getFloat(base) : Memory.getDouble(base));
            return;
        }
        int inner = d[rank - 1];
        long innerIn = si[rank - 1] * es;
        long innerOut = so[rank - 1];
        int[] idx = new int[rank];
        long ip = base;
        long op = out;
        while (true) {
            if (innerOut == 0) {
                double s = 0;
                long p = ip;
                if (f32) {
                    for (int i = 0; i < inner; i++, p += innerIn) {
                        s += Memory.getFloat(p);
                    }
                } else {
                    for (int i = 0; i < inner; i++, p += innerIn) {
                        s += Memory.getDouble(p);
                    }
                }
                Memory.putDouble(op, Memory.getDouble(op) + s);
            } else {
                long p = ip;
                long q = op;
                for (int i = 0; i < inner; i++, p += innerIn, q += innerOut) {
                    Memory.putDouble(q, Memory.getDouble(q) + (f32 ? Memory.getFloat(p) : Memory.getDouble(p)));
                }
            }
            int ax = rank - 2;
            while (ax >= 0) {
                if (++idx[ax] < d[ax]) {
                    ip += si[ax] * es;
                    op += so[ax];
                    break;
                }
                ip -= (long) (d[ax] - 1) * si[ax] * es;
                op -= (long) (d[ax] - 1) * so[ax];
                idx[ax] = 0;
                ax--;
            }
            if (ax < 0) {
                return;
            }
        }
    }

    @Override
    public Tensor contiguousCopy(Tensor t) {
        return t.copy();
    }

    @Override
    public Tensor empty(DType dtype, int... dims) {
        return Tensor.empty(dtype, dims);
    }

    @Override
    public Tensor zeros(DType dtype, int... dims) {
        return Tensor.zeros(dtype, dims);
    }

    @Override
    public void sum(Tensor t, boolean[] reduce, Tensor out) {
        // interim form: today's sum into a new tensor, then a copy into out
        try (Tensor s = sum(t, reduce)) {
            copy(s, out);
        }
    }

    @Override
    public int minSplitDepth() {
        return 16;
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (!java.util.Arrays.equals(src.dims(), dst.dims()) || src.dtype() != dst.dtype()) {
            throw new Einsum4jException("copy: " + src + " into " + dst + ": dims or dtype differ");
        }
        int rank = src.rank();
        if (src.numel() == 0) {
            return;
        }
        int es = src.dtype().byteSize();
        if (rank == 0 || (src.isContiguous() && dst.isContiguous())) {
            Memory.copy(src.address(), dst.address(), src.numel() * es);
            return;
        }
        int inner = src.dim(rank - 1);
        long ss = src.stride(rank - 1) * es;
        long ds = dst.stride(rank - 1) * es;
        boolean run = ss == es && ds == es;
        long outer = src.numel() / Math.max(1, inner);
        int[] idx = new int[rank];
        long ps = src.address();
        long pd = dst.address();
        for (long o = 0; o < outer; o++) {
            if (run) {
                Memory.copy(ps, pd, (long) inner * es);
            } else if (es == 4) {
                for (long i = 0, s = ps, d = pd; i < inner; i++, s += ss, d += ds) {
                    Memory.putInt(d, Memory.getInt(s));
                }
            } else {
                for (long i = 0, s = ps, d = pd; i < inner; i++, s += ss, d += ds) {
                    Memory.putLong(d, Memory.getLong(s));
                }
            }
            // odometer over the outer dims
            for (int d = rank - 2; d >= 0; d--) {
                ps += src.stride(d) * es;
                pd += dst.stride(d) * es;
                if (++idx[d] < src.dim(d)) {
                    break;
                }
                ps -= src.stride(d) * es * src.dim(d);
                pd -= dst.stride(d) * es * dst.dim(d);
                idx[d] = 0;
            }
        }
    }
}
