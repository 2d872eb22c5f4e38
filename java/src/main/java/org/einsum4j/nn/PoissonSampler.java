package org.einsum4j.nn;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Poisson sampling, the sampling the privacy accountant's analysis assumes: each step includes each of the N
 * examples independently with probability q, so batch sizes vary (expected {@code q·N}) and may be 0. An epoch is
 * {@code round(1/q)} steps, as Opacus's {@code DPDataLoader} counts it.
 */
public final class PoissonSampler {
    private final double rate;
    private final int size;
    private final SplittableRandom random;

    public PoissonSampler(double rate, int size, long seed) {
        if (!(rate > 0 && rate <= 1)) {
            throw new NnException("sampling rate q must be in (0, 1], got " + rate);
        }
        if (size < 1) {
            throw new NnException("dataset size must be >= 1, got " + size);
        }
        this.rate = rate;
        this.size = size;
        this.random = new SplittableRandom(seed);
    }

    public double rate() {
        return rate;
    }

    /** {@code q·N}: what a mean loss divides by, whatever the realized batch size. */
    public double expectedBatchSize() {
        return rate * size;
    }

    public int stepsPerEpoch() {
        return Math.max(1, (int) Math.round(1 / rate));
    }

    /** The indices of the next batch, ascending; possibly empty. */
    public int[] next() {
        int[] idx = new int[16];
        int n = 0;
        for (int i = 0; i < size; i++) {
            if (random.nextDouble() < rate) {
                if (n == idx.length) {
                    idx = Arrays.copyOf(idx, 2 * n);
                }
                idx[n++] = i;
            }
        }
        return Arrays.copyOf(idx, n);
    }
}
