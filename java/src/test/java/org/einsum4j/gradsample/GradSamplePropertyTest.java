package org.einsum4j.gradsample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

/**
 * Properties that hold for any layer and shape, checked as jqwik properties, each try on one random layer of every
 * kind ({@link RandomLayers#blueprints}; a failure shrinks to small layers): the per-sample gradients sum (over
 * samples) to the batch gradient computed independently ({@link DirectGradients}: the oracle or direct loops), and
 * K identical copies of each row give K× the single-copy gradient under SUM and 1× under MEAN.
 */
class GradSamplePropertyTest {
    /** A layer with its batch B, multiplicity K, dtype and layout; tensors are made (and closed) in the test. */
    record Setup(RandomLayers.Blueprint layer, int b, int k, DType dtype, boolean batchFirst) {
        RandomLayers.Case build() {
            return layer.build(b, k, dtype, batchFirst, hashCode());
        }

        /**
         * One setup of every layer kind per try (so each kind gets exactly the property's tries), each shrinking on
         * its own.
         */
        static Arbitrary<List<Setup>> everyKind(Arbitrary<Integer> k, Arbitrary<DType> dtype,
                Arbitrary<Boolean> batchFirst) {
            List<Arbitrary<Setup>> kinds = new ArrayList<>();
            for (RandomLayers.Kind kind : RandomLayers.Kind.values()) {
                kinds.add(Combinators.combine(RandomLayers.blueprints(kind), Arbitraries.integers().between(1, 3), k,
                        dtype, batchFirst).as(Setup::new));
            }
            return Combinators.combine(kinds).as(l -> l);
        }
    }

    @Provide
    Arbitrary<List<Setup>> everyKind() {
        return Setup.everyKind(Arbitraries.integers().between(1, 3),
                Arbitraries.frequency(Tuple.of(2, DType.FLOAT64), Tuple.of(1, DType.FLOAT32)),
                Arbitraries.of(true, false));
    }

    @Provide
    Arbitrary<List<Setup>> everyKindCopied() {
        return Setup.everyKind(Arbitraries.integers().between(2, 4), Arbitraries.just(DType.FLOAT64),
                Arbitraries.just(true));
    }

    @Property(tries = 12, seed = "1000")
    void perSampleGradientsSumToTheBatchGradient(@ForAll("everyKind") List<Setup> setups) {
        for (Setup s : setups) {
            sumsToTheBatchGradient(s);
        }
    }

    private static void sumsToTheBatchGradient(Setup s) {
        double tol = s.dtype() == DType.FLOAT32 ? 2e-5 : 1e-11;
        try (RandomLayers.Case c = s.build()) {
            Map<String, Tensor> got = UnderTest.compute(c.layer(), c.acts(), c.backs(), s.k(), KReduction.SUM);
            try {
                Map<String, double[]> direct = DirectGradients.of(c.layer(), c.acts(), c.backs());
                assertEquals(direct.keySet(), got.keySet(), c.toString());
                for (Map.Entry<String, double[]> e : direct.entrySet()) {
                    Tensor per = got.get(e.getKey());
                    assertArrayEquals(RandomLayers.concat(new int[] {s.b()},
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

    @Property(tries = 6, seed = "2000")
    void kIdenticalCopiesGiveKTimesUnderSumAndOnceUnderMean(@ForAll("everyKindCopied") List<Setup> setups) {
        for (Setup s : setups) {
            copiesScaleWithK(s);
        }
    }

    private static void copiesScaleWithK(Setup s) {
        int k = s.k();
        try (RandomLayers.Case base = s.layer().build(s.b(), 1, DType.FLOAT64, true, s.hashCode())) {
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
