package org.einsum4j.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The structs native/KERNELS.md passes by value, as exact little-endian bytes: {@code StridedLayout} (136 bytes),
 * {@code PairLayout} (200), {@code ReduceLayout} (264), {@code ConvGeometry} (176); and the dimension merging that
 * keeps a layout within the kernels' rank limit of 8: size-1 dims dropped, neighbours whose strides chain merged.
 */
final class Layouts {
    static final int MAX_RANK = 8;

    private Layouts() {
    }

    /** Sizes with one or more stride arrays (elements), after merging. */
    record Dims(long[] sizes, long[][] strides) {
        int rank() {
            return sizes.length;
        }

        long numel() {
            long n = 1;
            for (long s : sizes) {
                n *= s;
            }
            return n;
        }
    }

    /**
     * Drops size-1 dims and merges dim i into i+1 when every stride array chains ({@code s[i] == s[i+1]·size[i+1]}).
     * The element order (row-major over the sizes) is kept.
     */
    static Dims merge(int[] sizes, long[]... strides) {
        int n = sizes.length;
        long[] sz = new long[n];
        long[][] st = new long[strides.length][n];
        int r = 0;
        for (int i = 0; i < n; i++) {
            if (sizes[i] == 1) {
                continue;
            }
            boolean chains = r > 0;
            if (chains) {
                for (int a = 0; a < strides.length; a++) {
                    chains &= st[a][r - 1] == strides[a][i] * sizes[i];
                }
            }
            if (chains) {
                sz[r - 1] *= sizes[i];
                for (int a = 0; a < strides.length; a++) {
                    st[a][r - 1] = strides[a][i];
                }
            } else {
                sz[r] = sizes[i];
                for (int a = 0; a < strides.length; a++) {
                    st[a][r] = strides[a][i];
                }
                r++;
            }
        }
        long[][] out = new long[strides.length][];
        for (int a = 0; a < strides.length; a++) {
            out[a] = Arrays.copyOf(st[a], r);
        }
        return new Dims(Arrays.copyOf(sz, r), out);
    }

    private static ByteBuffer buffer(int bytes) {
        return ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void checkRank(int rank, String what) {
        if (rank > MAX_RANK) {
            throw new CudaException(what + ": " + rank + " dimensions remain after merging, more than the CUDA "
                    + "kernels' " + MAX_RANK);
        }
    }

    private static void putArray(ByteBuffer b, int at, long[] v) {
        for (int i = 0; i < v.length; i++) {
            b.putLong(at + 8 * i, v[i]);
        }
    }

    /** {@code StridedLayout}: int32 rank @0, int64 sizes[8] @8, strides[8] @72. */
    static byte[] strided(long[] sizes, long[] strides) {
        checkRank(sizes.length, "StridedLayout");
        ByteBuffer b = buffer(136);
        b.putInt(0, sizes.length);
        putArray(b, 8, sizes);
        putArray(b, 72, strides);
        return b.array();
    }

    /** {@code PairLayout}: int32 rank @0, sizes[8] @8, strides_a[8] @72, strides_b[8] @136. */
    static byte[] pair(Dims d) {
        checkRank(d.rank(), "PairLayout");
        ByteBuffer b = buffer(200);
        b.putInt(0, d.rank());
        putArray(b, 8, d.sizes());
        putArray(b, 72, d.strides()[0]);
        putArray(b, 136, d.strides()[1]);
        return b.array();
    }

    /** {@code ReduceLayout}: kept_rank @0, reduced_rank @4, kept_sizes @8, kept_strides @72, reduced_sizes @136, reduced_strides @200. */
    static byte[] reduce(Dims kept, Dims reduced) {
        checkRank(kept.rank(), "ReduceLayout (kept)");
        checkRank(reduced.rank(), "ReduceLayout (reduced)");
        ByteBuffer b = buffer(264);
        b.putInt(0, kept.rank());
        b.putInt(4, reduced.rank());
        putArray(b, 8, kept.sizes());
        putArray(b, 72, kept.strides()[0]);
        putArray(b, 136, reduced.sizes());
        putArray(b, 200, reduced.strides()[0]);
        return b.array();
    }

    /** {@code ConvGeometry}: 22 int64 in order samples, copies, groups, channels, in[3], kernel[3], stride[3], pad[3], dilation[3], out[3]. */
    static byte[] conv(int samples, int copies, int groups, int channels, int[] in, int[] k, int[] s, int[] p, int[] d,
                       int[] out) {
        ByteBuffer b = buffer(176);
        long[] v = new long[22];
        v[0] = samples;
        v[1] = copies;
        v[2] = groups;
        v[3] = channels;
        int at = 4;
        for (int[] a : new int[][] {in, k, s, p, d, out}) {
            for (int i = 0; i < 3; i++) {
                v[at++] = a[i];
            }
        }
        putArray(b, 0, v);
        return b.array();
    }
}
