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
        long units = nest.outer().count() * (nest.innerReduced() ? 1 : nest.pieces());
        long work = Math.max(1, nest.red().count() * (nest.innerReduced() ? nest.inner() : Math.min(width,
                nest.inner())));
        int parts = (int) Math.min(nest.red().count() / 2, (long) Parallel.threads() * Parallel.CHUNKS);
        if (!nest.innerReduced() && parts > 1 && out.numel() <= PARTIAL_ELEMENTS / parts) {
            partials(nest, pa, pb, po, parts, f32);
            return;
        }
        // units beyond 2^31 (more than 2^31 output pieces) go in blocks: Parallel takes an int range
        long block = Integer.MAX_VALUE;
        for (long base = 0; base < units; base += block) {
            long first = base;
            int n = (int) Math.min(block, units - base);
            Parallel.forRange(n, (lo, hi) -> {
                if (f32) {
                    unitsF32(nest, pa, pb, po, first + lo, first + hi);
                } else {
                    unitsF64(nest, pa, pb, po, first + lo, first + hi);
                }
            }, work);
        }
    }

    /**
     * The most elements of partial sums (all parts together) for which a reduction is split over its reduced range
     * rather than over output pieces: each part then streams its rows in memory order into its own accumulator
     * ({@code ij,ij->j} over 2048×2048 float32 on 2 cores: 1.8 ms as 8 output pieces each walking 2048 strided
     * rows, 0.40 ms split by rows).
     */
    static final long PARTIAL_ELEMENTS = 1 << 20;

    /**
     * A reduction split over its reduced range into {@code parts} (over the cores), each summing its share of the
     * rows for every output piece into its own heap accumulator, the parts added up at the end.
     */
    private static void partials(Nest nest, long pa, long pb, long po, int parts, boolean f32) {
        long rows = nest.red().count();
        Object[] acc = new Object[parts];
        Parallel.forRange(parts, (lo, hi) -> {
            for (int p = lo; p < hi; p++) {
                long r0 = rows * p / parts;
                long r1 = rows * (p + 1) / parts;
                acc[p] = f32 ? partF32(nest, pa, pb, r0, r1) : partF64(nest, pa, pb, r0, r1);
            }
        }, rows / parts * nest.outer().count() * nest.inner());
        int w = nest.width();
        int pieces = nest.pieces();
        int es = f32 ? 4 : 8;
        for (int u = 0; u < nest.outer().count() * pieces; u++) {
            long at = po + es * ((long) u / pieces * nest.inner() + (long) (u % pieces) * w);
            if (f32) {
                float[] c = ((float[][]) acc[0])[u];
                for (int p = 1; p < parts; p++) {
                    float[] d = ((float[][]) acc[p])[u];
                    for (int j = 0; j < c.length; j++) {
                        c[j] += d[j];
                    }
                }
                Memory.copyFromArray(c, 0, at, c.length);
            } else {
                double[] c = ((double[][]) acc[0])[u];
                for (int p = 1; p < parts; p++) {
                    double[] d = ((double[][]) acc[p])[u];
                    for (int j = 0; j < c.length; j++) {
                        c[j] += d[j];
                    }
                }
                Memory.copyFromArray(c, 0, at, c.length);
            }
        }
    }

    /** Σ over the reduced indices [r0, r1) of the products, per output piece (outer index × piece). */
    private static float[][] partF32(Nest nest, long pa, long pb, long r0, long r1) {
        int w = nest.width();
        int pieces = nest.pieces();
        int units = (int) (nest.outer().count() * pieces);
        float[][] acc = new float[units][];
        for (int u = 0; u < units; u++) {
            acc[u] = new float[Math.min(w, nest.inner() - u % pieces * w)];
        }
        float[] x = new float[w];
        float[] y = new float[w];
        long[] r = new long[2];
        long[] ob = new long[2];
        int[] idx = start(nest.red(), r0, r);
        for (long i = r0; i < r1; i++) {
            for (int o = 0; o < units / pieces; o++) {
                offsets(nest.outer(), o, ob);
                for (int q = 0; q < pieces; q++) {
                    float[] c = acc[o * pieces + q];
                    long j0 = (long) q * w;
                    pieceF32(pa + ob[0] + r[0] + j0 * nest.ia(), nest.ia(), pb + ob[1] + r[1] + j0 * nest.ib(),
                            nest.ib(), x, y, c, c.length, true);
                }
            }
            next(nest.red(), idx, r);
        }
        return acc;
    }

    private static double[][] partF64(Nest nest, long pa, long pb, long r0, long r1) {
        int w = nest.width();
        int pieces = nest.pieces();
        int units = (int) (nest.outer().count() * pieces);
        double[][] acc = new double[units][];
        for (int u = 0; u < units; u++) {
            acc[u] = new double[Math.min(w, nest.inner() - u % pieces * w)];
        }
        double[] x = new double[w];
        double[] y = new double[w];
        long[] r = new long[2];
        long[] ob = new long[2];
        int[] idx = start(nest.red(), r0, r);
        for (long i = r0; i < r1; i++) {
            for (int o = 0; o < units / pieces; o++) {
                offsets(nest.outer(), o, ob);
                for (int q = 0; q < pieces; q++) {
                    double[] c = acc[o * pieces + q];
                    long j0 = (long) q * w;
                    pieceF64(pa + ob[0] + r[0] + j0 * nest.ia(), nest.ia(), pb + ob[1] + r[1] + j0 * nest.ib(),
                            nest.ib(), x, y, c, c.length, true);
                }
            }
            next(nest.red(), idx, r);
        }
        return acc;
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

    private static void unitsF32(Nest nest, long pa, long pb, long po, long lo, long hi) {
        int w = nest.width();
        float[] x = new float[w];
        float[] y = new float[w];
        float[] c = new float[w];
        long[] outer = new long[2];
        long[] r = new long[2];
        int[] idx = new int[nest.red().rank()];
        int pieces = nest.innerReduced() ? 1 : nest.pieces();
        for (long u = lo; u < hi; u++) {
            long o = u / pieces;
            int q = (int) (u - o * pieces);
            offsets(nest.outer(), o, outer);
            if (nest.innerReduced()) {
                Arrays.fill(c, 0f);
                for (int p = 0; p < nest.pieces(); p++) {
                    int j0 = p * w;
                    int len = Math.min(w, nest.inner() - j0);
                    Arrays.fill(idx, 0);
                    r[0] = 0;
                    r[1] = 0;
                    do {
                        pieceF32(pa + outer[0] + r[0] + j0 * nest.ia(), nest.ia(), pb + outer[1] + r[1]
                                + j0 * nest.ib(), nest.ib(), x, y, c, len, true);
                    } while (next(nest.red(), idx, r));
                }
                double s = 0;
                for (float v : c) {
                    s += v;
                }
                Memory.putFloat(po + 4 * o, (float) s);
                continue;
            }
            int j0 = q * w;
            int len = Math.min(w, nest.inner() - j0);
            long ea = pa + outer[0] + j0 * nest.ia();
            long eb = pb + outer[1] + j0 * nest.ib();
            Arrays.fill(idx, 0);
            r[0] = 0;
            r[1] = 0;
            boolean accumulate = false;
            do {
                pieceF32(ea + r[0], nest.ia(), eb + r[1], nest.ib(), x, y, c, len, accumulate);
                accumulate = true;
            } while (next(nest.red(), idx, r));
            Memory.copyFromArray(c, 0, po + 4 * (o * nest.inner() + j0), len);
        }
    }

    /** {@code c[j] (+)= a[j] · b[j]} for one piece of len elements at byte strides ia, ib (0: a scalar). */
    private static void pieceF32(long ea, long ia, long eb, long ib, float[] x, float[] y, float[] c, int len,
                                 boolean accumulate) {
        if (ia == 0 || ib == 0) {
            float s = ia == 0 ? Memory.getFloat(ea) : Memory.getFloat(eb);
            if (ia == 0 && ib == 0) {
                s *= Memory.getFloat(eb);
                for (int j = 0; j < len; j++) {
                    c[j] = accumulate ? c[j] + s : s;
                }
                return;
            }
            if (ia == 0) {
                FusedKernels.stage(eb, ib, y, len);
            } else {
                FusedKernels.stage(ea, ia, y, len);
            }
            if (accumulate) {
                for (int j = 0; j < len; j++) {
                    c[j] += s * y[j];
                }
            } else {
                for (int j = 0; j < len; j++) {
                    c[j] = s * y[j];
                }
            }
            return;
        }
        FusedKernels.stage(ea, ia, x, len);
        FusedKernels.stage(eb, ib, y, len);
        if (accumulate) {
            for (int j = 0; j < len; j++) {
                c[j] += x[j] * y[j];
            }
        } else {
            for (int j = 0; j < len; j++) {
                c[j] = x[j] * y[j];
            }
        }
    }

    private static void unitsF64(Nest nest, long pa, long pb, long po, long lo, long hi) {
        int w = nest.width();
        double[] x = new double[w];
        double[] y = new double[w];
        double[] c = new double[w];
        long[] outer = new long[2];
        long[] r = new long[2];
        int[] idx = new int[nest.red().rank()];
        int pieces = nest.innerReduced() ? 1 : nest.pieces();
        for (long u = lo; u < hi; u++) {
            long o = u / pieces;
            int q = (int) (u - o * pieces);
            offsets(nest.outer(), o, outer);
            if (nest.innerReduced()) {
                Arrays.fill(c, 0);
                for (int p = 0; p < nest.pieces(); p++) {
                    int j0 = p * w;
                    int len = Math.min(w, nest.inner() - j0);
                    Arrays.fill(idx, 0);
                    r[0] = 0;
                    r[1] = 0;
                    do {
                        pieceF64(pa + outer[0] + r[0] + j0 * nest.ia(), nest.ia(), pb + outer[1] + r[1]
                                + j0 * nest.ib(), nest.ib(), x, y, c, len, true);
                    } while (next(nest.red(), idx, r));
                }
                double s = 0;
                for (double v : c) {
                    s += v;
                }
                Memory.putDouble(po + 8 * o, s);
                continue;
            }
            int j0 = q * w;
            int len = Math.min(w, nest.inner() - j0);
            long ea = pa + outer[0] + j0 * nest.ia();
            long eb = pb + outer[1] + j0 * nest.ib();
            Arrays.fill(idx, 0);
            r[0] = 0;
            r[1] = 0;
            boolean accumulate = false;
            do {
                pieceF64(ea + r[0], nest.ia(), eb + r[1], nest.ib(), x, y, c, len, accumulate);
                accumulate = true;
            } while (next(nest.red(), idx, r));
            Memory.copyFromArray(c, 0, po + 8 * (o * nest.inner() + j0), len);
        }
    }

    private static void pieceF64(long ea, long ia, long eb, long ib, double[] x, double[] y, double[] c, int len,
                                 boolean accumulate) {
        if (ia == 0 || ib == 0) {
            double s = ia == 0 ? Memory.getDouble(ea) : Memory.getDouble(eb);
            if (ia == 0 && ib == 0) {
                s *= Memory.getDouble(eb);
                for (int j = 0; j < len; j++) {
                    c[j] = accumulate ? c[j] + s : s;
                }
                return;
            }
            if (ia == 0) {
                FusedKernels.stage(eb, ib, y, len);
            } else {
                FusedKernels.stage(ea, ia, y, len);
            }
            if (accumulate) {
                for (int j = 0; j < len; j++) {
                    c[j] += s * y[j];
                }
            } else {
                for (int j = 0; j < len; j++) {
                    c[j] = s * y[j];
                }
            }
            return;
        }
        FusedKernels.stage(ea, ia, x, len);
        FusedKernels.stage(eb, ib, y, len);
        if (accumulate) {
            for (int j = 0; j < len; j++) {
                c[j] += x[j] * y[j];
            }
        } else {
            for (int j = 0; j < len; j++) {
                c[j] = x[j] * y[j];
            }
        }
    }
}
