package org.einsum4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The bundled digits, the split, Poisson sampling and augmentation multiplicity. */
class DataTest {

    @Test
    void digitsHave1797ImagesInTenClassesScaledToUnitRange() {
        Dataset d = Digits.load();
        assertEquals(1797, d.size());
        assertArrayEquals(new int[] {1, 8, 8}, d.rowShape());
        int[] counts = new int[10];
        float max = 0;
        for (int i = 0; i < d.size(); i++) {
            counts[d.label(i)]++;
            for (float v : d.row(i)) {
                assertTrue(v >= 0 && v <= 1);
                max = Math.max(max, v);
            }
        }
        assertEquals(1f, max);
        for (int c : counts) {
            assertTrue(c >= 170 && c <= 190, "classes are balanced: " + c);
        }
        // the first image of the file (a zero) as scikit-learn loads it
        assertEquals(0, d.label(0));
        assertEquals(5 / 16f, d.row(0)[2]);
        assertEquals(13 / 16f, d.row(0)[3]);
    }

    @Test
    void splitIsEightyTwentyDisjointAndFixedBySeed() {
        Dataset d = Digits.load();
        Dataset.Split a = d.split(0.8, 1);
        Dataset.Split b = d.split(0.8, 1);
        assertEquals(1438, a.train().size());
        assertEquals(359, a.test().size());
        assertArrayEquals(a.test().row(7), b.test().row(7));
        Set<String> train = new HashSet<>();
        for (int i = 0; i < a.train().size(); i++) {
            train.add(java.util.Arrays.toString(a.train().row(i)) + a.train().label(i));
        }
        int shared = 0;
        for (int i = 0; i < a.test().size(); i++) {
            shared += train.contains(java.util.Arrays.toString(a.test().row(i)) + a.test().label(i)) ? 1 : 0;
        }
        assertTrue(shared < 5, "test rows are not training rows (the data has a few duplicate images): " + shared);
        assertNotEquals(java.util.Arrays.toString(d.split(0.8, 2).test().row(0)),
                java.util.Arrays.toString(a.test().row(0)));
    }

    @Test
    void poissonBatchesHaveRateQAndMayBeEmpty() {
        PoissonSampler s = new PoissonSampler(0.05, 1000, 3);
        assertEquals(50.0, s.expectedBatchSize(), 1e-12);
        assertEquals(20, s.stepsPerEpoch());
        long total = 0;
        int steps = 400;
        for (int i = 0; i < steps; i++) {
            int[] b = s.next();
            for (int j = 1; j < b.length; j++) {
                assertTrue(b[j] > b[j - 1]);
            }
            total += b.length;
        }
        double mean = (double) total / steps;
        assertEquals(50, mean, 4 * Math.sqrt(50 * 0.95 / steps) + 1e-9, "mean batch size q·N");
        PoissonSampler tiny = new PoissonSampler(0.001, 100, 1);
        int empty = 0;
        for (int i = 0; i < 100; i++) {
            empty += tiny.next().length == 0 ? 1 : 0;
        }
        assertTrue(empty > 80, "q·N = 0.1: most batches are empty, got " + empty + " of 100");
    }

    @Test
    void batchesExpandEachExampleToKAugmentedCopiesSampleMajor() {
        Dataset d = Digits.load();
        int[] idx = {3, 10, 500};
        int k = 4;
        try (Dataset.Batch b = d.batch(idx, k, Augmentation.shift(1), new SplittableRandom(2))) {
            assertArrayEquals(new int[] {12, 1, 8, 8}, b.inputs().dims());
            assertEquals(3, b.samples());
            long[] y = b.labels().toLongArray();
            float[] x = b.inputs().toFloatArray();
            for (int n = 0; n < idx.length; n++) {
                float[] orig = d.row(idx[n]);
                for (int c = 0; c < k; c++) {
                    assertEquals(d.label(idx[n]), y[n * k + c]);
                    float[] copy = java.util.Arrays.copyOfRange(x, (n * k + c) * 64, (n * k + c + 1) * 64);
                    assertTrue(isShiftOf(copy, orig), "row " + (n * k + c) + " is a ±1 shift of example " + idx[n]);
                }
            }
        }
        try (Dataset.Batch empty = d.batch(new int[0], 3, Augmentation.shift(1), new SplittableRandom(2))) {
            assertArrayEquals(new int[] {0, 1, 8, 8}, empty.inputs().dims());
        }
        assertThrows(NnException.class, () -> d.batch(idx, 0, Augmentation.identity(), new SplittableRandom(1)));
    }

    private static boolean isShiftOf(float[] copy, float[] orig) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                boolean ok = true;
                for (int i = 0; i < 8 && ok; i++) {
                    for (int j = 0; j < 8 && ok; j++) {
                        int si = i - dy;
                        int sj = j - dx;
                        float want = si < 0 || si >= 8 || sj < 0 || sj >= 8 ? 0 : orig[si * 8 + sj];
                        ok = copy[i * 8 + j] == want;
                    }
                }
                if (ok) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void shiftsCoverAllNineOffsets() {
        float[] img = new float[64];
        img[27] = 1; // (3, 3)
        Set<Integer> seen = new HashSet<>();
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 200; i++) {
            float[] a = Augmentation.shift(1).apply(img, new int[] {1, 8, 8}, r);
            for (int p = 0; p < 64; p++) {
                if (a[p] == 1) {
                    seen.add(p);
                }
            }
        }
        assertEquals(Set.of(18, 19, 20, 26, 27, 28, 34, 35, 36), seen);
    }

    @Test
    void evaluationCountsCorrectPredictions() {
        Sequential m = new Sequential(new Flatten(), new Linear(64, 10, 1));
        Dataset d = Digits.load().subset(new int[] {0, 1, 2, 3, 4});
        Evaluation e = Evaluation.of(m, d, Loss.crossEntropy(), 2);
        assertEquals(5, e.examples());
        long correct = 0;
        try (Dataset.Batch b = d.range(0, 5)) {
            Tensor out = m.forward(b.inputs(), false);
            double[] z = out.toDoubleArray();
            for (int i = 0; i < 5; i++) {
                int best = 0;
                for (int j = 1; j < 10; j++) {
                    best = z[i * 10 + j] > z[i * 10 + best] ? j : best;
                }
                correct += best == d.label(i) ? 1 : 0;
            }
            m.release();
        }
        assertEquals(correct / 5.0, e.accuracy(), 1e-12);
    }
}
