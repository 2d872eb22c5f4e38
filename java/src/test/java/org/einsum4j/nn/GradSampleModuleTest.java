package org.einsum4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntFunction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;
import org.junit.jupiter.api.Test;

/**
 * Per-sample gradients from {@link GradSampleModule} (the grad samplers on the captured activations and
 * backprops) against a loop that runs each sample's K rows alone through the model and takes the batch gradient
 * of their summed loss, divided by K; on the device under test ({@code einsum4j.test.device}), where the batch
 * pass and the per-sample gradients must not copy a tensor between host and device.
 */
class GradSampleModuleTest {
    private static final DType F64 = DType.FLOAT64;

    private static void compare(Sequential model, int b, int k, int[] rowShape, IntFunction<Tensor> inputs,
                                Loss loss, Tensor hostTargets) {
        model.to(UnderTest.DEVICE);
        GradSampleModule gsm = new GradSampleModule(model, k);
        Map<Parameter, Tensor> perSample;
        try (Tensor x = ModuleGradientTest.dev(inputs.apply(b * k)); Tensor targets = hostTargets.to(UnderTest.DEVICE)) {
            perSample = ModuleGradientTest.onDevice(() -> {
                Tensor out = gsm.forward(x);
                try (Loss.Result r = loss.evaluate(out, targets)) {
                    gsm.backward(r.gradient());
                }
                return gsm.perSampleGradients();
            });
            double[][] rows = rowsOf(x, b * k);
            double[][] trows = rowsOf(targets, b * k);
            for (int n = 0; n < b; n++) {
                try (Tensor xs = ModuleGradientTest.dev(slice(x, rows, n * k, k));
                     Tensor ts = ModuleGradientTest.dev(slice(targets, trows, n * k, k))) {
                    Tensor o = model.forward(xs, true);
                    try (Loss.Result r = loss.evaluate(o, ts)) {
                        model.backward(r.gradient(), true);
                    }
                    for (Parameter p : model.parameters()) {
                        double[] want = p.grad().toDoubleArray();
                        double[] got;
                        try (Tensor s = perSample.get(p).slice(0, n, n + 1)) {
                            got = s.toDoubleArray();
                        }
                        assertEquals(want.length, got.length, p.name());
                        for (int i = 0; i < want.length; i++) {
                            assertEquals(want[i] / k, got[i], 1e-9 * Math.max(1, Math.abs(want[i])),
                                    p.name() + " sample " + n + " [" + i + "]");
                        }
                    }
                }
            }
        } finally {
            model.release();
        }
        perSample.values().forEach(Tensor::close);
    }

    private static double[][] rowsOf(Tensor t, int rows) {
        boolean ints = t.dtype() == DType.INT64;
        double[] all = ints ? Arrays.stream(t.toLongArray()).asDoubleStream().toArray() : t.toDoubleArray();
        int w = all.length / rows;
        double[][] out = new double[rows][];
        for (int i = 0; i < rows; i++) {
            out[i] = Arrays.copyOfRange(all, i * w, (i + 1) * w);
        }
        return out;
    }

    /** A copy of rows [from, from+count) of t. */
    private static Tensor slice(Tensor t, double[][] rows, int from, int count) {
        int w = rows[0].length;
        int[] d = t.dims();
        d[0] = count;
        if (t.dtype() == DType.INT64) {
            long[] v = new long[count * w];
            for (int i = 0; i < count * w; i++) {
                v[i] = (long) rows[from + i / w][i % w];
            }
            return Tensor.ofLongs(v, d);
        }
        double[] v = new double[count * w];
        for (int i = 0; i < count; i++) {
            System.arraycopy(rows[from + i], 0, v, i * w, w);
        }
        return Tensor.of(v, d);
    }

    private static IntFunction<Tensor> randomInput(int... rowShape) {
        return rows -> {
            int[] d = new int[rowShape.length + 1];
            d[0] = rows;
            System.arraycopy(rowShape, 0, d, 1, rowShape.length);
            return Tensor.of(ModuleGradientTest.random(new SplittableRandom(rows), rows * ModuleGradientTest.numel(rowShape)), d);
        };
    }

    static Tensor labels(int rows, int classes) {
        long[] y = new long[rows];
        for (int i = 0; i < rows; i++) {
            y[i] = (i * 7 + 3) % classes;
        }
        return Tensor.ofLongs(y, rows);
    }

