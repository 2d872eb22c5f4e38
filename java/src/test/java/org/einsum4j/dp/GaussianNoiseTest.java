package org.einsum4j.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The noise of a DP step: mean 0 and variance (σC)² per coordinate (divided by the expected batch size for a mean
 * loss), tested on an empty Poisson batch — whose clipped sum is zero, so the result is the noise alone — with
 * tolerances tight enough that σ·1.05 fails them.
 */
class GaussianNoiseTest {
    private static final double SIGMA = 1.3;
    private static final double C = 0.7;

    @Test
    void emptyBatchGetsNoiseOfStdSigmaTimesC() {
        double[] v = noiseOfEmptyStep(GaussianNoise.seeded(42), -1);
        assertMoments(v, SIGMA * C);
        assertFalse(momentsWithin(v, 1.05 * SIGMA * C), "the test must reject sigma x 1.05");
        assertFalse(momentsWithin(v, SIGMA * C / 1.05), "the test must reject sigma / 1.05");
    }

    @Test
    void meanLossDividesByTheExpectedBatchSize() {
        double[] v = noiseOfEmptyStep(GaussianNoise.seeded(43), 64);
        assertMoments(v, SIGMA * C / 64);
        assertFalse(momentsWithin(v, SIGMA * C), "must divide by the expected batch size");
    }

    @Test
    void secureNoiseHasTheSameMoments() {
        GaussianNoise secure = GaussianNoise.secure();
        assertTrue(secure.isSecure());
        assertMoments(noiseOfEmptyStep(secure, -1), SIGMA * C);
    }

    @Test
    void seededNoiseIsReproducibleAndSecureIsNot() {
        assertArrayEquals(GaussianNoise.seeded(1).sample(100, 1), GaussianNoise.seeded(1).sample(100, 1));
        GaussianNoise s = GaussianNoise.secure();
        assertFalse(java.util.Arrays.equals(s.sample(100, 1), GaussianNoise.secure().sample(100, 1)));
    }

    @Test
    void rejectsNegativeOrNonFiniteStd() {
        assertThrows(DpException.class, () -> GaussianNoise.seeded(1).sample(3, -1));
        assertThrows(DpException.class, () -> GaussianNoise.seeded(1).sample(3, Double.NaN));
        assertEquals(0, GaussianNoise.seeded(1).sample(3, 0)[2]);
    }

    /** The noised gradient of a Linear(500, 400) with B = 0: 200,400 coordinates of pure noise. */
    private static double[] noiseOfEmptyStep(GaussianNoise noise, double expectedBatch) {
        LinearLayer layer = new LinearLayer(500, 400, true);
        DpStep.Builder b = DpStep.builder().maxGradNorm(C).noiseMultiplier(SIGMA).noise(noise).multiplicity(2);
        if (expectedBatch > 0) {
            b.meanLoss(expectedBatch);
        }
        try (Tensor a = Tensor.zeros(DType.FLOAT64, 0, 500); Tensor g = Tensor.zeros(DType.FLOAT64, 0, 400);
             DpResult r = b.build().run(List.of(LayerBatch.of("fc", layer, a, g)))) {
            double[] w = r.gradients().get("fc.weight").toDoubleArray();
            double[] bias = r.gradients().get("fc.bias").toDoubleArray();
            double[] all = new double[w.length + bias.length];
            System.arraycopy(w, 0, all, 0, w.length);
            System.arraycopy(bias, 0, all, w.length, bias.length);
            return all;
        }
    }

    private static void assertMoments(double[] v, double std) {
        assertTrue(momentsWithin(v, std), "mean/variance of " + v.length + " draws do not fit std " + std
                + ": mean " + mean(v) + ", std " + Math.sqrt(var(v)));
    }

    /**
     * Mean within 5 standard errors (std/√n) of 0 and variance within 5 standard errors (std²·√(2/n), 1.6% at
     * n = 200,400) of std² — a 5% error in σ moves the variance by 10%.
     */
    private static boolean momentsWithin(double[] v, double std) {
        double n = v.length;
        boolean mean = Math.abs(mean(v)) <= 5 * std / Math.sqrt(n);
        boolean var = Math.abs(var(v) - std * std) <= 5 * std * std * Math.sqrt(2 / n);
        return mean && var;
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }

    private static double var(double[] v) {
        double m = mean(v);
        double s = 0;
        for (double x : v) {
            s += (x - m) * (x - m);
        }
        return s / (v.length - 1);
    }
}
