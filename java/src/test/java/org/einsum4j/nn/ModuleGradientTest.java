package org.einsum4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;
import org.junit.jupiter.api.Test;

/**
 * Every module's backward pass (input gradient and parameter gradients) against central finite differences in
 * float64 of {@code L = Σ R ⊙ module(x)} for a random R, on the device under test ({@code einsum4j.test.device}):
 * the module is moved there, and its forward and backward passes must not copy a tensor to or from the host.
 */
class ModuleGradientTest {
    private static final DType F64 = DType.FLOAT64;

    static double[] random(SplittableRandom r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        return v;
    }

    static int numel(int[] d) {
        int n = 1;
        for (int x : d) {
            n *= x;
        }
        return n;
    }

    /** L(x) = Σ R ⊙ m(x) with the module in training mode. */
    static double objective(Module m, double[] x, int[] dims, double[] weights) {
        try (Tensor h = Tensor.of(x, dims); Tensor t = h.to(UnderTest.DEVICE)) {
            double[] y = m.forward(t, true).toDoubleArray();
            m.release();
            double s = 0;
            for (int i = 0; i < y.length; i++) {
                s += y[i] * weights[i];
            }
            return s;
        }
    }

    /** Checks dL/dx and dL/dθ at up to 25 coordinates each against central differences. */
    static void check(Module m, int... dims) {
        new Sequential(m).to(UnderTest.DEVICE);
        SplittableRandom r = new SplittableRandom(7);
        double[] x = random(r, numel(dims));
        int[] outDims = m.outputShape(dims);
        double[] w = random(r, numel(outDims));
        double[] dx;
        try (Tensor th = Tensor.of(x, dims); Tensor gh = Tensor.of(w, outDims); Tensor t = th.to(UnderTest.DEVICE);
             Tensor g = gh.to(UnderTest.DEVICE)) {
            Tensor dxd = onDevice(() -> {
                Tensor y = m.forward(t, true);
                assertArrayEquals(outDims, y.dims(), m + " output shape");
                assertEquals(UnderTest.DEVICE, y.device(), m + " output device");
                return m.backward(g, true);
            });
            assertEquals(UnderTest.DEVICE, dxd.device());
            dx = dxd.toDoubleArray();
        }
        double h = 1e-6;
        for (int c = 0; c < Math.min(25, x.length); c++) {
            int i = x.length <= 25 ? c : r.nextInt(x.length);
            double[] xp = x.clone();
            xp[i] += h;
            double[] xm = x.clone();
            xm[i] -= h;
            double fd = (objective(m, xp, dims, w) - objective(m, xm, dims, w)) / (2 * h);
            assertEquals(fd, dx[i], 1e-6 * Math.max(1, Math.abs(fd)), m + " dL/dx[" + i + "]");
        }
        for (Parameter p : m.parameters()) {
            double[] grad = p.grad().toDoubleArray();
            double[] v = p.value().toDoubleArray();
            int[] pd = p.dims();
            for (int c = 0; c < Math.min(25, v.length); c++) {
                int i = v.length <= 25 ? c : r.nextInt(v.length);
                double[] vp = v.clone();
                vp[i] += h;
                p.setValue(onTheDevice(vp, pd));
                double fp = objective(m, x, dims, w);
                double[] vm = v.clone();
                vm[i] -= h;
                p.setValue(onTheDevice(vm, pd));
                double fm = objective(m, x, dims, w);
                p.setValue(onTheDevice(v, pd));
                double fd = (fp - fm) / (2 * h);
                assertEquals(fd, grad[i], 1e-6 * Math.max(1, Math.abs(fd)), m + " dL/d" + p.name() + "[" + i + "]");
            }
        }
        m.release();
    }

    /** Runs {@code call} on the device under test, asserting it copies nothing between host and device. */
    static <T> T onDevice(java.util.function.Supplier<T> call) {
        return UnderTest.onDevice() ? UnderTest.noHostCopy(call) : call.get();
    }