    @Test
    void cnnPerSampleGradientsMatchPerSampleLoop() {
        for (int k : new int[] {1, 3}) {
            Sequential m = new Sequential(Conv.conv2d(1, 4, 3, 1, 1, F64, 1), new GroupNorm(2, 4, 1e-5, F64),
                    Activation.relu(), Pool2d.max(2), Conv.conv2d(4, 4, 3, 1, 1, F64, 2), Activation.gelu(),
                    Pool2d.avg(2), new Flatten(), new Linear(16, 5, true, F64, 3));
            try (Tensor y = labels(4 * k, 5)) {
                compare(m, 4, k, new int[] {1, 8, 8}, randomInput(1, 8, 8), Loss.crossEntropy(), y);
            }
        }
    }

    @Test
    void mlpWithLayerNormAndConv1dMatchesPerSampleLoop() {
        Sequential m = new Sequential(Conv.conv1d(2, 3, 3, 2, 1, F64, 4), Activation.tanh(), new Flatten(),
                new LayerNorm(new int[] {12}, 1e-5, F64), new Linear(12, 4, true, F64, 5));
        try (Tensor y = labels(6, 4)) {
            compare(m, 3, 2, new int[] {2, 8}, randomInput(2, 8), Loss.crossEntropy(), y);
        }
    }

    @Test
    void embeddingModelWithPositionsMatchesPerSampleLoop() {
        embeddingModel(org.einsum4j.gradsample.EmbeddingLayer.NO_PADDING);
    }

    @Test
    void embeddingWithPaddingIndexMatchesPerSampleLoop() {
        embeddingModel(0);
    }

    private static void embeddingModel(int paddingIdx) {
        Sequential m = new Sequential(new Embedding(9, 4, paddingIdx, F64, 6), new Linear(4, 3, true, F64, 7));
        IntFunction<Tensor> idx = rows -> {
            long[] v = new long[rows * 5];
            for (int i = 0; i < v.length; i++) {
                v[i] = (i * 5 + i / 7) % 9;
            }
            return Tensor.ofLongs(v, rows, 5);
        };
        // MSE on [rows, 5, 3] outputs: positions inside each row
        try (Tensor t = Tensor.of(ModuleGradientTest.random(new SplittableRandom(9), 4 * 2 * 5 * 3), 8, 5, 3)) {
            compare(m, 4, 2, new int[] {5}, idx, Loss.meanSquaredError(), t);
        }
    }

    @Test
    void groupedDilatedConvolutionsMatchPerSampleLoop() {
        Sequential m = new Sequential(
                Conv.conv2d(2, 4, new int[] {3}, new int[] {1}, new int[] {2}, new int[] {2}, 2, true, F64, 1),
                Activation.tanh(), Conv.conv2d(4, 4, new int[] {2}, new int[] {2}, new int[] {0}, new int[] {1}, 4,
                        false, F64, 2), new Flatten(), new Linear(36, 3, true, F64, 3));
        try (Tensor y = labels(6, 3)) {
            compare(m, 3, 2, new int[] {2, 6, 6}, randomInput(2, 6, 6), Loss.crossEntropy(), y);
        }
        Sequential m1 = new Sequential(Conv.conv1d(4, 4, 3, 1, 2, 2, 2, true, F64, 4), new Flatten(),
                new Linear(28, 2, true, F64, 5));
        try (Tensor y = labels(4, 2)) {
            compare(m1, 4, 1, new int[] {4, 7}, randomInput(4, 7), Loss.crossEntropy(), y);
        }
    }

    @Test
    void rejectsBatchNotAMultipleOfK() {
        Sequential m = new Sequential(new Linear(3, 2, true, F64, 1));
        GradSampleModule gsm = new GradSampleModule(m, 4);
        try (Tensor x = Tensor.zeros(F64, 6, 3)) {
            NnException e = assertThrows(NnException.class, () -> gsm.forward(x));
            assertEquals("batch of 6 rows is not a multiple of K = 4 (rows must be B·K, sample-major)", e.getMessage());
        }
        assertThrows(NnException.class, () -> new GradSampleModule(m, 0));
    }

    @Test
    void rejectsShapesTheModelDoesNotTake() {
        Sequential m = new Sequential(Conv.conv2d(1, 2, 3, 1, 0, F64, 1), new Flatten(), new Linear(18, 2, true, F64, 2));
        NnException e = assertThrows(NnException.class, () -> m.checkInput(5, 1, 8, 8));
        assertEquals("module 2: Linear(in=18, out=2, bias=true) expects input [N, ..., 18], got [5, 72]"
                + " (model input [5, 1, 8, 8])", e.getMessage());
        assertThrows(NnException.class, () -> m.checkInput(5, 3, 8, 8));
        assertThrows(NnException.class, () -> m.checkInput(5, 1, 2, 2));
    }
}
