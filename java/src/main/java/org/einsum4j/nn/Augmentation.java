package org.einsum4j.nn;

import java.util.SplittableRandom;

/**
 * Makes one augmented copy of an example (a row of {@code rowShape} floats), drawing its randomness from
 * {@code random}; it must not modify {@code row}. Augmentation multiplicity calls it K times per sampled example.
 */
@FunctionalInterface
public interface Augmentation {
    float[] apply(float[] row, int[] rowShape, SplittableRandom random);

    /** The example unchanged. */
    static Augmentation identity() {
        return (row, shape, random) -> row.clone();
    }

    /**
     * A random translation of images {@code [C, H, W]} by whole pixels, each axis independently uniform in
     * {@code [−max, max]}, with zeros shifted in (the digits demo uses {@code max = 1}).
     */
    static Augmentation shift(int max) {
        if (max < 0) {
            throw new NnException("shift must be >= 0, got " + max);
        }
        return (row, shape, random) -> {
            if (shape.length != 3) {
                throw new NnException("shift augmentation needs images [C, H, W], got rows of rank " + shape.length);
            }
            int c = shape[0];
            int h = shape[1];
            int w = shape[2];
            int dy = random.nextInt(2 * max + 1) - max;
            int dx = random.nextInt(2 * max + 1) - max;
            float[] out = new float[row.length];
            for (int ch = 0; ch < c; ch++) {
                for (int i = 0; i < h; i++) {
                    int si = i - dy;
                    if (si < 0 || si >= h) {
                        continue;
                    }
                    for (int j = 0; j < w; j++) {
                        int sj = j - dx;
                        if (sj >= 0 && sj < w) {
                            out[(ch * h + i) * w + j] = row[(ch * h + si) * w + sj];
                        }
                    }
                }
            }
            return out;
        };
    }
}