    /** {@code h} moved to the device under test (h is closed). */
    static Tensor dev(Tensor h) {
        try (h) {
            return h.to(UnderTest.DEVICE);
        }
    }

    static Tensor onTheDevice(double[] v, int[] dims) {
        try (Tensor h = Tensor.of(v, dims)) {
            return h.to(UnderTest.DEVICE);
        }
    }

    @Test
    void linearMatchesFiniteDifferences() {
        check(new Linear(5, 3, true, F64, 1), 4, 5);
        check(new Linear(5, 3, false, F64, 1), 2, 3, 5);
    }

    @Test
    void conv2dMatchesFiniteDifferences() {
        check(Conv.conv2d(2, 3, 3, 1, 1, F64, 2), 2, 2, 5, 5);
        check(Conv.conv2d(2, 3, new int[] {2, 3}, new int[] {2, 1}, new int[] {0, 1}, false, F64, 3), 2, 2, 6, 5);
    }

    @Test
    void groupedAndDilatedConvolutionsMatchFiniteDifferences() {
        check(Conv.conv2d(4, 6, new int[] {3}, new int[] {1}, new int[] {2}, new int[] {2}, 2, true, F64, 5),
                2, 4, 6, 5);
        check(Conv.conv2d(3, 3, new int[] {2, 3}, new int[] {2, 1}, new int[] {1, 0}, new int[] {1, 2}, 3, false,
                F64, 6), 1, 3, 7, 7);
        check(Conv.conv1d(4, 2, 3, 2, 2, 2, 2, true, F64, 7), 2, 4, 11);
        Conv c = Conv.conv2d(6, 4, new int[] {3}, new int[] {1}, new int[] {1}, new int[] {1}, 2, true, F64, 8);
        assertArrayEquals(new int[] {4, 3, 3, 3}, c.parameters().get(0).dims(), "weight [O, C/G, kh, kw]");
        assertTrue(c.toString().contains("groups=2"), c.toString());
        NnException e = org.junit.jupiter.api.Assertions.assertThrows(NnException.class,
                () -> Conv.conv2d(6, 4, new int[] {3}, new int[] {1}, new int[] {1}, new int[] {1}, 4, true, F64, 1));
        assertTrue(e.getMessage().contains("groups must be >= 1 and divide in=6 and out=4, got 4"), e.getMessage());
        e = org.junit.jupiter.api.Assertions.assertThrows(NnException.class,
                () -> Conv.conv2d(2, 2, new int[] {3}, new int[] {1}, new int[] {0}, new int[] {3}, 1, true, F64, 1)
                        .outputShape(new int[] {1, 2, 6, 6}));
        assertTrue(e.getMessage().contains("dilation [3, 3]"), e.getMessage());
    }

    @Test
    void conv1dMatchesFiniteDifferences() {
        check(Conv.conv1d(3, 2, 3, 2, 1, F64, 4), 2, 3, 9);
    }

    @Test
    void activationsMatchFiniteDifferences() {
        check(Activation.relu(), 3, 7);
        check(Activation.tanh(), 3, 7);
        check(Activation.gelu(), 3, 7);
    }

    @Test
    void flattenAndPoolingMatchFiniteDifferences() {
        check(new Flatten(), 2, 3, 2, 2);
        check(Pool2d.max(2), 2, 2, 4, 5);
        check(Pool2d.avg(2), 2, 2, 4, 5);
        check(Pool2d.avg(3, 1), 1, 2, 4, 4);
        check(Pool2d.max(2, 1), 1, 2, 3, 3);
    }

    @Test
    void normsMatchFiniteDifferences() {
        LayerNorm ln = new LayerNorm(new int[] {6}, 1e-5, F64);
        perturbAffine(ln.parameters());
        check(ln, 3, 2, 6);
        GroupNorm gn = new GroupNorm(2, 4, 1e-5, F64);
        perturbAffine(gn.parameters());
        check(gn, 3, 4, 2, 3);
    }

