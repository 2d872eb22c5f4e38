package org.einsum4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.einsum4j.gradsample.EmbeddingLayer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;
import org.junit.jupiter.api.Test;

/**
 * The modules, losses, per-sample gradients and optimizers on the device under test ({@code einsum4j.test.device}:
 * the host by default, the checked device in the {@code checked-device} execution, {@code cuda:0} in the GPU script)
 * against the same model on the host: a model built from the same seeds and moved with {@link Sequential#to} must
 * give the same outputs, row losses, parameter gradients and per-sample gradients, and its forward pass, loss,
 * backward pass, per-sample gradients and optimizer step must not copy a tensor between the host and the device.
 * The host results themselves are checked against finite differences and per-sample loops in
 * {@link ModuleGradientTest} and {@link GradSampleModuleTest}.
 */
class NnDeviceTest {
    private static final DType F64 = DType.FLOAT64;

    /** What one training pass gave, on the host. */
    private record Pass(double[] output, double[] losses, Map<String, double[]> grads, Map<String, double[]> perSample) {
    }

    private static <T> T onDevice(Supplier<T> call) {
        return UnderTest.onDevice() ? UnderTest.noHostCopy(call) : call.get();
    }

    /** Forward, per-row loss, backward with batch gradients, then per-sample gradients with K, on x's device. */
    private static Pass pass(Sequential model, Tensor x, Tensor target, Loss loss, int k) {
        GradSampleModule gsm = new GradSampleModule(model, k);
        List<Tensor> made = new ArrayList<>();
        try {
            Tensor[] kept = onDevice(() -> {
                Tensor out = gsm.forward(x);
                Loss.Result r = loss.evaluate(out, target);
                made.add(r.losses());
                made.add(r.gradient());
                model.backward(r.gradient(), true);
                gsm.backward(r.gradient());
                return new Tensor[] {out, r.losses()};
            });
            Map<String, double[]> grads = new LinkedHashMap<>();
            for (Parameter p : model.parameters()) {
                assertEquals(x.device(), p.grad().device(), p.name());
                grads.put(p.name(), p.grad().toDoubleArray());
            }
            Map<Parameter, Tensor> ps = onDevice(gsm::perSampleGradients);
            Map<String, double[]> perSample = new LinkedHashMap<>();
            for (Map.Entry<Parameter, Tensor> e : ps.entrySet()) {
                assertEquals(x.device(), e.getValue().device(), e.getKey().name());
                perSample.put(e.getKey().name(), e.getValue().toDoubleArray());
                e.getValue().close();
            }
            return new Pass(kept[0].toDoubleArray(), kept[1].toDoubleArray(), grads, perSample);
        } finally {
            made.forEach(Tensor::close);
            model.release();
        }
    }

