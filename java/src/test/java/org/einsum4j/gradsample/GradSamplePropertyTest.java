package org.einsum4j.gradsample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.einsum4j.testing.UnderTest;

/**
 * Properties that hold for any layer and shape, checked on seeded random layers: the per-sample gradients sum
 * (over samples) to the batch gradient computed independently ({@link DirectGradients}: the oracle or direct
 * loops), and K identical copies of each row give K× the single-copy gradient under SUM and 1× under MEAN.
 */
class GradSamplePropertyTest {
    private static final int TRIALS = 12;

    @ParameterizedTest
    @EnumSource(RandomLayers.Kind.class)
    void perSampleGradientsSumToTheBatchGradient(RandomLayers.Kind kind) {
        SplittableRandom r = new SplittableRandom(1000 + kind.ordinal());
        for (int trial = 0; trial < TRIALS; trial++) {
            DType dtype = trial % 3 == 2 ? DType.FLOAT32 : DType.FLOAT64;
            double tol = dtype == DType.FLOAT32 ? 2e-5 : 1e-11;
            int b = 1 + r.nextInt(3);
            int k = 1 + r.nextInt(3);
            try (RandomLayers.Case c = RandomLayers.random(kind, r, b, k, dtype, trial % 2 == 0)) {
                Map<String, Tensor> got = UnderTest.compute(c.layer(), c.acts(), c.backs(), k, KReduction.SUM);
                try {
                    Map<String, double[]> direct = DirectGradients.of(c.layer(), c.acts(), c.backs());
                    assertEquals(direct.keySet(), got.keySet(), c.toString());
                    for (Map.Entry<String, double[]> e : direct.entrySet()) {
                        Tensor per = got.get(e.getKey());
                        assertArrayEquals(RandomLayers.concat(new int[] {b},
                                c.layer().parameterShapes().get(e.getKey())), per.dims(), c + " " + e.getKey());
                        double[] sum = sumOverSamples(per);
                        double err = relError(sum, e.getValue());
                        assertTrue(err <= tol, c + " " + e.getKey() + ": relative error " + err);
                    }
                } finally {
                    GradTensors.closeAll(got);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(RandomLayers.Kind.class)
    void kIdenticalCopiesGiveKTimesUnderSumAndOnceUnderMean(RandomLayers.Kind kind) {
        SplittableRandom r = new SplittableRandom(2000 + kind.ordinal());
        for (int trial = 0; trial < TRIALS / 2; trial++) {
            int b = 1 + r.nextInt(3);
            int k = 2 + r.nextInt(3);
            try (RandomLayers.Case base = RandomLayers.random(kind, r, b, 1, DType.FLOAT64, true)) {
                List<Tensor> owned = new ArrayList<>();
                Map<String, Tensor> single = null;
                Map<String, Tensor> sum = null;
                Map<String, Tensor> mean = null;
                try {
                    List<Tensor> acts = repeatRows(base.acts(), k, owned);
                    List<Tensor> backs = repeatRows(base.backs(), k, owned);
                    single = UnderTest.compute(base.layer(), base.acts(), base.backs(), 1, KReduction.SUM);
                    sum = UnderTest.compute(base.layer(), acts, backs, k, KReduction.SUM);
                    mean = UnderTest.compute(base.layer(), acts, backs, k, KReduction.MEAN);
                    for (String p : single.keySet()) {
                        GradTensors.assertClose(base + " SUM " + p, sum.get(p), single.get(p), k, 1e-12);
                        GradTensors.assertClose(base + " MEAN " + p, mean.get(p), single.get(p), 1, 1e-12);
                    }
                } finally {
                    GradTensors.closeAll(single);
                    GradTensors.closeAll(sum);
                    GradTensors.closeAll(mean);
                    owned.forEach(Tensor::close);
                }
            }
        }
    }

    /** Each row (dim 0) repeated k times, sample-major: rows n·k … n·k+k−1 are copies of row n. */
    static List<Tensor> repeatRows(List<Tensor> ts, int k, List<Tensor> owned) {
        List<Tensor> out = new ArrayList<>();
        for (Tensor t : ts) {
            int[] d = t.dims();
            int[] withOne = RandomLayers.concat(new int[] {d[0], 1}, java.util.Arrays.copyOfRange(d, 1, d.length));
            int[] withK = withOne.clone();
            withK[1] = k;
            int[] rows = d.clone();
            rows[0] = d[0] * k;
            try (Tensor v = t.reshape(withOne); Tensor bc = v.broadcastTo(withK)) {
                Tensor copy = bc.copy();
                owned.add(copy);
                Tensor view = copy.view(rows);
                owned.add(view);
                out.add(view);
            }
        }
        return out;
    }

    static double[] sumOverSamples(Tensor perSample) {
        double[] all = perSample.toDoubleArray();
        int b = perSample.dim(0);
        int n = b == 0 ? 0 : all.length / b;
        double[] s = new double[n];
        for (int i = 0; i < all.length; i++) {
            s[i % n] += all[i];
        }
        return s;
    }

    static double relError(double[] out, double[] ref) {
        assertEquals(ref.length, out.length);
        double num = 0;
        double den = 0;
        for (int i = 0; i < out.length; i++) {
            num += (out[i] - ref[i]) * (out[i] - ref[i]);
            den += ref[i] * ref[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }
}