    /** Away from γ = 1, β = 0 so a gradient that ignores them fails. */
    private static void perturbAffine(List<Parameter> ps) {
        SplittableRandom r = new SplittableRandom(3);
        for (Parameter p : ps) {
            double[] v = p.value().toDoubleArray();
            for (int i = 0; i < v.length; i++) {
                v[i] += 0.5 * (r.nextDouble() - 0.5);
            }
            p.setValue(Tensor.of(v, p.dims()));
        }
    }

    @Test
    void embeddingWeightGradientMatchesFiniteDifferences() {
        Embedding e = new Embedding(7, 3, F64, 5);
        new Sequential(e).to(UnderTest.DEVICE);
        long[] idx = {1, 4, 4, 0, 6, 1};
        SplittableRandom r = new SplittableRandom(1);
        double[] w = random(r, 6 * 3);
        Supplier<Double> obj = () -> {
            try (Tensor t = dev(Tensor.ofLongs(idx, 2, 3))) {
                double[] y = e.forward(t, true).toDoubleArray();
                e.release();
                double s = 0;
                for (int i = 0; i < y.length; i++) {
                    s += y[i] * w[i];
                }
                return s;
            }
        };
        double[] grad;
        try (Tensor t = dev(Tensor.ofLongs(idx, 2, 3)); Tensor g = dev(Tensor.of(w, 2, 3, 3))) {
            e.forward(t, true);
            e.backward(g, true);
            grad = e.parameters().get(0).grad().toDoubleArray();
        }
        Parameter p = e.parameters().get(0);
        double[] v = p.value().toDoubleArray();
        for (int i = 0; i < v.length; i++) {
            double[] vp = v.clone();
            vp[i] += 1e-6;
            p.setValue(dev(Tensor.of(vp, 7, 3)));
            double fp = obj.get();
            vp[i] -= 2e-6;
            p.setValue(dev(Tensor.of(vp, 7, 3)));
            double fm = obj.get();
            p.setValue(dev(Tensor.of(v, 7, 3)));
            assertEquals((fp - fm) / 2e-6, grad[i], 1e-6, "embedding weight[" + i + "]");
        }
    }

