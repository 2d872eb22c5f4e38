package org.einsum4j.path;

import java.util.Arrays;

/**
 * An immutable set of label ids of any size (bits in {@code long} words), with value equality, for the
 * heuristics that must handle networks with more than 64 labels (greedy, random-greedy).
 */
final class LabelSet {
    final long[] words;
    private final int hash;

    LabelSet(long[] words) {
        this.words = words;
        this.hash = mix(words);
    }

    /** Bit masks hash badly with Arrays.hashCode (HashMap bins degrade to trees); mix every word. */
    private static int mix(long[] words) {
        long h = 0x9E3779B97F4A7C15L;
        for (long w : words) {
            h = (h ^ w) * 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        return (int) (h ^ (h >>> 32));
    }

    static LabelSet of(int[] labels, int numWords) {
        long[] w = new long[numWords];
        for (int l : labels) {
            w[l >>> 6] |= 1L << (l & 63);
        }
        return new LabelSet(w);
    }

    LabelSet or(LabelSet o) {
        long[] w = new long[words.length];
        for (int k = 0; k < w.length; k++) {
            w[k] = words[k] | o.words[k];
        }
        return new LabelSet(w);
    }

    LabelSet and(LabelSet o) {
        long[] w = new long[words.length];
        for (int k = 0; k < w.length; k++) {
            w[k] = words[k] & o.words[k];
        }
        return new LabelSet(w);
    }

    LabelSet andNot(LabelSet o) {
        long[] w = new long[words.length];
        for (int k = 0; k < w.length; k++) {
            w[k] = words[k] & ~o.words[k];
        }
        return new LabelSet(w);
    }

    boolean isEmpty() {
        for (long x : words) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    boolean intersects(LabelSet o) {
        for (int k = 0; k < words.length; k++) {
            if ((words[k] & o.words[k]) != 0) {
                return true;
            }
        }
        return false;
    }

    boolean contains(int l) {
        return (words[l >>> 6] & (1L << (l & 63))) != 0;
    }

    /** Saturating product of the labels' sizes. */
    long size(long[] sizes) {
        long r = 1;
        for (int k = 0; k < words.length; k++) {
            long m = words[k];
            while (m != 0) {
                int l = (k << 6) + Long.numberOfTrailingZeros(m);
                m &= m - 1;
                r = Costs.mul(r, sizes[l]);
            }
        }
        return r;
    }

    int[] toArray() {
        int c = 0;
        for (long x : words) {
            c += Long.bitCount(x);
        }
        int[] a = new int[c];
        int p = 0;
        for (int k = 0; k < words.length; k++) {
            long m = words[k];
            while (m != 0) {
                a[p++] = (k << 6) + Long.numberOfTrailingZeros(m);
                m &= m - 1;
            }
        }
        return a;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LabelSet s && hash == s.hash && Arrays.equals(words, s.words);
    }

    @Override
    public int hashCode() {
        return hash;
    }
}
