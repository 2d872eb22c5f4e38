package org.einsum4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.einsum4j.Einsum4jException;
import org.einsum4j.nn.Activation;
import org.einsum4j.nn.Conv;
import org.einsum4j.nn.Dropout;
import org.einsum4j.nn.Embedding;
import org.einsum4j.nn.Flatten;
import org.einsum4j.nn.GradSampleModule;
import org.einsum4j.nn.GroupNorm;
import org.einsum4j.nn.LayerNorm;
import org.einsum4j.nn.Linear;
import org.einsum4j.nn.Loss;
import org.einsum4j.nn.NnKernels;
import org.einsum4j.nn.Optimizer;
import org.einsum4j.nn.Parameter;
import org.einsum4j.nn.Pool2d;
import org.einsum4j.nn.Sequential;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The nn kernels on the CUDA backend with the recording fake: each {@link NnKernels} method is one launch of
 * native/KERNELS.md "nn kernels" with rule G1 over the documented item count and the documented arguments (the
 * operands' and results' device pointers, sizes, scalars), and a whole model's forward pass, loss, backward pass,
 * per-sample gradients and optimizer steps on a CUDA device launch only these and the contraction/sampler kernels,
 * with no tensor copied to or from the host (the index checks' 8-byte status reads are the only read-backs).
 */
class CudaNnKernelsFakeTest {
    private final Device dev = FakeCudaProvider.device(9);
    private final CudaBackend cuda = FakeCudaProvider.backend(dev);
    private final RecordingDriver driver = FakeCudaProvider.driver(dev);
    private final NnKernels k = cuda.nnKernels();
    private final List<Tensor> owned = new ArrayList<>();

    @AfterEach
    void close() {
        owned.forEach(Tensor::close);
    }

    private Tensor put(Tensor host) {
        try (host) {
            return keep(host.to(dev));
        }
    }

    private Tensor keep(Tensor t) {
        owned.add(t);
        return t;
    }

    private Tensor[] keep(Tensor[] ts) {
        for (Tensor t : ts) {
            keep(t);
        }
        return ts;
    }

    private long p(Tensor t) {
        return cuda.ptr(t);
    }

    /** Runs {@code call}, which must make exactly one launch, named {@code kernel}, G1 over {@code items}. */
    private <T> T one(String kernel, long items, Supplier<T> call, Object... args) {
        driver.clearRecords();
        T result = call.get();
        assertEquals(1, driver.launches.size(), kernel + ": launches " + driver.launches);
        RecordingDriver.Launch l = driver.launches.get(0);
        assertEquals(kernel, l.kernel());
        assertEquals(CudaBackend.gridStride(items), l.grid(), kernel + " grid");
        assertEquals(CudaBackend.BLOCK_1D, l.block(), kernel + " block");
        assertEquals(0, l.sharedBytes());
        assertEquals(args.length, l.args().size(), kernel + " argument count: " + l.args());
        Tensor[] results = result instanceof Tensor[] ts ? ts : new Tensor[] {(Tensor) result};
        for (int i = 0; i < args.length; i++) {
            Object want = args[i];
            if (want instanceof Out o) {
                want = results[o.index()];
            }
            if (want instanceof Tensor t) {
                want = p(t);
            }
            if (want instanceof Double d) {
                assertEquals(KernelArgs.Kind.F64, l.args().list().get(i).kind(), kernel + " argument " + i);
                assertEquals(d, l.args().doubleAt(i), kernel + " argument " + i);
            } else {
                assertEquals(((Number) want).longValue(), l.args().longAt(i), kernel + " argument " + i);
            }
        }
        assertEquals(0, driver.hostToDevice.get() + driver.deviceToHost.get(), kernel + ": host traffic");
        return result;
    }

    @Test
    void elementwiseKernels() {
        Tensor x = put(Tensor.random(DType.FLOAT32, 1, 3, 5));
        Tensor g = put(Tensor.random(DType.FLOAT32, 2, 3, 5));
        Tensor y = keep(one("nn_activation_f32", 15, () -> k.activation(NnKernels.Activation.GELU, x), x,
                out(0), 15, 2));
        assertEquals(dev, y.device());
        keep(one("nn_activation_backward_f32", 15, () -> k.activationBackward(NnKernels.Activation.TANH, x, g), x, g,
                out(0), 15, 1));
        Tensor b = put(Tensor.random(DType.FLOAT32, 3, 3));
        keep(one("nn_add_along_axis_f32", 15, () -> k.addAlongAxis(x, b, 0), x, b, out(0), 15, 5, 3));
        keep(one("nn_axpy_f32", 15, () -> k.axpy(x, -0.5, g), x, g, out(0), 15, -0.5));
        Tensor x64 = put(Tensor.random(DType.FLOAT64, 4, 2, 3));
        keep(one("scale_f64", 6, () -> k.scale(x64, 3), out(0), 6, 3.0));
        keep(one("nn_dropout_mask_f64", 24, () -> k.dropoutMask(DType.FLOAT64, new int[] {4, 6}, 0.25, -7), out(0),
                24, -7, 0.25, 1 / 0.75));
    }

    /** In {@link #one}'s expected arguments: the device pointer of the call's i-th result tensor. */
    private record Out(int index) {
    }

    private static Out out(int i) {
        return new Out(i);
    }

    @Test
    void convolutionPoolingAndNormKernels() {
        Tensor cols = put(Tensor.random(DType.FLOAT64, 1, 2, 3 * 2 * 2, 3 * 3));
        Tensor fold = keep(one("nn_fold_f64", 2L * 3 * 5 * 4,
                () -> k.fold(cols, 2, 3, new int[] {5, 4}, new int[] {2, 2}, new int[] {1, 2}, new int[] {0, 1},
                        new int[] {2, 1}), cols, out(0), 2, 3, 5, 4, 2, 2, 1, 2, 0, 1, 2, 1, 3, 3));
        assertEquals(List.of(2, 3, 5, 4), List.of(fold.dim(0), fold.dim(1), fold.dim(2), fold.dim(3)));
        Tensor x = put(Tensor.random(DType.FLOAT32, 2, 2, 3, 7, 6));
        Tensor[] mp = keep(one("nn_max_pool_f32", 6L * 3 * 3, () -> k.maxPool(x, 3, 2, 2, 2), x, out(0), out(1),
                6, 7, 6, 3, 2, 2, 2, 3, 3));
        assertEquals(DType.INT64, mp[1].dtype());
        Tensor g = put(Tensor.random(DType.FLOAT32, 3, 2, 3, 3, 3));
        keep(one("nn_max_pool_backward_f32", 2L * 3 * 7 * 6,
                () -> k.maxPoolBackward(g, mp[1], x.dims(), 3, 2, 2, 2), g, mp[1], out(0), 6, 7, 6, 3, 2, 2, 2, 3,
                3));
        keep(one("nn_avg_pool_f32", 6L * 3 * 3, () -> k.avgPool(x, 3, 2, 2, 2), x, out(0), 6, 7, 6, 3, 2, 2, 2, 3,
                3));
        keep(one("nn_avg_pool_backward_f32", 2L * 3 * 7 * 6, () -> k.avgPoolBackward(g, x.dims(), 3, 2, 2, 2), g,
                out(0), 6, 7, 6, 3, 2, 2, 2, 3, 3));
        Tensor[] n = keep(one("nn_normalize_f32", 2L * 3, () -> k.normalize(x, 42, 1e-5), x, out(0), out(1), 6,
                42, 1e-5));
        assertEquals(List.of(2, 6), List.of(n[1].dim(0), n[1].dim(1)));
        assertEquals(DType.FLOAT64, n[1].dtype());
        Tensor gx = put(Tensor.random(DType.FLOAT32, 5, 2, 3, 7, 6));
        keep(one("nn_normalize_backward_f32", 6, () -> k.normalizeBackward(gx, n[0], n[1], 42), gx, n[0], n[1],
                out(0), 6, 42));
    }

    @Test
    void lossGatherArgmaxAndAdamKernels() {
        Tensor z = put(Tensor.random(DType.FLOAT32, 1, 4, 10));
        Tensor y = put(Tensor.ofLongs(new long[] {1, 9, 0, 3}, 4));
        Tensor[] xent = keep(one("nn_softmax_xent_f32", 4, () -> k.softmaxCrossEntropy(z, y), z, y, out(0),
                out(1), 4, 10));
        assertEquals(DType.FLOAT64, xent[0].dtype());
        Tensor t = put(Tensor.random(DType.FLOAT32, 2, 4, 10));
        keep(one("nn_mse_f32", 4, () -> k.meanSquaredError(z, t), z, t, out(0), out(1), 4, 10));
        Tensor am = keep(one("nn_argmax_rows_f32", 4, () -> k.argmaxRows(z), z, out(0), 4, 10));
        assertEquals(DType.INT64, am.dtype());
        Tensor w = put(Tensor.random(DType.FLOAT64, 3, 7, 5));
        Tensor idx = put(Tensor.ofLongs(new long[] {3, 0, 6, 6, 2, 1}, 2, 3));
        Tensor rows = keep(one("nn_gather_rows_f64", 30, () -> k.gatherRows(w, idx), w, idx, out(0), 6, 5));
        assertEquals(List.of(2, 3, 5), List.of(rows.dim(0), rows.dim(1), rows.dim(2)));
        Tensor pa = put(Tensor.random(DType.FLOAT64, 4, 3));
        Tensor ga = put(Tensor.random(DType.FLOAT64, 5, 3));
        keep(one("nn_adam_f64", 3, () -> k.adam(pa, ga, ga, ga, 0.1, 0.9, 0.99, 1e-8, 2), pa, ga, ga, ga, out(0),
                out(1), out(2), 3, 0.1, 0.9, 0.99, 1e-8, 1 - 0.9 * 0.9, 1 - 0.99 * 0.99));
    }

    @Test
    void refusesIntegerValuesAndMismatchedOperands() {
        Tensor i = put(Tensor.ofLongs(new long[] {1, 2}, 2));
        Tensor f = put(Tensor.random(DType.FLOAT32, 1, 2));
        Tensor f3 = put(Tensor.random(DType.FLOAT32, 1, 3));
        assertTrue(assertThrows(Einsum4jException.class, () -> k.activation(NnKernels.Activation.RELU, i))
                .getMessage().contains("FLOAT32 or FLOAT64"));
        assertTrue(assertThrows(Einsum4jException.class, () -> k.axpy(f, 1, f3)).getMessage().contains("shape"));
        assertThrows(Einsum4jException.class, () -> k.dropoutMask(DType.INT64, new int[] {2}, 0.5, 1));
    }

    @Test
    void aStridedOperandIsMadeContiguousOnTheDevice() {
        Tensor x = put(Tensor.random(DType.FLOAT32, 1, 4, 3));
        Tensor xt = x.transpose();
        driver.clearRecords();
        keep(k.activation(NnKernels.Activation.RELU, xt));
        assertEquals(List.of("copy_f32_f32", "nn_activation_f32"),
                driver.launches.stream().map(RecordingDriver.Launch::kernel).map(n -> n.startsWith("batched_transpose")
                        ? "copy_f32_f32" : n).toList());
        assertEquals(0, driver.hostToDevice.get() + driver.deviceToHost.get());
    }

    @Test
    void aWholeModelTrainsOnTheDeviceWithoutHostCopies() {
        Sequential cnn = new Sequential(
                Conv.conv2d(1, 4, new int[] {3}, new int[] {1}, new int[] {2}, new int[] {2}, 2 / 2, true,
                        DType.FLOAT32, 1),
                new GroupNorm(2, 4, 1e-5, DType.FLOAT32), Activation.relu(), Pool2d.max(2),
                Conv.conv2d(4, 4, new int[] {3}, new int[] {1}, new int[] {1}, new int[] {1}, 2, true, DType.FLOAT32, 2),
                Activation.gelu(), Pool2d.avg(2), new Flatten(), new Dropout(0.2, 3), new Linear(16, 8, 4),
                new LayerNorm(new int[] {8}, 1e-5, DType.FLOAT32), Activation.tanh(), new Linear(8, 5, 5)).to(dev);
        Sequential emb = new Sequential(new Embedding(11, 4, 0, DType.FLOAT32, 6), new Linear(4, 3, 7)).to(dev);
        Tensor x = put(Tensor.random(DType.FLOAT32, 8, 6, 1, 8, 8));
        Tensor y = put(Tensor.ofLongs(new long[] {0, 1, 2, 3, 4, 0}, 6));
        Tensor ix = put(Tensor.ofLongs(new long[] {1, 0, 10, 3, 3, 7, 2, 5}, 4, 2));
        Tensor t = put(Tensor.random(DType.FLOAT32, 9, 4, 2, 3));
        driver.clearRecords();
        long copies = cuda.hostCopies();
        long reads = cuda.readBacks();
        Set<String> kernels = new TreeSet<>();
        for (Object[] run : new Object[][] {{cnn, x, y, Loss.crossEntropy(), 2}, {emb, ix, t, Loss.meanSquaredError(), 2}}) {
            Sequential m = (Sequential) run[0];
            GradSampleModule gsm = new GradSampleModule(m, (Integer) run[4]);
            Tensor out = gsm.forward((Tensor) run[1]);
            try (Loss.Result r = ((Loss) run[3]).evaluate(out, (Tensor) run[2])) {
                m.backward(r.gradient(), true);
                gsm.backward(r.gradient());
            }
            Map<Parameter, Tensor> grads = new LinkedHashMap<>();
            for (Parameter p : m.parameters()) {
                assertEquals(dev, p.grad().device(), p.name());
                grads.put(p, p.grad().copy());
            }
            Map<Parameter, Tensor> ps = gsm.perSampleGradients();
            ps.values().forEach(v -> assertEquals(dev, v.device()));
            ps.values().forEach(Tensor::close);
            Optimizer.sgd(0.9).step(grads, 0.1);
            Optimizer.adam(0.9, 0.999, 1e-8).step(grads, 0.1);
            grads.values().forEach(Tensor::close);
            m.release();
            for (Parameter p : m.parameters()) {
                assertEquals(dev, p.value().device(), p.name());
            }
        }
        synchronized (driver.launches) {
            driver.launches.forEach(l -> kernels.add(l.kernel()));
        }
        assertEquals(copies, cuda.hostCopies(), "tensor copies between host and device");
        assertEquals(0, driver.hostToDevice.get(), "host-to-device transfers");
        assertEquals(cuda.readBacks() - reads, driver.deviceToHost.get(), "only the index checks' status reads");
        assertEquals(3, cuda.readBacks() - reads, "index checks: cross-entropy labels, embedding forward, sampler");
        for (String want : List.of("nn_fold_f32", "nn_max_pool_f32", "nn_max_pool_backward_f32", "nn_avg_pool_f32",
                "nn_avg_pool_backward_f32", "nn_normalize_f32", "nn_normalize_backward_f32", "nn_activation_f32",
                "nn_activation_backward_f32", "nn_add_along_axis_f32", "nn_dropout_mask_f32", "nn_softmax_xent_f32",
                "nn_mse_f32", "nn_gather_rows_f32", "nn_axpy_f32", "nn_adam_f32", "im2col_f32", "embedding_dense_f32",
                "index_check_i64")) {
            assertTrue(kernels.contains(want), want + " not launched; launched: " + kernels);
        }
    }
}
