package org.einsum4j.nn.usermodule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.einsum4j.Backend;
import org.einsum4j.Einsum;
import org.einsum4j.dp.GhostNorm;
import org.einsum4j.dp.GhostNormRegistry;
import org.einsum4j.dp.NormMode;
import org.einsum4j.gradsample.CustomLayer;
import org.einsum4j.gradsample.GradSamplerRegistry;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.gradsample.LayerSampler;
import org.einsum4j.nn.Activation;
import org.einsum4j.nn.Augmentation;
import org.einsum4j.nn.Dataset;
import org.einsum4j.nn.Digits;
import org.einsum4j.nn.DpOptimizer;
import org.einsum4j.nn.Evaluation;
import org.einsum4j.nn.Flatten;
import org.einsum4j.nn.GradSampleModule;
import org.einsum4j.nn.Linear;
import org.einsum4j.nn.Loss;
import org.einsum4j.nn.Module;
import org.einsum4j.nn.Optimizer;
import org.einsum4j.nn.Parameter;
import org.einsum4j.nn.PoissonSampler;
import org.einsum4j.nn.Sequential;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A module written outside the nn package with the public API only: a learned per-feature scale
 * {@code y = x ⊙ w}, its per-sample gradients registered as a {@link CustomLayer} sampler and its ghost norms as a
 * {@link GhostNorm}. Its per-sample gradients from {@link GradSampleModule} equal a per-sample loop, and DP training
 * through it (materialized and ghost clipping) learns the digits.
 */
class UserModuleTrainingTest {

    /** The grad samplers' description of the user's layer. */
    record FeatureScaleLayer(int features) implements CustomLayer {
        @Override
        public String kind() {
            return "FeatureScale";
        }

        @Override
        public Map<String, int[]> parameterShapes() {
            return Map.of("weight", new int[] {features});
        }
    }

    /** {@code y[n, d] = x[n, d]·w[d]}: forward and backward are contractions, so it runs on any device. */
    static final class FeatureScale extends Module {
        private final int features;
        private final Parameter weight;

        FeatureScale(int features, DType dtype) {
            this.features = features;
            double[] ones = new double[features];
            java.util.Arrays.fill(ones, 1);
            try (Tensor t = Tensor.of(ones, features)) {
                this.weight = parameter("weight", t.to(dtype));
            }
        }

        @Override
        public Tensor forward(Tensor x, boolean training) {
            release();
            outputShape(x.dims());
            if (training) {
                saveInput(x);
            }
            return own(Einsum.contract("nd,d->nd", x, weight.value()));
        }

        @Override
        public Tensor backward(Tensor g, boolean parameterGradients) {
            checkTrained("FeatureScale");
            saveGradOutput(g);
            if (parameterGradients) {
                setGradient(weight, Einsum.contract("nd,nd->d", g, savedInput()));
            }
            return own(Einsum.contract("nd,d->nd", g, weight.value()));
        }

        @Override
        public int[] outputShape(int[] s) {
            if (s.length != 2 || s[1] != features) {
                throw new IllegalArgumentException("FeatureScale expects [N, " + features + "]");
            }
            return s.clone();
        }

        @Override
        public List<Parameter> parameters() {
            return List.of(weight);
        }

        @Override
        public Optional<Layer> layer() {
            return Optional.of(new FeatureScaleLayer(features));
        }
    }

    /** Per-sample gradient: Σ over a sample's K rows of x ⊙ g ({@code nkd,nkd->nd}), divided by K for MEAN. */
    static final LayerSampler<FeatureScaleLayer> SAMPLER = (layer, a, g, k, reduction) -> {
        Tensor x = a.get(0);
        int b = x.dim(0) / k;
        Tensor ps = Einsum.contract("nkd,nkd->nd", x.view(b, k, layer.features()),
                g.get(0).view(b, k, layer.features()));
        if (reduction == KReduction.MEAN && k > 1) {
            Backend.forDevice(ps.device()).scale(ps, 1.0 / k);
        }
        return Map.of("weight", ps);
    };

    /** Ghost norms: the per-sample gradient is only [B, D], so its squared norms are taken directly. */
    static final GhostNorm<FeatureScaleLayer> GHOST = (layer, a, g, k, reduction) -> {
        Map<String, Tensor> ps = SAMPLER.compute(layer, a, g, k, reduction);
        try (Tensor t = ps.get("weight"); Tensor sq = Einsum.contract("nd,nd->n", t, t)) {
            return Map.of("weight", sq.toDoubleArray());
        }
    };

    @BeforeAll
    static void register() {
        GradSamplerRegistry.global().register(FeatureScaleLayer.class, SAMPLER);
        GhostNormRegistry.global().register(FeatureScaleLayer.class, GHOST);
    }

    @AfterAll
    static void unregister() {
        GradSamplerRegistry.global().unregister(FeatureScaleLayer.class);
        GhostNormRegistry.global().unregister(FeatureScaleLayer.class);
    }

