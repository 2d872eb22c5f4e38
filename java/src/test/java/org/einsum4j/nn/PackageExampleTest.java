package org.einsum4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.einsum4j.dp.RdpAccountant;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The example of package-info.java, as written there, runs and spends the privacy the accountant says. */
class PackageExampleTest {

    @Test
    void packageExampleTrainsAndAccounts() {
        double[] before;
        // ---- as in package-info.java
        Dataset.Split data = Digits.load().split(0.8, 1);
        Sequential model = new Sequential(Conv.conv2d(1, 16, 3, 1, 1, DType.FLOAT32, 1), Activation.relu(),
                Pool2d.max(2), new Flatten(), new Linear(256, 10, 2));
        before = model.parameters().get(0).value().toDoubleArray();
        PoissonSampler sampler = new PoissonSampler(128.0 / data.train().size(), data.train().size(), 3);
        DpOptimizer opt = DpOptimizer.builder(model).optimizer(Optimizer.sgd(0.9))
                .learningRate(LearningRateSchedule.constant(0.5)).noiseMultiplier(1.5).maxGradNorm(1.0)
                .sampler(sampler).build();
        GradSampleModule gsm = new GradSampleModule(model, 4);                    // K = 4
        SplittableRandom random = new SplittableRandom(2);
        for (int step = 0; step < 10; step++) {
            try (Dataset.Batch b = data.train().batch(sampler.next(), 4, Augmentation.shift(1), random)) {
                Tensor logits = gsm.forward(b.inputs());                          // [B·K, 10]
                try (Loss.Result r = Loss.crossEntropy().evaluate(logits, b.labels())) {
                    gsm.backward(r.gradient());                                   // per-row loss gradients
                }
                opt.step(gsm);                                                    // clip, sum, noise, / (q·N), update
            } finally {
                model.release();
            }
        }
        double epsilon = opt.spent(1e-5).epsilon();
        // ----
        assertEquals(RdpAccountant.epsilon(128.0 / 1438, 1.5, 10, 1e-5).epsilon(), epsilon, 1e-12);
        double[] after = model.parameters().get(0).value().toDoubleArray();
        double moved = 0;
        for (int i = 0; i < after.length; i++) {
            moved += Math.abs(after[i] - before[i]);
        }
        assertTrue(moved > 0, "the model was updated");
    }
}
