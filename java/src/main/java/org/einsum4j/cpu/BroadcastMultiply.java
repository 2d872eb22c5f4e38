package org.einsum4j.cpu;

import java.util.Arrays;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAccess;
import org.einsum4j.tensor.Tensor;

/**
 * {@code out[kept] = Σ_reduced a · b} for two strided views over one iteration space ({@code Backend.multiply} on
 * the CPU): the element-wise and broadcast products ({@code ij,ij->ij}, {@code ij,j->ij}, {@code n,pnq->pnq}) and
 * Hadamard-and-reduce over a non-unit-stride axis ({@code ij,ij->j}), for which a batched GEMM would be millions of
 * 1×1×1 calls or thousands of strided dots.
 *
 * <p>The output's innermost axis (unit stride in out) is the inner loop, cut into pieces of
 * {@link FusedKernels#PIECE_BYTES}: each operand's piece is staged into a heap array (a block copy at unit stride, a
 * gather otherwise, one scalar at stride 0), multiplied (and accumulated over the reduced axes) in heap arrays, and
 * block-copied out, because C2 on Java 17 vectorizes loops over heap arrays but not over {@code Unsafe} addresses.
 * Reduced axes are outer loops, so a reduction such as {@code ij,ij->j} streams rows into a piece-sized accumulator.
 * The units (outer output index × piece) are split over the cores. Only when no output axis is left (a full
 * reduction) is the inner loop a reduced axis, summed at the end. Accumulation is in the operands' dtype, as the
 * GEMM path's is.
 */
final class BroadcastMultiply {
    private BroadcastMultiply() {
    }

    /** Dims with the byte strides of a and b, after dropping size-1 dims and merging neighbours that chain. */
    private record Axes(int[] dims, long[] sa, long[] sb) {
        int rank() {
            return dims.length;
        }

        long count() {
            long n = 1;
            for (int d : dims) {
                n *= d;
            }
            return n;
        }

        /** The first {@code r} axes. */
        Axes head(int r) {
            return new Axes(Arrays.copyOf(dims, r), Arrays.copyOf(sa, r), Arrays.copyOf(sb, r));
        }

        static Axes of(int[] dims, long[] sa, long[] sb) {
            int[] d = new int[dims.length];
            long[] a = new long[dims.length];
            long[] b = new long[dims.length];
            int r = 0;
            for (int i = 0; i < dims.length; i++) {
                if (dims[i] == 1) {
                    continue;
                }
                if (r > 0 && a[r - 1] == sa[i] * dims[i] && b[r - 1] == sb[i] * dims[i]) {
                    d[r - 1] *= dims[i];
                    a[r - 1] = sa[i];
                    b[r - 1] = sb[i];
                } else {
                    d[r] = dims[i];
                    a[r] = sa[i];
                    b[r++] = sb[i];
                }
            }
            return new Axes(Arrays.copyOf(d, r), Arrays.copyOf(a, r), Arrays.copyOf(b, r));
        }
    }

    /**
     * The loop nest: {@code outer} output axes (one unit each per piece of the inner axis), the {@code inner} axis
     * (dims 1 when the space has none: one element) with byte strides {@code ia}, {@code ib}, and the reduced
     * axes {@code red} walked for every unit. {@code innerReduced}: the inner axis is summed too (no output axis).
     */
    private record Nest(Axes outer, int inner, long ia, long ib, Axes red, boolean innerReduced, int width) {
        int pieces() {
            return (inner + width - 1) / width;
        }
    }

