package org.einsum4j.cpu;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.einsum4j.Backend;
import org.einsum4j.Einsum4jException;
import org.einsum4j.gradsample.SamplerKernels;
import org.einsum4j.nn.NnKernels;
import org.einsum4j.plan.GemmOperands;
import org.einsum4j.plan.GemmOperands.MatrixLayout;
import org.einsum4j.plan.ProductOperands;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.HalfFloats;
import org.einsum4j.tensor.HostAccess;
import org.einsum4j.tensor.Tensor;

/**
 * The CPU backend: batched GEMM through OpenBLAS (one cblas call per batch entry, no copies when the operands'
 * strides fit BLAS's leading-dimension layout), Java loops for tiny matrices, reductions and copies.
 */
final class CpuBackend implements Backend {
    static final CpuBackend INSTANCE = new CpuBackend();

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

    /** MemAvailable (or the OS MXBean's free memory) plus the allocator's cached blocks. */
    @Override
    public long availableBytes() {
        return org.einsum4j.tensor.SystemMemory.availableBytes();
    }

    @Override
    public Device device() {
        return Device.CPU;
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
    public int minSplitDepth() {
        return 16;
    }

    @Override
    public SamplerKernels samplerKernels() {
        return CpuSamplerKernels.INSTANCE;
    }

    @Override
    public NnKernels nnKernels() {
        return CpuNnKernels.INSTANCE;
    }

    @Override
    public void fill(Tensor out, double value) {
        requireContiguousHost(out, "fill");
        long n = out.numel();
        long a = n == 0 ? 0 : HostAccess.address(out);
        switch (out.dtype()) {
            case FLOAT32: {
                float v = (float) value;
                for (long i = 0; i < n; i++) {
                    Memory.putFloat(a + 4 * i, v);
                }
                break;
            }
            case FLOAT64:
                for (long i = 0; i < n; i++) {
                    Memory.putDouble(a + 8 * i, value);
                }
                break;
            case FLOAT16:
            case BFLOAT16: {
                short v = HalfFloats.narrowDouble(out.dtype(), value);
                for (long i = 0; i < n; i++) {
                    Memory.putShort(a + 2 * i, v);
                }
                break;
            }
            case INT64:
            default: {
                long v = (long) value;
                for (long i = 0; i < n; i++) {
                    Memory.putLong(a + 8 * i, v);
                }
            }
        }
    }

    @Override
    public void scale(Tensor t, double alpha) {
        requireContiguousHost(t, "scale");
        long n = t.numel();
        long a = n == 0 ? 0 : HostAccess.address(t);
        if (t.dtype() == DType.FLOAT32) {
            float f = (float) alpha;
            for (long i = 0; i < n; i++) {
                Memory.putFloat(a + 4 * i, Memory.getFloat(a + 4 * i) * f);
            }
        } else if (t.dtype() == DType.FLOAT64) {
            for (long i = 0; i < n; i++) {
                Memory.putDouble(a + 8 * i, Memory.getDouble(a + 8 * i) * alpha);
            }
        } else if (t.dtype().isHalf()) {
            // in float32, as the CUDA kernel scale_f16/bf16 does
            DType dt = t.dtype();
            float f = (float) alpha;
            for (long i = 0; i < n; i++) {
                Memory.putShort(a + 2 * i, HalfFloats.narrow(dt, HalfFloats.widen(dt, Memory.getShort(a + 2 * i)) * f));
            }
        } else {
            for (long i = 0; i < n; i++) {
                Memory.putLong(a + 8 * i, (long) (Memory.getLong(a + 8 * i) * alpha));
            }
        }
    }

    private static void requireContiguousHost(Tensor t, String what) {
        if (!t.isContiguous()) {
            throw new Einsum4jException(what + ": needs a contiguous tensor, got " + t);
        }
        if (!t.device().isHost()) {
            throw new Einsum4jException(what + ": tensor " + t + " lives on " + t.device()
                    + ", not on the host (the CPU backend's device)");
        }
    }

    // ------------------------------------------------------------------ GEMM

    @Override
    public void gemm(Tensor a, Tensor b, Tensor c, double beta) {
        GemmOperands g = GemmOperands.check(a, b, c, beta);
        if (g.trivial(this, c, beta)) {
            return;
        }
        a = g.a();
        b = g.b();
        int batch = g.batch();
        int r = g.r();
        int m = g.m();
        int k = g.k();
        int n = g.n();
        DType dt = a.dtype();
        if (dt.isHalf()) {
            inFloat32(a, b, c, beta);
            return;
        }
        if (beta != 0) {
            blasGemm(a, b, c, true);
        } else if (r == 1 && (long) m * n * k <= SMALL_GEMM) {
            smallGemm(slice0(a), slice0(b), c);
        } else if (r == 1 && k == 1) {
            FusedKernels.outer(slice0(a), slice0(b), c, batch, m, n);
        } else if (r == 1 && m == 1 && n == 1) {
            FusedKernels.rowDots(slice0(a), slice0(b), c, batch, k);
        } else if ((m == 1 || n == 1) && gemvTasks(a, b, c, batch, r, m, k, n)) {
            return;
        } else {
            blasGemm(a, b, c, false);
        }
    }

    /**
     * A GEMM with m = 1 or n = 1 as matrix-vector products (one BLAS GEMV per batch entry and r): the same
     * arithmetic as GEMM, without its packing of a one-row operand (a 1×16×64 sgemm took 0.46 µs, the sgemv 0.11
     * µs: E14's second step is 32 of them). False, having done nothing, when the vector's stride or the matrix's
     * layout does not fit a BLAS GEMV (the GEMM path then copies).
     */
    private static boolean gemvTasks(Tensor a, Tensor b, Tensor c, int batch, int r, int m, int k, int n) {
        boolean rowVector = m == 1;
        // the matrix: B [k, n] for a row vector times B, else A [m, k]; the vector: A's row or B's column
        Tensor mat = rowVector ? b : a;
        Tensor vec = rowVector ? a : b;
        int rows = rowVector ? k : m;
        int cols = rowVector ? n : k;
        MatrixLayout lm = MatrixLayout.of(rows, cols, mat.stride(2), mat.stride(3));
        long inc = rowVector ? vec.stride(3) : vec.stride(2);
        if (lm == null || inc < 1 || inc > Integer.MAX_VALUE) {
            return false;
        }
        // row-major GEMV computes y = M x over an [mr, mc] matrix, or y = Mᵀ x with Trans
        boolean transposed = rowVector != lm.trans();
        int mr = lm.trans() ? cols : rows;
        int mc = lm.trans() ? rows : cols;
        int order = openblas_nolapack.CblasRowMajor;
        int trans = transposed ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int incx = (int) inc;
        long sm0 = mat.stride(0);
        long sm1 = mat.stride(1);
        long sv0 = vec.stride(0);
        long sv1 = vec.stride(1);
        long sc0 = (long) m * n;
        long work = (long) m * n * k * r;
        boolean f32 = c.dtype() == DType.FLOAT32;
        Parallel.Range calls = (lo, hi) -> {
            // the matrix as "a", the vector as "b", the output as "c"
            BlasViews p = BlasViews.of(mat, vec, c, f32);
            for (int i = lo; i < hi; i++) {
                for (int j = 0; j < r; j++) {
                    long pm = i * sm0 + j * sm1;
                    long pv = i * sv0 + j * sv1;
                    if (f32) {
                        openblas_nolapack.cblas_sgemv(order, trans, mr, mc, 1f, p.fa().position(pm), lm.ld(),
                                p.fb().position(pv), incx, j == 0 ? 0f : 1f, p.fc().position(i * sc0), 1);
                    } else {
                        openblas_nolapack.cblas_dgemv(order, trans, mr, mc, 1.0, p.da().position(pm), lm.ld(),
                                p.db().position(pv), incx, j == 0 ? 0.0 : 1.0, p.dc().position(i * sc0), 1);
                    }
                }
            }
        };
        if (BlasThreads.useBlasThreads((long) batch * r, work)) {
            BlasThreads.threaded(() -> calls.run(0, batch), batch * work);
        } else {
            Parallel.forRange(batch, calls, Math.max(1, work / Math.max(1, batch)));
        }
        return true;
    }

    /**
     * A FLOAT16 or BFLOAT16 GEMM in float32, as cuBLAS's CUBLAS_COMPUTE_32F does it on the GPU: A and B (and C when
     * accumulating) widened into float32 scratch, one float32 GEMM (float32 accumulation), and C rounded once.
     */
    private void inFloat32(Tensor a, Tensor b, Tensor c, double beta) {
        try (Tensor fa = widened(a); Tensor fb = widened(b);
             Tensor fc = beta == 0 ? Tensor.empty(DType.FLOAT32, c.dims()) : widened(c)) {
            gemm(fa, fb, fc, beta);
            copy(fc, c);
        }
    }

    private Tensor widened(Tensor t) {
        Tensor f = Tensor.empty(DType.FLOAT32, t.dims());
        copy(t, f);
        return f;
    }

    /**
     * One thread's BLAS pointers to three tensors (each thread positions its own): float pointers for FLOAT32, double
     * pointers otherwise, the other three null.
     */
    private record BlasViews(FloatPointer fa, FloatPointer fb, FloatPointer fc, DoublePointer da, DoublePointer db,
                             DoublePointer dc) {
        static BlasViews of(Tensor a, Tensor b, Tensor c, boolean f32) {
            if (f32) {
                return new BlasViews(HostAccess.floatPointer(a), HostAccess.floatPointer(b),
                        HostAccess.floatPointer(c), null, null, null);
            }
            return new BlasViews(null, null, null, HostAccess.doublePointer(a), HostAccess.doublePointer(b),
                    HostAccess.doublePointer(c));
        }
    }

    /** The 3-d [batch, x, y] slice r = 0 of a 4-d [batch, r, x, y] operand. */
    private static Tensor slice0(Tensor t) {
        return t.asStrided(new int[] {t.dim(0), t.dim(2), t.dim(3)}, new long[] {t.stride(0), t.stride(2), t.stride(3)},
                t.offset());
    }

    /**
     * {@code C[b] = Σ_r A[b, r] · B[b, r]} by BLAS: one GEMM per (b, r), the r > 0 ones accumulating (beta = 1).
     * Operands whose matrices fit no BLAS layout are copied first. With {@code accumulate} the first GEMM adds
     * to C as well.
     */
    private static void blasGemm(Tensor a, Tensor b, Tensor c, boolean accumulate) {
        int m = a.dim(2);
        int k = a.dim(3);
        int n = b.dim(3);
        Tensor ac = null;
        Tensor bc = null;
        try {
            MatrixLayout la = MatrixLayout.of(m, k, a.stride(2), a.stride(3));
            if (la == null) {
                ac = a.copy();
                a = ac;
                la = MatrixLayout.of(m, k, a.stride(2), a.stride(3));
            }
            MatrixLayout lb = MatrixLayout.of(k, n, b.stride(2), b.stride(3));
            if (lb == null) {
                bc = b.copy();
                b = bc;
                lb = MatrixLayout.of(k, n, b.stride(2), b.stride(3));
            }
            gemmTasks(a, la, a.stride(0), a.stride(1), b, lb, b.stride(0), b.stride(1), c, a.dim(0), a.dim(1), m, n, k,
                    accumulate);
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
     * {@code C[i] = Σ_j op(A)[i, j] op(B)[i, j]} over {@code batch × r} BLAS calls: a lone large GEMM on OpenBLAS's
     * own threads, otherwise single-threaded calls spread over the cores by batch entry and, when there are fewer
     * batch entries than cores, by blocks of C's rows ({@link BlasThreads} says which).
     * A at {@code i·sa0 + j·sa1}, B at {@code i·sb0 + j·sb1} (elements).
     */
    private static void gemmTasks(Tensor a, MatrixLayout la, long sa0, long sa1, Tensor b, MatrixLayout lb, long sb0,
                                  long sb1, Tensor c, int batch, int r, int m, int n, int k, boolean accumulate) {
        int order = openblas_nolapack.CblasRowMajor;
        int ta = la.trans() ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        int tb = lb.trans() ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans;
        long scb = (long) m * n;
        long work = (long) m * n * k * r;
        int threads = Parallel.threads();
        boolean blasThreads = BlasThreads.useBlasThreads((long) batch * r, work);
        int split = 1;
        if (!blasThreads && !BlasThreads.nativeThreads() && batch < threads && work >= Parallel.MIN_GEMM_WORK) {
            split = Math.min((threads + batch - 1) / batch, Math.max(1, m / 32));
        }
        int rowsPer = (m + split - 1) / split;
        int mBlocks = (m + rowsPer - 1) / rowsPer;
        // A's rows of op(A): a row step of lda when not transposed, of one element when transposed
        long aRow = la.trans() ? 1 : la.ld();
        boolean f32 = c.dtype() == DType.FLOAT32;
        Parallel.Range calls = (lo, hi) -> {
            BlasViews p = BlasViews.of(a, b, c, f32);
            FloatPointer fa = p.fa();
            FloatPointer fb = p.fb();
            FloatPointer fc = p.fc();
            DoublePointer da = p.da();
            DoublePointer db = p.db();
            DoublePointer dc = p.dc();
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
                                j == 0 && !accumulate ? 0f : 1f, fc, n);
                    } else {
                        da.position(pa);
                        db.position(pb);
                        dc.position(pc);
                        openblas_nolapack.cblas_dgemm(order, ta, tb, rows, n, k, 1.0, da, la.ld(), db, lb.ld(),
                                j == 0 && !accumulate ? 0.0 : 1.0, dc, n);
                    }
                }
            }
        };
        if (blasThreads) {
            BlasThreads.threaded(() -> calls.run(0, batch), batch * work);
        } else {
            Parallel.forRange(batch * mBlocks, calls, Math.max(1, work / Math.max(1, mBlocks)));
        }
    }

    /** Plain loops for matrices too small for a BLAS call to pay off (Hadamard products, dots of length few). */
    private static void smallGemm(Tensor a, Tensor b, Tensor c) {
        int batch = a.dim(0);
        int m = a.dim(1);
        int k = a.dim(2);
        int n = b.dim(2);
        boolean f32 = a.dtype() == DType.FLOAT32;
        int es = f32 ? 4 : 8;
        long pa = HostAccess.address(a);
        long pb = HostAccess.address(b);
        long pc = HostAccess.address(c);
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
    public void sum(Tensor t, boolean[] reduce, Tensor out) {
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
        if (!java.util.Arrays.equals(out.dims(), outDims) || !out.isContiguous() || out.dtype() != t.dtype()) {
            throw new Einsum4jException("sum: output " + out + " is not a contiguous " + t.dtype()
                    + java.util.Arrays.toString(outDims));
        }
        if (t.dtype().isHalf()) {
            // accumulated in float64 as FLOAT32 is, rounded once into the 16-bit output
            try (Tensor f = widened(t); Tensor fo = Tensor.empty(DType.FLOAT32, outDims)) {
                sum(f, reduce, fo);
                copy(fo, out);
            }
            return;
        }
        if (sumByGemv(t, reduce, out)) {
            return;
        }
        if (t.dtype() == DType.FLOAT64) {
            // accumulate in float64 straight into the output
            fill(out, 0);
            if (t.numel() > 0) {
                accumulate(t, keptStrides(reduce, out), HostAccess.address(out));
            }
            return;
        }
        // accumulate in float64 whatever the dtype, then convert once
        try (Tensor acc = Tensor.zeros(DType.FLOAT64, outDims)) {
            if (t.numel() > 0) {
                accumulate(t, keptStrides(reduce, acc), HostAccess.address(acc));
            }
            copy(acc, out);
        }
    }

    /**
     * {@link BroadcastMultiply} for FLOAT32 and FLOAT64; the 16-bit types in float32 (operands widened into float32
     * scratch, the result rounded once), as their GEMMs are.
     */
    @Override
    public void multiply(Tensor a, Tensor b, boolean[] reduce, Tensor out) {
        int[] outDims = ProductOperands.check(a, b, reduce, out);
        if (!out.device().isHost() || !a.device().isHost() || !b.device().isHost()) {
            throw new Einsum4jException("multiply: operands " + a + ", " + b + " and output " + out
                    + " must all be on the host (the CPU backend's device)");
        }
        if (out.numel() == 0) {
            return;
        }
        if (a.dtype().isHalf()) {
            try (Tensor fa = widened(a); Tensor fb = widened(b); Tensor fo = Tensor.empty(DType.FLOAT32, outDims)) {
                BroadcastMultiply.run(fa, fb, reduce, fo);
                copy(fo, out);
            }
            return;
        }
        BroadcastMultiply.run(a, b, reduce, out);
    }

    /** Per input axis, the output stride of a kept axis and 0 for a reduced one. */
    private static long[] keptStrides(boolean[] reduce, Tensor out) {
        long[] outStrides = new long[reduce.length];
        long[] cs = out.strides();
        for (int i = 0, j = 0; i < reduce.length; i++) {
            outStrides[i] = reduce[i] ? 0 : cs[j++];
        }
        return outStrides;
    }

    /**
     * The sum as matrix-vector products with a vector of ones, {@code [batch, kept, reduced] · 1}, through the
     * batched GEMM (BLAS, threads, no copy of t): the kept axes, outermost first, become batch axes until the
     * rest of them and the reduced axes each merge into one dimension without a copy. Null when no such view
     * exists. Accumulates in t's dtype, as every GEMM step does. False when no such view exists.
     */
    private boolean sumByGemv(Tensor t, boolean[] reduce, Tensor out) {
        int[] kept = axesInMemoryOrder(t, reduce, false);
        int[] red = axesInMemoryOrder(t, reduce, true);
        long reducedSize = product(t, red, 0, red.length);
        if (product(t, kept, 0, kept.length) > Integer.MAX_VALUE || reducedSize > Integer.MAX_VALUE
                || reducedSize < 2) {
            return false;
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
                    gemvWithOnes(t, matrix, kept, out);
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * {@code Σ_r matrix[b, r] · 1} for the [batch, r, m, depth] view into {@code out} (the kept axes in their own
     * order): straight into out when the kept axes are in order, else through a [batch, m] scratch.
     */
    private void gemvWithOnes(Tensor t, Tensor matrix, int[] kept, Tensor out) {
        int batch = matrix.dim(0);
        int r = matrix.dim(1);
        int m = matrix.dim(2);
        int depth = matrix.dim(3);
        int[] keptDims = new int[kept.length];
        boolean inOrder = true;
        for (int i = 0; i < kept.length; i++) {
            keptDims[i] = t.dim(kept[i]);
            inOrder &= i == 0 || kept[i] > kept[i - 1];
        }
        try (Tensor ones = Tensor.empty(t.dtype(), depth)) {
            fill(ones, 1);
            Tensor onesView = ones.asStrided(new int[] {batch, r, depth, 1}, new long[] {0, 0, 1, 1}, 0);
            if (inOrder) {
                gemm(matrix, onesView, out.asStrided(new int[] {batch, m, 1}, new long[] {m, 1, 1}, out.offset()), 0);
                return;
            }
            try (Tensor result = batchedGemm(matrix, onesView)) {
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
                Tensor shaped = result.viewAs(keptDims).orElseThrow();
                copy(shaped.permute(back), out);
            }
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
        long base = HostAccess.address(t);
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

    // ------------------------------------------------------------------ copies

    /**
     * {@code dst = src} converted to dst's dtype, dst contiguous, one row (the last dimension) at a time: rows
     * with unit stride and no conversion are block copies. When src lives on another device, that device's
     * backend makes the copy (device → host).
     */
    @Override
    public void copy(Tensor src, Tensor dst) {
        if (!src.device().isHost()) {
            Backend.forDevice(src.device()).copy(src, dst);
            return;
        }
        if (!dst.device().isHost()) {
            Backend.forDevice(dst.device()).copy(src, dst);
            return;
        }
        if (!java.util.Arrays.equals(src.dims(), dst.dims()) || !dst.isContiguous()) {
            throw new Einsum4jException("copy: source " + src + " and destination " + dst
                    + " need the same dims and a contiguous destination");
        }
        long n = dst.numel();
        if (n == 0) {
            return;
        }
        DType dtype = src.dtype();
        DType target = dst.dtype();
        long da = HostAccess.address(dst);
        long sa0 = HostAccess.address(src);
        if (target == dtype && src.isContiguous()) {
            Memory.copy(sa0, da, n * dtype.byteSize());
            return;
        }
        if (target == dtype && TransposeCopy.tryCopy(src, dst)) {
            return;
        }
        int[] dims = src.dims();
        long[] strides = src.strides();
        int rank = dims.length;
        if (rank == 0) {
            writeConverted(sa0, dtype, da, target);
            return;
        }
        int inner = dims[rank - 1];
        long innerStride = strides[rank - 1];
        int es = dtype.byteSize();
        int ts = target.byteSize();
        long rows = n / inner;
        int[] idx = new int[rank];
        long so = 0;
        for (long r = 0; r < rows; r++) {
            long sa = sa0 + so * es;
            if (target == dtype) {
                if (innerStride == 1) {
                    Memory.copy(sa, da, (long) inner * es);
                } else if (es == 2) {
                    long step = innerStride * 2;
                    for (int i = 0; i < inner; i++, sa += step, da += 2) {
                        Memory.putShort(da, Memory.getShort(sa));
                    }
                    da -= (long) inner * 2;
                } else if (es == 4) {
                    long step = innerStride * 4;
                    for (int i = 0; i < inner; i++, sa += step, da += 4) {
                        Memory.putInt(da, Memory.getInt(sa));
                    }
                    da -= (long) inner * 4;
                } else {
                    long step = innerStride * 8;
                    for (int i = 0; i < inner; i++, sa += step, da += 8) {
                        Memory.putLong(da, Memory.getLong(sa));
                    }
                    da -= (long) inner * 8;
                }
            } else {
                long step = innerStride * es;
                for (int i = 0; i < inner; i++, sa += step) {
                    writeConverted(sa, dtype, da + (long) i * ts, target);
                }
            }
            da += (long) inner * ts;
            for (int k = rank - 2; k >= 0; k--) {
                if (++idx[k] < dims[k]) {
                    so += strides[k];
                    break;
                }
                so -= (long) (dims[k] - 1) * strides[k];
                idx[k] = 0;
            }
        }
    }

    private static void writeConverted(long sa, DType from, long da, DType target) {
        switch (target) {
            case FLOAT32: Memory.putFloat(da, (float) read(sa, from)); break;
            case FLOAT64: Memory.putDouble(da, read(sa, from)); break;
            // one rounding from the source's exact value (FLOAT64 sources too: narrowDouble rounds once)
            case FLOAT16: case BFLOAT16: Memory.putShort(da, HalfFloats.narrowDouble(target, read(sa, from))); break;
            case INT64:
            default: Memory.putLong(da, from == DType.INT64 ? Memory.getLong(sa) : (long) read(sa, from));
        }
    }

    private static double read(long a, DType dtype) {
        switch (dtype) {
            case FLOAT32: return Memory.getFloat(a);
            case FLOAT64: return Memory.getDouble(a);
            case FLOAT16: case BFLOAT16: return HalfFloats.widen(dtype, Memory.getShort(a));
            case INT64:
            default: return Memory.getLong(a);
        }
    }
}