    @Test
    void embeddingPaddingRowStartsAtZeroAndGetsNoGradient() {
        Embedding e = new Embedding(5, 3, 2, F64, 5);
        new Sequential(e).to(UnderTest.DEVICE);
        Parameter w = e.parameters().get(0);
        double[] v = w.value().toDoubleArray();
        for (int j = 0; j < 3; j++) {
            assertEquals(0, v[2 * 3 + j], "padding row is zero");
        }
        long[] idx = {2, 0, 2, 4, 1, 2};
        double[] g = random(new SplittableRandom(3), 6 * 3);
        try (Tensor t = dev(Tensor.ofLongs(idx, 6)); Tensor gt = dev(Tensor.of(g, 6, 3))) {
            e.forward(t, true);
            e.backward(gt, true);
            double[] grad = w.grad().toDoubleArray();
            double[] want = new double[5 * 3];
            for (int i = 0; i < idx.length; i++) {
                for (int j = 0; j < 3 && idx[i] != 2; j++) {
                    want[(int) idx[i] * 3 + j] += g[i * 3 + j];
                }
            }
            assertArrayEquals(want, grad, 1e-15, "scatter-add of the output gradient, padding row left out");
        }
        e.release();
        org.junit.jupiter.api.Assertions.assertThrows(NnException.class, () -> new Embedding(5, 3, 5, F64, 1));
        try (Tensor bad = dev(Tensor.ofLongs(new long[] {0, 5}, 2))) {
            RuntimeException ex = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> e.forward(bad, true));
            assertTrue(ex.getMessage().contains("index 5") && ex.getMessage().contains("[0, 5)"), ex.getMessage());
        }
    }

    @Test
    void dropoutScalesKeptElementsAndRoutesGradientThroughTheMask() {
        Dropout d = new Dropout(0.5, 11);
        double[] x = random(new SplittableRandom(2), 400);
        try (Tensor t = dev(Tensor.of(x, 20, 20)); Tensor g = dev(Tensor.of(x, 20, 20))) {
            double[] y = d.forward(t, true).toDoubleArray();
            double[] mask = d.mask().toDoubleArray();
            double[] dx = d.backward(g, true).toDoubleArray();
            int zeros = 0;
            for (int i = 0; i < x.length; i++) {
                assertTrue(mask[i] == 0 || mask[i] == 2, "mask values are 0 or 1/(1-p)");
                zeros += mask[i] == 0 ? 1 : 0;
                assertEquals(x[i] * mask[i], y[i], 1e-12);
                assertEquals(x[i] * mask[i], dx[i], 1e-12);
            }
            assertTrue(zeros > 150 && zeros < 250, "about half the elements dropped: " + zeros);
            assertArrayEquals(x, d.forward(t, false).toDoubleArray(), "identity in evaluation");
        }
    }

    @Test
    void crossEntropyGradientMatchesFiniteDifferences() {
        double[] z = random(new SplittableRandom(4), 3 * 5);
        long[] y = {2, 0, 4};
        Loss loss = Loss.crossEntropy();
        double[] grad;
        try (Tensor zt = dev(Tensor.of(z, 3, 5)); Tensor yt = dev(Tensor.ofLongs(y, 3));
             Loss.Result r = loss.evaluate(zt, yt)) {
            grad = r.gradient().toDoubleArray();
            for (int i = 0; i < 3; i++) {
                double m = Double.NEGATIVE_INFINITY;
                double s = 0;
                for (int j = 0; j < 5; j++) {
                    s += Math.exp(z[i * 5 + j]);
                }
                assertEquals(Math.log(s) - z[i * 5 + (int) y[i]], r.rowLosses()[i], 1e-12, "row " + i + " loss");
            }
        }
        checkLossGradient(loss, z, grad, new int[] {3, 5}, () -> dev(Tensor.ofLongs(y, 3)));
    }

    @Test
    void meanSquaredErrorGradientMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(5);
        double[] p = random(r, 8);
        double[] t = random(r, 8);
        Loss loss = Loss.meanSquaredError();
        double[] grad;
        try (Tensor pt = dev(Tensor.of(p, 2, 4)); Tensor tt = dev(Tensor.of(t, 2, 4));
             Loss.Result res = loss.evaluate(pt, tt)) {
            grad = res.gradient().toDoubleArray();
        }
        checkLossGradient(loss, p, grad, new int[] {2, 4}, () -> dev(Tensor.of(t, 2, 4)));
    }

    /** Σ_r ℓ_r's gradient is the stacked per-row gradients. */
    private static void checkLossGradient(Loss loss, double[] z, double[] grad, int[] dims, Supplier<Tensor> target) {
        for (int i = 0; i < z.length; i++) {
            double[] zp = z.clone();
            zp[i] += 1e-6;
            double[] zm = z.clone();
            zm[i] -= 1e-6;
            double fd = (total(loss, zp, dims, target) - total(loss, zm, dims, target)) / 2e-6;
            assertEquals(fd, grad[i], 1e-6, "dL/dz[" + i + "]");
        }
    }

    private static double total(Loss loss, double[] z, int[] dims, Supplier<Tensor> target) {
        try (Tensor zt = dev(Tensor.of(z, dims)); Tensor t = target.get(); Loss.Result r = loss.evaluate(zt, t)) {
            double s = 0;
            for (double v : r.rowLosses()) {
                s += v;
            }
            return s;
        }
    }

    @Test
    void refusesAnInputOnAnotherDeviceThanTheParameters() {
        org.einsum4j.tensor.Device checked = org.einsum4j.tensor.Device.parse("checked");
        try (Tensor h = Tensor.of(new double[] {1, -2, 3, -4}, 2, 2); Tensor d = h.to(checked)) {
            NnException e = org.junit.jupiter.api.Assertions.assertThrows(NnException.class,
                    () -> new Linear(2, 3, true, F64, 1).forward(d, true));
            assertTrue(e.getMessage().contains("checked:0") && e.getMessage().contains("cpu")
                    && e.getMessage().contains("Sequential.to"), e.getMessage());
        }
    }
}