    /**
     * Runs the product; a and b have one dims, out is contiguous over the kept axes, all three FLOAT32 or all three
     * FLOAT64 host tensors, and at least one element is in out (the caller checked).
     */
    static void run(Tensor a, Tensor b, boolean[] reduce, Tensor out) {
        int es = a.dtype().byteSize();
        int rank = a.rank();
        int kept = 0;
        for (boolean r : reduce) {
            kept += r ? 0 : 1;
        }
        int[] kd = new int[kept];
        long[] ka = new long[kept];
        long[] kb = new long[kept];
        Integer[] red = new Integer[rank - kept];
        for (int i = 0, j = 0, q = 0; i < rank; i++) {
            if (reduce[i]) {
                red[q++] = i;
            } else {
                kd[j] = a.dim(i);
                ka[j] = a.stride(i) * es;
                kb[j++] = b.stride(i) * es;
            }
        }
        // reduced axes by decreasing stride: the walk over them follows memory
        Arrays.sort(red, (x, y) -> Long.compare(a.stride(y) + b.stride(y), a.stride(x) + b.stride(x)));
        int[] rd = new int[red.length];
        long[] ra = new long[red.length];
        long[] rb = new long[red.length];
        for (int i = 0; i < red.length; i++) {
            rd[i] = a.dim(red[i]);
            ra[i] = a.stride(red[i]) * es;
            rb[i] = b.stride(red[i]) * es;
        }
        Axes keptAxes = Axes.of(kd, ka, kb);
        Axes redAxes = Axes.of(rd, ra, rb);
        if (redAxes.count() == 0) {
            Memory.zero(HostAccess.address(out), out.numel() * es); // a sum over an empty range
            return;
        }
        int width = FusedKernels.PIECE_BYTES / es;
        Nest nest;
        if (keptAxes.rank() > 0) {
            int last = keptAxes.rank() - 1;
            nest = new Nest(keptAxes.head(last), keptAxes.dims()[last], keptAxes.sa()[last], keptAxes.sb()[last],
                    redAxes, false, width);
        } else if (redAxes.rank() > 0) {
            int last = redAxes.rank() - 1;
            nest = new Nest(keptAxes, redAxes.dims()[last], redAxes.sa()[last], redAxes.sb()[last],
                    redAxes.head(last), true, width);
        } else {
            nest = new Nest(keptAxes, 1, 0, 0, redAxes, false, width);
        }
        long pa = HostAccess.address(a);
        long pb = HostAccess.address(b);
        long po = HostAccess.address(out);
        boolean f32 = a.dtype() == DType.FLOAT32;
        int parts = (int) Math.min(nest.red().count() / 2, (long) Parallel.threads() * Parallel.CHUNKS);
        if (!nest.innerReduced() && parts > 1 && out.numel() <= PARTIAL_ELEMENTS / parts) {
            partials(nest, pa, pb, po, parts, f32);
            return;
        }
        long units = nest.outer().count() * (nest.innerReduced() ? 1 : nest.pieces());
        long work = Math.max(1, nest.red().count() * (nest.innerReduced() ? nest.inner() : Math.min(width,
                nest.inner())));
        // units beyond 2^31 (more than 2^31 output pieces) go in blocks: Parallel takes an int range
        long block = Integer.MAX_VALUE;
        for (long base = 0; base < units; base += block) {
            long first = base;
            int n = (int) Math.min(block, units - base);
            Parallel.forRange(n, (lo, hi) -> units(nest, Lanes.of(f32, width, new int[] {width}), pa, pb, po,
                    first + lo, first + hi), work);
        }
    }

    /**
     * The most elements of partial sums (all parts together) for which a reduction is split over its reduced range
     * rather than over output pieces: each part then streams its rows in memory order into its own accumulator
     * ({@code ij,ij->j} over 2048×2048 float32 on 2 cores: 1.8 ms as 8 output pieces each walking 2048 strided
     * rows, 0.40 ms split by rows).
     */
    static final long PARTIAL_ELEMENTS = 1 << 20;

    /** Output pieces [lo, hi) (outer index × piece; one per outer index when the inner axis is summed). */
    private static void units(Nest nest, Lanes lanes, long pa, long pb, long po, long lo, long hi) {
        int w = nest.width();
        long[] outer = new long[2];
        long[] r = new long[2];
        int[] idx = new int[nest.red().rank()];
        int pieces = nest.innerReduced() ? 1 : nest.pieces();
        for (long u = lo; u < hi; u++) {
            long o = u / pieces;
            int q = (int) (u - o * pieces);
            offsets(nest.outer(), o, outer);
            if (nest.innerReduced()) {
                lanes.clear(0);
                for (int p = 0; p < nest.pieces(); p++) {
                    long j0 = (long) p * w;
                    int len = (int) Math.min(w, nest.inner() - j0);
                    Arrays.fill(idx, 0);
                    r[0] = 0;
                    r[1] = 0;
                    do {
                        lanes.piece(0, pa + outer[0] + r[0] + j0 * nest.ia(), nest.ia(),
                                pb + outer[1] + r[1] + j0 * nest.ib(), nest.ib(), len, true);
                    } while (next(nest.red(), idx, r));
                }
                lanes.putTotal(0, po + lanes.es * o);
                continue;
            }
            long j0 = (long) q * w;
            int len = (int) Math.min(w, nest.inner() - j0);
            long ea = pa + outer[0] + j0 * nest.ia();
            long eb = pb + outer[1] + j0 * nest.ib();
            Arrays.fill(idx, 0);
            r[0] = 0;
            r[1] = 0;
            boolean accumulate = false;
            do {
                lanes.piece(0, ea + r[0], nest.ia(), eb + r[1], nest.ib(), len, accumulate);
                accumulate = true;
            } while (next(nest.red(), idx, r));
            lanes.store(0, po + lanes.es * (o * nest.inner() + j0), len);
        }
    }