    private static void assertClose(double[] want, double[] got, String what) {
        assertEquals(want.length, got.length, what + " length");
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-9 * Math.max(1, Math.abs(want[i])), what + "[" + i + "]");
        }
    }

    /** The model on the host and on the device under test, one training pass each, compared. */
    private static void compare(Supplier<Sequential> make, Tensor x, Tensor target, Loss loss, int k) {
        Device dev = UnderTest.DEVICE;
        Sequential host = make.get();
        Sequential device = make.get().to(dev);
        assertEquals(dev, device.device());
        Pass want = pass(host, x, target, loss, k);
        Pass got;
        try (Tensor xd = x.to(dev); Tensor td = target.to(dev)) {
            got = pass(device, xd, td, loss, k);
        }
        assertClose(want.output(), got.output(), "output");
        assertClose(want.losses(), got.losses(), "row losses");
        assertEquals(want.grads().keySet(), got.grads().keySet());
        want.grads().forEach((n, g) -> assertClose(g, got.grads().get(n), "gradient of " + n));
        want.perSample().forEach((n, g) -> assertClose(g, got.perSample().get(n), "per-sample gradient of " + n));
    }

    private static Tensor input(long seed, int... dims) {
        return Tensor.of(ModuleGradientTest.random(new SplittableRandom(seed), ModuleGradientTest.numel(dims)), dims);
    }

    @Test
    void cnnWithEveryImageModuleMatchesTheHost() {
        Supplier<Sequential> cnn = () -> new Sequential(Conv.conv2d(1, 4, 3, 1, 1, F64, 1),
                new GroupNorm(2, 4, 1e-5, F64), Activation.relu(), Pool2d.max(2),
                Conv.conv2d(4, 4, new int[] {3}, new int[] {1}, new int[] {2}, new int[] {2}, 2, true, F64, 2),
                Activation.gelu(), Pool2d.avg(2), new Flatten(), new Dropout(0.3, 5), new Linear(16, 5, true, F64, 3));
        try (Tensor x = input(1, 6, 1, 8, 8); Tensor y = GradSampleModuleTest.labels(6, 5)) {
            compare(cnn, x, y, Loss.crossEntropy(), 2);
        }
    }

    @Test
    void sequenceModelWithConv1dAndLayerNormMatchesTheHost() {
        Supplier<Sequential> m = () -> new Sequential(Conv.conv1d(2, 4, 3, 2, 1, 1, 2, true, F64, 4), Activation.tanh(),
                new Flatten(), new LayerNorm(new int[] {16}, 1e-5, F64), new Linear(16, 3, true, F64, 5));
        try (Tensor x = input(2, 4, 2, 8); Tensor t = input(3, 4, 3)) {
            compare(m, x, t, Loss.meanSquaredError(), 1);
        }
    }

    @Test
    void embeddingWithPaddingMatchesTheHost() {
        Supplier<Sequential> m = () -> new Sequential(new Embedding(9, 4, 2, F64, 6), new Linear(4, 3, true, F64, 7));
        long[] idx = new long[4 * 5];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = (i * 5 + i / 7) % 9;
        }
        try (Tensor x = Tensor.ofLongs(idx, 4, 5); Tensor t = input(4, 4, 5, 3)) {
            compare(m, x, t, Loss.meanSquaredError(), 2);
        }
        assertTrue(EmbeddingLayer.NO_PADDING < 0);
    }

    @Test
    void optimizersStepOnTheDeviceAsOnTheHost() {
        Map<String, Supplier<Optimizer>> kinds = new LinkedHashMap<>();
        kinds.put("sgd", () -> Optimizer.sgd(0.9));
        kinds.put("adam", () -> Optimizer.adam(0.9, 0.999, 1e-8));
        for (String kind : kinds.keySet()) {
            Linear host = new Linear(3, 2, true, F64, 8);
            Sequential dm = new Sequential(new Linear(3, 2, true, F64, 8)).to(UnderTest.DEVICE);
            Optimizer oh = kinds.get(kind).get();
            Optimizer od = kinds.get(kind).get();
            for (int step = 0; step < 3; step++) {
                Map<Parameter, Tensor> gh = new LinkedHashMap<>();
                Map<Parameter, Tensor> gd = new LinkedHashMap<>();
                List<Parameter> ph = host.parameters();
                List<Parameter> pd = dm.parameters();
                for (int i = 0; i < ph.size(); i++) {
                    Tensor g = input(10 + step * 2 + i, ph.get(i).dims());
                    gh.put(ph.get(i), g);
                    gd.put(pd.get(i), g.to(UnderTest.DEVICE));
                }
                oh.step(gh, 0.1);
                onDevice(() -> {
                    od.step(gd, 0.1);
                    return null;
                });
                gh.values().forEach(Tensor::close);
                gd.values().forEach(Tensor::close);
                for (int i = 0; i < ph.size(); i++) {
                    assertEquals(UnderTest.DEVICE, pd.get(i).value().device());
                    assertClose(ph.get(i).value().toDoubleArray(), pd.get(i).value().toDoubleArray(),
                            kind + " step " + step + " " + ph.get(i).name());
                }
            }
        }
    }

    @Test
    void dpTrainingStepsOnTheDeviceMatchTheHost() {
        Supplier<Sequential> make = () -> new Sequential(Conv.conv2d(1, 2, 3, 1, 1, F64, 1), Activation.relu(),
                Pool2d.max(2), new Flatten(), new Linear(8, 3, true, F64, 2));
        Sequential host = make.get();
        Sequential device = make.get().to(UnderTest.DEVICE);
        PoissonSampler sampler = new PoissonSampler(0.5, 8, 1);
        DpOptimizer oh = DpOptimizer.builder(host).noiseMultiplier(1.0).maxGradNorm(0.5).sampler(sampler)
                .noiseSeed(3).optimizer(Optimizer.adam(0.9, 0.999, 1e-8)).build();
        DpOptimizer od = DpOptimizer.builder(device).noiseMultiplier(1.0).maxGradNorm(0.5).sampler(sampler)
                .noiseSeed(3).optimizer(Optimizer.adam(0.9, 0.999, 1e-8)).build();
        GradSampleModule gh = new GradSampleModule(host, 2);
        GradSampleModule gd = new GradSampleModule(device, 2);
        for (int step = 0; step < 2; step++) {
            try (Tensor x = input(20 + step, 6, 1, 4, 4); Tensor y = GradSampleModuleTest.labels(6, 3)) {
                DpOptimizer.StepStats sh = trainStep(gh, oh, x, y);
                DpOptimizer.StepStats sd;
                try (Tensor xd = x.to(UnderTest.DEVICE); Tensor yd = y.to(UnderTest.DEVICE)) {
                    sd = trainStep(gd, od, xd, yd);
                }
                assertEquals(sh.samples(), sd.samples());
                assertEquals(sh.meanNorm(), sd.meanNorm(), 1e-9, "mean per-sample norm, step " + step);
            }
        }
        List<Parameter> ph = host.parameters();
        List<Parameter> pd = device.parameters();
        for (int i = 0; i < ph.size(); i++) {
            assertEquals(UnderTest.DEVICE, pd.get(i).value().device());
            assertClose(ph.get(i).value().toDoubleArray(), pd.get(i).value().toDoubleArray(), ph.get(i).name());
        }
        try (Tensor x = input(30, 5, 1, 4, 4)) {
            Dataset data = new Dataset(toFloats(x.toDoubleArray()), new int[] {0, 1, 2, 0, 1}, new int[] {1, 4, 4}, 3);
            Sequential h32 = new Sequential(new Flatten(), new Linear(16, 3, 9));
            Sequential d32 = new Sequential(new Flatten(), new Linear(16, 3, 9)).to(UnderTest.DEVICE);
            Evaluation eh = Evaluation.of(h32, data, Loss.crossEntropy(), 2);
            Evaluation ed = Evaluation.of(d32, data, Loss.crossEntropy(), 2);
            assertEquals(eh.loss(), ed.loss(), 1e-6);
            assertEquals(eh.accuracy(), ed.accuracy());
        }
    }

    private static float[] toFloats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }

    private static DpOptimizer.StepStats trainStep(GradSampleModule gsm, DpOptimizer opt, Tensor x, Tensor y) {
        try {
            Tensor out = gsm.forward(x);
            try (Loss.Result r = Loss.crossEntropy().evaluate(out, y)) {
                gsm.backward(r.gradient());
            }
            return opt.step(gsm);
        } finally {
            gsm.model().release();
        }
    }

    @Test
    void aModelOnTheDeviceRefusesHostInputs() {
        Sequential m = new Sequential(new Linear(3, 2, true, F64, 1)).to(UnderTest.DEVICE);
        if (!UnderTest.onDevice()) {
            return;
        }
        try (Tensor x = input(1, 2, 3)) {
            NnException e = org.junit.jupiter.api.Assertions.assertThrows(NnException.class, () -> m.forward(x, true));
            assertTrue(e.getMessage().contains(UnderTest.DEVICE.toString()), e.getMessage());
        }
        assertArrayEquals(new int[] {2, 3}, m.parameters().get(0).dims());
    }
}
