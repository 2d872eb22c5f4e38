package org.einsum4j.cpu;

import org.einsum4j.tensor.HostAccess;
import org.einsum4j.tensor.Tensor;

/**
 * Permuting copies ({@code dst} contiguous, {@code src} a permuted view whose unit-stride axis is not the last):
 * the final permutation of a plan and GEMM operand copies. Copying row by row along dst's last axis reads src with a
 * large stride, one cache line per element, and when that stride is a multiple of 4 KiB every read maps to the same
 * L1 set (E06's result permutation: 2.9 ns per element). This copy walks tiles of {@value #TILE} × {@value #TILE}
 * elements of the two axes involved (src's unit-stride axis and dst's last axis), so each cache line read is used
 * whole while it is in L1, and splits the tiles' rows over the cores when the copy is large.
 */
final class TransposeCopy {
    private static final int TILE = 16;

    private TransposeCopy() {
    }

    /**
     * Copies src into the contiguous dst of the same dims and dtype when src's last axis is strided (size ≥ 2) and
     * some other axis has unit stride; returns false, having done nothing, otherwise.
     */
    static boolean tryCopy(Tensor src, Tensor dst) {
        int rank = src.rank();
        if (rank < 2 || src.dtype() != dst.dtype()) {
            return false;
        }
        int[] dims = src.dims();
        long[] st = src.strides();
        int last = rank - 1;
        if (st[last] == 1 || dims[last] < 2) {
            return false;
        }
        int p = -1;
        for (int d = 0; d < last; d++) {
            if (st[d] == 1 && dims[d] > 1) {
                p = d;
            }
        }
        if (p < 0) {
            return false;
        }
        int es = src.dtype().byteSize();
        long[] ds = new long[rank];
        long acc = 1;
        for (int d = last; d >= 0; d--) {
            ds[d] = acc;
            acc *= dims[d];
        }
        // the outer axes (all but p and last), odometer order
        int outerRank = rank - 2;
        int[] od = new int[outerRank];
        long[] os = new long[outerRank];
        long[] odst = new long[outerRank];
        long outer = 1;
        for (int d = 0, q = 0; d < last; d++) {
            if (d != p) {
                od[q] = dims[d];
                os[q] = st[d] * es;
                odst[q] = ds[d] * es;
                outer *= dims[d];
                q++;
            }
        }
        int np = dims[p];
        int nl = dims[last];
        long srcL = st[last] * es;
        long dstP = ds[p] * es;
        long sBase = HostAccess.address(src);
        long dBase = HostAccess.address(dst);
        long items = outer * ((np + TILE - 1) / TILE);
        if (items > Integer.MAX_VALUE) {
            return false;
        }
        int pTiles = (np + TILE - 1) / TILE;
        Parallel.forRange((int) items, (lo, hi) -> {
            for (int it = lo; it < hi; it++) {
                long o = it / pTiles;
                int i0 = (int) (it - o * pTiles) * TILE;
                // offsets of outer index o
                long so = 0;
                long dof = 0;
                long rest = o;
                for (int q = outerRank - 1; q >= 0; q--) {
                    long idx = rest % od[q];
                    rest /= od[q];
                    so += idx * os[q];
                    dof += idx * odst[q];
                }
                int i1 = Math.min(np, i0 + TILE);
                for (int j0 = 0; j0 < nl; j0 += TILE) {
                    int j1 = Math.min(nl, j0 + TILE);
                    for (int i = i0; i < i1; i++) {
                        long s = sBase + so + (long) i * es + j0 * srcL;
                        long d = dBase + dof + i * dstP + (long) j0 * es;
                        if (es == 4) {
                            for (int j = j0; j < j1; j++, s += srcL, d += 4) {
                                Memory.putInt(d, Memory.getInt(s));
                            }
                        } else if (es == 2) {
                            for (int j = j0; j < j1; j++, s += srcL, d += 2) {
                                Memory.putShort(d, Memory.getShort(s));
                            }
                        } else {
                            for (int j = j0; j < j1; j++, s += srcL, d += 8) {
                                Memory.putLong(d, Memory.getLong(s));
                            }
                        }
                    }
                }
            }
        }, (long) TILE * nl);
        return true;
    }
}