    /**
     * A reduction split over its reduced range into {@code parts} (over the cores), each summing its share of the
     * rows for every output piece into its own heap accumulators, the parts added up at the end.
     */
    private static void partials(Nest nest, long pa, long pb, long po, int parts, boolean f32) {
        long rows = nest.red().count();
        int w = nest.width();
        int pieces = nest.pieces();
        int units = (int) (nest.outer().count() * pieces);
        int[] lengths = new int[units];
        for (int u = 0; u < units; u++) {
            lengths[u] = Math.min(w, nest.inner() - u % pieces * w);
        }
        Lanes[] acc = new Lanes[parts];
        Parallel.forRange(parts, (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                acc[p] = Lanes.of(f32, w, lengths);
                part(nest, acc[p], pa, pb, rows * p / parts, rows * (p + 1) / parts);
            }
        }, rows / parts * nest.outer().count() * nest.inner());
        for (int u = 0; u < units; u++) {
            for (int p = 1; p < parts; p++) {
                acc[0].add(u, acc[p]);
            }
            acc[0].store(u, po + acc[0].es * ((long) u / pieces * nest.inner() + (long) (u % pieces) * w),
                    lengths[u]);
        }
    }

    /** Σ over the reduced indices [r0, r1) of the products, into the lanes' accumulator of each output piece. */
    private static void part(Nest nest, Lanes lanes, long pa, long pb, long r0, long r1) {
        int w = nest.width();
        int pieces = nest.pieces();
        long outerCount = nest.outer().count();
        long[] r = new long[2];
        long[] ob = new long[2];
        int[] idx = start(nest.red(), r0, r);
        for (long i = r0; i < r1; i++) {
            for (int o = 0; o < outerCount; o++) {
                offsets(nest.outer(), o, ob);
                for (int q = 0; q < pieces; q++) {
                    int u = o * pieces + q;
                    long j0 = (long) q * w;
                    lanes.piece(u, pa + ob[0] + r[0] + j0 * nest.ia(), nest.ia(), pb + ob[1] + r[1] + j0 * nest.ib(),
                            nest.ib(), lanes.length(u), true);
                }
            }
            next(nest.red(), idx, r);
        }
    }

    /** The odometer at linear index {@code i} over the axes (returned) and its offsets in {@code ab}. */
    private static int[] start(Axes ax, long i, long[] ab) {
        int[] idx = new int[ax.rank()];
        for (int d = ax.rank() - 1; d >= 0; d--) {
            long q = i / ax.dims()[d];
            idx[d] = (int) (i - q * ax.dims()[d]);
            i = q;
        }
        offsets(ax, 0, ab);
        for (int d = 0; d < ax.rank(); d++) {
            ab[0] += idx[d] * ax.sa()[d];
            ab[1] += idx[d] * ax.sb()[d];
        }
        return idx;
    }

    /** Byte offsets of a and b at the outer multi-index of linear index {@code i} (row-major over the axes). */
    private static void offsets(Axes ax, long i, long[] ab) {
        long oa = 0;
        long ob = 0;
        for (int d = ax.rank() - 1; d >= 0; d--) {
            long q = i / ax.dims()[d];
            long r = i - q * ax.dims()[d];
            oa += r * ax.sa()[d];
            ob += r * ax.sb()[d];
            i = q;
        }
        ab[0] = oa;
        ab[1] = ob;
    }

    /** Steps the odometer {@code idx} over the axes, moving {@code ab}'s offsets along; false after the last. */
    private static boolean next(Axes ax, int[] idx, long[] ab) {
        for (int d = ax.rank() - 1; d >= 0; d--) {
            if (++idx[d] < ax.dims()[d]) {
                ab[0] += ax.sa()[d];
                ab[1] += ax.sb()[d];
                return true;
            }
            ab[0] -= (ax.dims()[d] - 1L) * ax.sa()[d];
            ab[1] -= (ax.dims()[d] - 1L) * ax.sb()[d];
            idx[d] = 0;
        }
        return false;
    }

    /**
     * One thread's heap arrays and arithmetic for one dtype: two staging arrays of a piece and numbered accumulators
     * (one per output piece it holds). The loop nests above are shared; only these counted loops over heap arrays,
     * which C2 vectorizes, differ by type.
     */
    private abstract static class Lanes {
        final int es;

        Lanes(int es) {
            this.es = es;
        }

        static Lanes of(boolean f32, int width, int[] lengths) {
            return f32 ? new F32(width, lengths) : new F64(width, lengths);
        }

        /** Accumulator {@code c} (+)= a · b for one piece of len elements at byte strides ia, ib (0: a scalar). */
        abstract void piece(int c, long ea, long ia, long eb, long ib, int len, boolean accumulate);

        abstract int length(int c);

        abstract void clear(int c);

        /** Block-copies accumulator c's first len elements to {@code address}. */
        abstract void store(int c, long address, int len);

        /** Writes the sum of accumulator c's elements to {@code address}. */
        abstract void putTotal(int c, long address);

        /** Accumulator c += other's accumulator c. */
        abstract void add(int c, Lanes other);
    }

    private static final class F32 extends Lanes {
        private final float[] x;
        private final float[] y;
        private final float[][] acc;

        F32(int width, int[] lengths) {
            super(4);
            x = new float[width];
            y = new float[width];
            acc = new float[lengths.length][];
            for (int i = 0; i < lengths.length; i++) {
                acc[i] = new float[lengths[i]];
            }
        }

        @Override
        void piece(int ci, long ea, long ia, long eb, long ib, int len, boolean accumulate) {
            float[] c = acc[ci];
            if (ia == 0 && ib == 0) {
                float s = Memory.getFloat(ea) * Memory.getFloat(eb);
                for (int j = 0; j < len; j++) {
                    c[j] = accumulate ? c[j] + s : s;
                }
                return;
            }
            float[] u = ia == 0 || ib == 0 ? y : x;
            if (ia != 0) {
                FusedKernels.stage(ea, ia, u, len);
            }
            if (ib != 0) {
                FusedKernels.stage(eb, ib, y, len);
            }
            if (ia == 0 || ib == 0) {
                float s = ia == 0 ? Memory.getFloat(ea) : Memory.getFloat(eb);
                if (accumulate) {
                    for (int j = 0; j < len; j++) {
                        c[j] += s * y[j];
                    }
                } else {
                    for (int j = 0; j < len; j++) {
                        c[j] = s * y[j];
                    }
                }
            } else if (accumulate) {
                for (int j = 0; j < len; j++) {
                    c[j] += x[j] * y[j];
                }
            } else {
                for (int j = 0; j < len; j++) {
                    c[j] = x[j] * y[j];
                }
            }
        }

        @Override
        int length(int c) {
            return acc[c].length;
        }

        @Override
        void clear(int c) {
            Arrays.fill(acc[c], 0f);
        }

        @Override
        void store(int c, long address, int len) {
            Memory.copyFromArray(acc[c], 0, address, len);
        }

        @Override
        void putTotal(int c, long address) {
            double s = 0;
            for (float v : acc[c]) {
                s += v;
            }
            Memory.putFloat(address, (float) s);
        }

        @Override
        void add(int ci, Lanes other) {
            float[] c = acc[ci];
            float[] d = ((F32) other).acc[ci];
            for (int j = 0; j < c.length; j++) {
                c[j] += d[j];
            }
        }
    }

    private static final class F64 extends Lanes {
        private final double[] x;
        private final double[] y;
        private final double[][] acc;

        F64(int width, int[] lengths) {
            super(8);
            x = new double[width];
            y = new double[width];
            acc = new double[lengths.length][];
            for (int i = 0; i < lengths.length; i++) {
                acc[i] = new double[lengths[i]];
            }
        }

        @Override
        void piece(int ci, long ea, long ia, long eb, long ib, int len, boolean accumulate) {
            double[] c = acc[ci];
            if (ia == 0 && ib == 0) {
                double s = Memory.getDouble(ea) * Memory.getDouble(eb);
                for (int j = 0; j < len; j++) {
                    c[j] = accumulate ? c[j] + s : s;
                }
                return;
            }
            double[] u = ia == 0 || ib == 0 ? y : x;
            if (ia != 0) {
                FusedKernels.stage(ea, ia, u, len);
            }
            if (ib != 0) {
                FusedKernels.stage(eb, ib, y, len);
            }
            if (ia == 0 || ib == 0) {
                double s = ia == 0 ? Memory.getDouble(ea) : Memory.getDouble(eb);
                if (accumulate) {
                    for (int j = 0; j < len; j++) {
                        c[j] += s * y[j];
                    }
                } else {
                    for (int j = 0; j < len; j++) {
                        c[j] = s * y[j];
                    }
                }
            } else if (accumulate) {
                for (int j = 0; j < len; j++) {
                    c[j] += x[j] * y[j];
                }
            } else {
                for (int j = 0; j < len; j++) {
                    c[j] = x[j] * y[j];
                }
            }
        }

        @Override
        int length(int c) {
            return acc[c].length;
        }

        @Override
        void clear(int c) {
            Arrays.fill(acc[c], 0);
        }

        @Override
        void store(int c, long address, int len) {
            Memory.copyFromArray(acc[c], 0, address, len);
        }

        @Override
        void putTotal(int c, long address) {
            double s = 0;
            for (double v : acc[c]) {
                s += v;
            }
            Memory.putDouble(address, s);
        }

        @Override
        void add(int ci, Lanes other) {
            double[] c = acc[ci];
            double[] d = ((F64) other).acc[ci];
            for (int j = 0; j < c.length; j++) {
                c[j] += d[j];
            }
        }
    }
}
