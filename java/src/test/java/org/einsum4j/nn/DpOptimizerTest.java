package org.einsum4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.einsum4j.dp.NormMode;
import org.einsum4j.dp.RdpAccountant;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** DP-SGD steps against the update computed from a non-private backward pass, clipping bounds, empty batches. */
class DpOptimizerTest {
    private static final DType F64 = DType.FLOAT64;

    private static Sequential model() {
        return new Sequential(Conv.conv2d(1, 3, 3, 1, 1, F64, 1), Activation.relu(), Pool2d.avg(2), new Flatten(),
                new Linear(12, 4, true, F64, 2));
    }

    private static Dataset data() {
        SplittableRandom r = new SplittableRandom(3);
        float[] x = new float[20 * 16];
        int[] y = new int[20];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = i % 4;
        }
        return new Dataset(x, y, new int[] {1, 4, 4}, 4);
    }

    private static Tensor f64(Tensor t) {
        return t.to(F64);
    }

    private static double[][] values(Sequential m) {
        List<Parameter> ps = m.parameters();
        double[][] v = new double[ps.size()][];
        for (int i = 0; i < v.length; i++) {
            v[i] = ps.get(i).value().toDoubleArray();
        }
        return v;
    }

    @Test
    void withoutNoiseOrClippingTheStepIsTheMeanGradientOverExpectedBatchSize() {
        for (NormMode mode : new NormMode[] {NormMode.MATERIALIZED, NormMode.GHOST}) {
            int k = 3;
            Sequential dpModel = model();
            Sequential ref = model();
            PoissonSampler sampler = new PoissonSampler(0.25, 20, 1);
            DpOptimizer opt = DpOptimizer.builder(dpModel).optimizer(Optimizer.sgd(0))
                    .learningRate(LearningRateSchedule.constant(0.1)).noiseMultiplier(0).maxGradNorm(1e6)
                    .sampler(sampler).noiseSeed(1).normMode(mode).build();
            GradSampleModule gsm = new GradSampleModule(dpModel, k);
            int[] idx = {1, 4, 7, 8, 13};
            try (Dataset.Batch b = data().batch(idx, k, Augmentation.shift(1), new SplittableRandom(5));
                 Tensor x = f64(b.inputs())) {
                try (Loss.Result r = Loss.crossEntropy().evaluate(gsm.forward(x), b.labels())) {
                    gsm.backward(r.gradient());
                }
                DpOptimizer.StepStats s = opt.step(gsm);
                assertEquals(5, s.samples());
                assertEquals(0, s.clippedFraction());
                // reference: Σ over rows of each row's gradient, / K (mean over copies), / (q·N) = 5
                try (Loss.Result r = Loss.crossEntropy().evaluate(ref.forward(x, true), b.labels())) {
                    ref.backward(r.gradient(), true);
                }
            }
            double[][] after = values(dpModel);
            List<Parameter> rp = ref.parameters();
            for (int i = 0; i < after.length; i++) {
                double[] v0 = rp.get(i).value().toDoubleArray();
                double[] g = rp.get(i).grad().toDoubleArray();
                for (int j = 0; j < v0.length; j++) {
                    assertEquals(v0[j] - 0.1 * g[j] / k / 5.0, after[i][j], 1e-9, mode + " " + rp.get(i).name());
                }
            }
            dpModel.release();
            ref.release();
        }
    }

    @Test
    void clippedStepMovesAtMostLrTimesBTimesCOverExpectedBatch() {
        Sequential m = model();
        double[][] before = values(m);
        PoissonSampler sampler = new PoissonSampler(0.5, 20, 1);
        DpOptimizer opt = DpOptimizer.builder(m).optimizer(Optimizer.sgd(0))
                .learningRate(LearningRateSchedule.constant(1)).noiseMultiplier(0).maxGradNorm(1e-3)
                .sampler(sampler).noiseSeed(1).build();
        GradSampleModule gsm = new GradSampleModule(m, 2);
        int[] idx = {0, 2, 3, 9};
        try (Dataset.Batch b = data().batch(idx, 2, Augmentation.identity(), new SplittableRandom(5));
             Tensor x = f64(b.inputs())) {
            try (Loss.Result r = Loss.crossEntropy().evaluate(gsm.forward(x), b.labels())) {
                gsm.backward(r.gradient());
            }
            assertEquals(1.0, opt.step(gsm).clippedFraction());
        }
        double[][] after = values(m);
        double sq = 0;
        for (int i = 0; i < after.length; i++) {
            for (int j = 0; j < after[i].length; j++) {
                sq += (after[i][j] - before[i][j]) * (after[i][j] - before[i][j]);
            }
        }
        assertTrue(Math.sqrt(sq) <= 4 * 1e-3 * (1 + 1e-6) / 10.0, "update norm " + Math.sqrt(sq));
        assertTrue(Math.sqrt(sq) > 1e-6, "clipped contributions still move the model");
        m.release();
    }

    @Test
    void emptyPoissonBatchTakesANoiseOnlyStepAndIsCounted() {
        Sequential m = model();
        double[][] before = values(m);
        double sigma = 2;
        double clip = 0.5;
        PoissonSampler sampler = new PoissonSampler(0.25, 20, 1);
        DpOptimizer opt = DpOptimizer.builder(m).optimizer(Optimizer.sgd(0))
                .learningRate(LearningRateSchedule.constant(1)).noiseMultiplier(sigma).maxGradNorm(clip)
                .sampler(sampler).noiseSeed(11).build();
        GradSampleModule gsm = new GradSampleModule(m, 4);
        try (Dataset.Batch b = data().batch(new int[0], 4, Augmentation.identity(), new SplittableRandom(5));
             Tensor x = f64(b.inputs())) {
            try (Loss.Result r = Loss.crossEntropy().evaluate(gsm.forward(x), b.labels())) {
                gsm.backward(r.gradient());
            }
            assertEquals(0, opt.step(gsm).samples());
        }
        double[][] after = values(m);
        double sq = 0;
        int n = 0;
        for (int i = 0; i < after.length; i++) {
            for (int j = 0; j < after[i].length; j++) {
                double d = after[i][j] - before[i][j];
                sq += d * d;
                n++;
            }
        }
        double std = Math.sqrt(sq / n);
        double want = sigma * clip / 5.0; // σC / (q·N)
        assertEquals(want, std, 0.15 * want, "noise std of an empty step");
        assertEquals(1, opt.steps());
        assertEquals(RdpAccountant.epsilon(0.25, sigma, 1, 1e-5).epsilon(), opt.spent(1e-5).epsilon(), 1e-12);
        m.release();
    }

    @Test
    void rejectsMissingOrBadSettings() {
        Sequential m = model();
        assertThrows(NnException.class, () -> DpOptimizer.builder(m).build());
        assertThrows(NnException.class, () -> DpOptimizer.builder(m).maxGradNorm(0));
        assertThrows(NnException.class, () -> DpOptimizer.builder(m).noiseMultiplier(-1));
        assertThrows(NnException.class, () -> new PoissonSampler(0, 10, 1));
        assertThrows(NnException.class, () -> new PoissonSampler(1.5, 10, 1));
    }
}
