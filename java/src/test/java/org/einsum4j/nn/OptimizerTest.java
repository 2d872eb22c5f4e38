package org.einsum4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** SGD with momentum, Adam and the learning-rate schedules against their formulas written out. */
class OptimizerTest {

    private static Parameter param(double... v) {
        return new Parameter("w", Tensor.of(v, v.length));
    }

    @Test
    void sgdWithMomentumFollowsHeavyBall() {
        Parameter p = param(1, -2);
        Optimizer sgd = Optimizer.sgd(0.5);
        double[] v = {0, 0};
        double[] w = {1, -2};
        double[][] grads = {{0.3, -0.1}, {0.2, 0.4}, {-0.5, 0.0}};
        for (double[] g : grads) {
            try (Tensor gt = Tensor.of(g, 2)) {
                sgd.step(Map.of(p, gt), 0.1);
            }
            for (int i = 0; i < 2; i++) {
                v[i] = 0.5 * v[i] + g[i];
                w[i] -= 0.1 * v[i];
            }
        }
        double[] got = p.value().toDoubleArray();
        assertEquals(w[0], got[0], 1e-15);
        assertEquals(w[1], got[1], 1e-15);
    }

    @Test
    void adamFollowsKingmaAndBaWithBiasCorrection() {
        Parameter p = param(0.5, 0.25, -1);
        Optimizer adam = Optimizer.adam(0.9, 0.999, 1e-8);
        double[] w = {0.5, 0.25, -1};
        double[] m = new double[3];
        double[] v = new double[3];
        double[][] grads = {{0.1, -0.2, 0.3}, {0.05, 0.0, -0.4}, {1.0, 0.2, 0.1}};
        for (int t = 1; t <= grads.length; t++) {
            double[] g = grads[t - 1];
            try (Tensor gt = Tensor.of(g, 3)) {
                adam.step(Map.of(p, gt), 0.01);
            }
            for (int i = 0; i < 3; i++) {
                m[i] = 0.9 * m[i] + 0.1 * g[i];
                v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
                double mh = m[i] / (1 - Math.pow(0.9, t));
                double vh = v[i] / (1 - Math.pow(0.999, t));
                w[i] -= 0.01 * mh / (Math.sqrt(vh) + 1e-8);
            }
        }
        double[] got = p.value().toDoubleArray();
        for (int i = 0; i < 3; i++) {
            assertEquals(w[i], got[i], 1e-14, "coordinate " + i);
        }
    }

    @Test
    void schedulesGiveTheirFormulas() {
        LearningRateSchedule c = LearningRateSchedule.cosine(2, 100);
        assertEquals(2, c.at(0), 1e-15);
        assertEquals(1, c.at(50), 1e-12);
        assertEquals(0, c.at(100), 1e-15);
        assertEquals(0, c.at(150), 1e-15);
        LearningRateSchedule s = LearningRateSchedule.stepDecay(1, 0.5, 10);
        assertEquals(1, s.at(9));
        assertEquals(0.25, s.at(25));
        assertEquals(0.3, LearningRateSchedule.constant(0.3).at(1000));
        assertThrows(NnException.class, () -> LearningRateSchedule.constant(0));
        assertThrows(NnException.class, () -> LearningRateSchedule.cosine(1, 0));
        assertThrows(NnException.class, () -> Optimizer.sgd(1));
        assertThrows(NnException.class, () -> Optimizer.adam(0.9, 1.0, 1e-8));
    }
}