    private static Sequential model(long seed) {
        return new Sequential(new Flatten(), new Linear(64, 32, true, DType.FLOAT64, seed), Activation.tanh(),
                new FeatureScale(32, DType.FLOAT64), new Linear(32, 10, true, DType.FLOAT64, seed + 1));
    }

    /** On the device under test ({@code einsum4j.test.device}); the batch pass copies nothing to the host. */
    @Test
    void perSampleGradientsThroughTheUserModuleMatchAPerSampleLoop() {
        Sequential m = model(1).to(UnderTest.DEVICE);
        int b = 3;
        int k = 2;
        SplittableRandom r = new SplittableRandom(4);
        double[] xv = new double[b * k * 64];
        for (int i = 0; i < xv.length; i++) {
            xv[i] = r.nextDouble();
        }
        long[] yv = {1, 1, 7, 7, 3, 3};
        GradSampleModule gsm = new GradSampleModule(m, k);
        Map<Parameter, Tensor> ps;
        try (Tensor xh = Tensor.of(xv, b * k, 1, 8, 8); Tensor yh = Tensor.ofLongs(yv, b * k);
             Tensor x = xh.to(UnderTest.DEVICE); Tensor y = yh.to(UnderTest.DEVICE)) {
            java.util.function.Supplier<Map<Parameter, Tensor>> pass = () -> {
                Tensor out = gsm.forward(x);
                try (Loss.Result res = Loss.crossEntropy().evaluate(out, y)) {
                    gsm.backward(res.gradient());
                }
                return gsm.perSampleGradients();
            };
            ps = UnderTest.onDevice() ? UnderTest.noHostCopy(pass) : pass.get();
            m.release();
        }
        Parameter scale = m.parameters().get(2);
        assertEquals("3.weight", scale.name());
        for (int n = 0; n < b; n++) {
            double[] xs = java.util.Arrays.copyOfRange(xv, n * k * 64, (n + 1) * k * 64);
            try (Tensor xh = Tensor.of(xs, k, 1, 8, 8); Tensor yh = Tensor.ofLongs(new long[] {yv[n * k], yv[n * k]}, k);
                 Tensor x = xh.to(UnderTest.DEVICE); Tensor y = yh.to(UnderTest.DEVICE)) {
                Tensor out = m.forward(x, true);
                try (Loss.Result res = Loss.crossEntropy().evaluate(out, y)) {
                    m.backward(res.gradient(), true);
                }
                for (Parameter p : m.parameters()) {
                    double[] want = p.grad().toDoubleArray();
                    double[] got;
                    try (Tensor s = ps.get(p).slice(0, n, n + 1)) {
                        got = s.toDoubleArray();
                    }
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i] / k, got[i], 1e-12 * Math.max(1, Math.abs(want[i])),
                                p.name() + " sample " + n + " [" + i + "]");
                    }
                }
                m.release();
            }
        }
        ps.values().forEach(Tensor::close);
    }

    @Test
    void dpTrainingThroughTheUserModuleLearnsTheDigits() {
        Dataset.Split data = Digits.load().split(0.8, 1);
        for (NormMode mode : new NormMode[] {NormMode.MATERIALIZED, NormMode.GHOST}) {
            Sequential m = new Sequential(new Flatten(), new Linear(64, 32, 2), Activation.tanh(),
                    new FeatureScale(32, DType.FLOAT32), new Linear(32, 10, 3));
            PoissonSampler sampler = new PoissonSampler(128.0 / data.train().size(), data.train().size(), 5);
            DpOptimizer opt = DpOptimizer.builder(m).optimizer(Optimizer.sgd(0.9)).noiseMultiplier(0.5)
                    .maxGradNorm(1.0).sampler(sampler).noiseSeed(6).normMode(mode)
                    .learningRate(org.einsum4j.nn.LearningRateSchedule.constant(0.5)).build();
            GradSampleModule gsm = new GradSampleModule(m, 2);
            SplittableRandom random = new SplittableRandom(7);
            double before = Evaluation.of(m, data.test(), Loss.crossEntropy(), 512).accuracy();
            double[] scaleBefore = m.parameters().get(2).value().toDoubleArray();
            for (int step = 0; step < 60; step++) {
                try (Dataset.Batch batch = data.train().batch(sampler.next(), 2, Augmentation.shift(1), random)) {
                    Tensor out = gsm.forward(batch.inputs());
                    try (Loss.Result r = Loss.crossEntropy().evaluate(out, batch.labels())) {
                        gsm.backward(r.gradient());
                    }
                    opt.step(gsm);
                } finally {
                    m.release();
                }
            }
            double after = Evaluation.of(m, data.test(), Loss.crossEntropy(), 512).accuracy();
            double[] scaleAfter = m.parameters().get(2).value().toDoubleArray();
            assertTrue(after > 0.7 && after > before + 0.4, mode + ": test accuracy " + before + " -> " + after);
            assertTrue(!java.util.Arrays.equals(scaleBefore, scaleAfter), mode + ": the user module's weight trained");
        }
    }
}
