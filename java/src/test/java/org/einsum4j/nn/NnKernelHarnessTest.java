package org.einsum4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.einsum4j.Backend;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Npy;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA nn kernels' thread functions (native/nn.cuh) against the host implementation: native/test's nn_harness
 * runs one kernel over simulated launch grids (the documented G1 rule and a small odd grid, which must agree bit for
 * bit and write every output) on inputs this test writes as .npy, and its outputs are compared with
 * {@code Backend.cpu().nnKernels()}: integer outputs (argmax, pooling argmax) and the dropout mask exactly, values to
 * a few ulps (the two sides' tanh/exp/log/pow may differ in the last bit). Built by the Maven build only where nvcc
 * is on the PATH (native/test-kernels.sh); elsewhere every test here skips.
 */
class NnKernelHarnessTest {
    private static final Path HARNESS = Path.of("target", "native-test", "nn_harness");
    private static final NnKernels CPU = Backend.cpu().nnKernels();
    private static final DType[] TYPES = {DType.FLOAT32, DType.FLOAT64};

    @TempDir
    Path dir;

    @BeforeEach
    void harnessBuilt() {
        assumeTrue(Files.isExecutable(HARNESS), "the nn kernel harness " + HARNESS.toAbsolutePath()
                + " was not built (no nvcc on the PATH at build time): nothing to compare with");
    }

    private String file(String name) {
        return dir.resolve(name + ".npy").toString();
    }

    private String put(String name, Tensor t) throws IOException {
        Npy.write(t, dir.resolve(name + ".npy"));
        return file(name);
    }

    private Tensor got(String name) throws IOException {
        return Npy.read(dir.resolve(name + ".npy"));
    }

    private void run(Object... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(HARNESS.toAbsolutePath().toString());
        for (Object a : args) {
            cmd.add(String.valueOf(a));
        }
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!proc.waitFor(60, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new AssertionError("nn_harness " + args[0] + " did not finish in 60 s");
        }
        assertEquals(0, proc.exitValue(), "nn_harness " + String.join(" ", cmd.subList(1, cmd.size())) + ": " + log);
    }

    /** |got − want| ≤ tol·max(1, |want|) per element, tol a few ulps of the dtype; shapes and dtypes equal. */
    private static void assertClose(Tensor want, Tensor got, String what) {
        try (want; got) {
            assertArrayEquals(want.dims(), got.dims(), what + ": shape");
            assertEquals(want.dtype(), got.dtype(), what + ": dtype");
            double tol = want.dtype() == DType.FLOAT32 ? 4e-7 : 1e-14;
            double[] w = want.toDoubleArray();
            double[] g = got.toDoubleArray();
            for (int i = 0; i < w.length; i++) {
                assertTrue(Math.abs(g[i] - w[i]) <= tol * Math.max(1, Math.abs(w[i])),
                        what + "[" + i + "]: want " + w[i] + ", got " + g[i]);
            }
        }
    }

    private static void assertExact(Tensor want, Tensor got, String what) {
        try (want; got) {
            assertArrayEquals(want.dims(), got.dims(), what + ": shape");
            assertEquals(want.dtype(), got.dtype(), what + ": dtype");
            if (want.dtype() == DType.INT64) {
                assertArrayEquals(want.toLongArray(), got.toLongArray(), what);
            } else {
                assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), what);
            }
        }
    }

    @Test
    void activationsAndTheirDerivatives() throws Exception {
        for (DType t : TYPES) {
            for (NnKernels.Activation f : NnKernels.Activation.values()) {
                try (Tensor x = Tensor.random(t, 1, 3, 70).to(t); Tensor g = Tensor.random(t, 2, 3, 70)) {
                    String what = f + " " + t;
                    run("activation", put("x", x), file("y"), f.ordinal());
                    assertClose(CPU.activation(f, x), got("y"), what);
                    run("activation-backward", file("x"), put("g", g), file("dx"), f.ordinal());
                    assertClose(CPU.activationBackward(f, x, g), got("dx"), what + " backward");
                }
            }
        }
    }

    @Test
    void biasAddAndAxpy() throws Exception {
        for (DType t : TYPES) {
            try (Tensor x = Tensor.random(t, 3, 2, 3, 4); Tensor b = Tensor.random(t, 4, 3);
                 Tensor y = Tensor.random(t, 5, 2, 3, 4)) {
                run("add-along-axis", put("x", x), put("b", b), file("y"), 4, 3);
                assertClose(CPU.addAlongAxis(x, b, 1), got("y"), "bias add " + t);
                run("axpy", file("x"), put("z", y), file("a"), -0.37);
                assertClose(CPU.axpy(x, -0.37, y), got("a"), "axpy " + t);
            }
        }
    }

    @Test
    void foldIsTheCpuCol2imForStridesPaddingsAndDilations() throws Exception {
        SplittableRandom r = new SplittableRandom(4);
        for (int trial = 0; trial < 10; trial++) {
            DType t = TYPES[trial % 2];
            int n = 1 + r.nextInt(2);
            int c = 1 + r.nextInt(3);
            int[] k = {1 + r.nextInt(3), 1 + r.nextInt(3)};
            int[] s = {1 + r.nextInt(2), 1 + r.nextInt(3)};
            int[] p = {r.nextInt(2), r.nextInt(3)};
            int[] d = {1 + r.nextInt(2), 1 + r.nextInt(2)};
            int[] in = {d[0] * (k[0] - 1) + 1 + r.nextInt(5), d[1] * (k[1] - 1) + 1 + r.nextInt(5)};
            int oh = (in[0] + 2 * p[0] - d[0] * (k[0] - 1) - 1) / s[0] + 1;
            int ow = (in[1] + 2 * p[1] - d[1] * (k[1] - 1) - 1) / s[1] + 1;
            String what = "fold " + t + " in=" + Arrays.toString(in) + " k=" + Arrays.toString(k) + " s="
                    + Arrays.toString(s) + " p=" + Arrays.toString(p) + " d=" + Arrays.toString(d);
            try (Tensor cols = Tensor.random(t, 10 + trial, n, c * k[0] * k[1], oh * ow)) {
                run("fold", put("cols", cols), file("x"), n, c, in[0], in[1], k[0], k[1], s[0], s[1], p[0], p[1],
                        d[0], d[1]);
                assertClose(CPU.fold(cols, n, c, in, k, s, p, d), got("x"), what);
            }
        }
    }

    @Test
    void poolingForwardAndBackwardWithOverlappingWindows() throws Exception {
        int[][] geometries = {{2, 2, 2, 2}, {3, 3, 2, 2}, {2, 3, 1, 2}, {3, 1, 1, 1}};
        for (DType t : TYPES) {
            for (int[] q : geometries) {
                int kh = q[0];
                int kw = q[1];
                int sh = q[2];
                int sw = q[3];
                String what = t + " kernel " + kh + "x" + kw + " stride " + sh + "x" + sw;
                // values rounded to a tenth: ties inside windows test the first-maximum rule
                double[] v = new double[2 * 3 * 7 * 6];
                SplittableRandom r = new SplittableRandom(kh * 10 + kw);
                for (int i = 0; i < v.length; i++) {
                    v[i] = Math.round(r.nextDouble() * 10) / 10.0;
                }
                try (Tensor x64 = Tensor.of(v, 2, 3, 7, 6); Tensor x = x64.to(t)) {
                    Tensor[] max = CPU.maxPool(x, kh, kw, sh, sw);
                    run("max-pool", put("x", x), file("y"), file("arg"), kh, kw, sh, sw);
                    assertClose(max[0], got("y"), "max pool " + what);
                    try (Tensor arg = max[1]; Tensor g = Tensor.random(t, 3, arg.dims())) {
                        assertExact(arg.copy(), got("arg"), "max pool argmax " + what);
                        run("max-pool-backward", put("g", g), put("a", arg), file("dx"), 2, 3, 7, 6, kh, kw, sh, sw);
                        assertClose(CPU.maxPoolBackward(g, arg, x.dims(), kh, kw, sh, sw), got("dx"),
                                "max pool backward " + what);
                        run("avg-pool", file("x"), file("ay"), kh, kw, sh, sw);
                        assertClose(CPU.avgPool(x, kh, kw, sh, sw), got("ay"), "average pool " + what);
                        run("avg-pool-backward", file("g"), file("adx"), 2, 3, 7, 6, kh, kw, sh, sw);
                        assertClose(CPU.avgPoolBackward(g, x.dims(), kh, kw, sh, sw), got("adx"),
                                "average pool backward " + what);
                    }
                }
            }
        }
    }

    @Test
    void normalizeForwardAndBackward() throws Exception {
        for (DType t : TYPES) {
            for (int size : new int[] {1, 6, 40}) {
                try (Tensor x = Tensor.random(t, size, 5, size); Tensor g = Tensor.random(t, 7, 5, size)) {
                    Tensor[] want = CPU.normalize(x, size, 1e-5);
                    run("normalize", put("x", x), file("xhat"), file("stats"), size, 1e-5);
                    assertClose(want[0], got("xhat"), "x̂ " + t + " size " + size);
                    try (Tensor stats = want[1]; Tensor xhat = got("xhat")) {
                        assertClose(stats.copy(), got("stats"), "statistics " + t + " size " + size);
                        run("normalize-backward", put("g", g), file("xhat"), file("stats"), file("dx"), size);
                        assertClose(CPU.normalizeBackward(g, xhat, stats, size), got("dx"),
                                "normalize backward " + t + " size " + size);
                    }
                }
            }
        }
    }

    @Test
    void dropoutMasksAreTheSameOnEveryBackend() throws Exception {
        for (DType t : TYPES) {
            for (long seed : new long[] {0, -5, 123456789012345L}) {
                run("dropout", file("m"), t == DType.FLOAT32 ? "f4" : "f8", 1000, seed, 0.3);
                try (Tensor want = CPU.dropoutMask(t, new int[] {1000}, 0.3, seed)) {
                    double[] m = want.toDoubleArray();
                    long zeros = Arrays.stream(m).filter(v -> v == 0).count();
                    assertTrue(zeros > 240 && zeros < 360, "about 30% dropped: " + zeros);
                    assertExact(want.copy(), got("m"), "dropout mask " + t + " seed " + seed);
                }
            }
        }
    }

    @Test
    void gatherLossesArgmaxAndAdam() throws Exception {
        for (DType t : TYPES) {
            try (Tensor w = Tensor.random(t, 1, 7, 5); Tensor idx = Tensor.ofLongs(new long[] {3, 0, 6, 6, 2, 1}, 2, 3)) {
                run("gather-rows", put("w", w), put("idx", idx), file("y"));
                assertClose(CPU.gatherRows(w, idx), got("y"), "gather rows " + t);
            }
            try (Tensor z = Tensor.random(t, 2, 6, 9); Tensor y = Tensor.ofLongs(new long[] {0, 8, 3, 3, 5, 1}, 6);
                 Tensor target = Tensor.random(t, 3, 6, 9)) {
                Tensor[] xent = CPU.softmaxCrossEntropy(z, y);
                run("softmax-xent", put("z", z), put("labels", y), file("loss"), file("grad"));
                assertClose(xent[0], got("loss"), "cross-entropy losses " + t);
                assertClose(xent[1], got("grad"), "cross-entropy gradient " + t);
                Tensor[] mse = CPU.meanSquaredError(z, target);
                run("mse", file("z"), put("t", target), file("mloss"), file("mgrad"));
                assertClose(mse[0], got("mloss"), "MSE losses " + t);
                assertClose(mse[1], got("mgrad"), "MSE gradient " + t);
                run("argmax", file("z"), file("am"));
                assertExact(CPU.argmaxRows(z), got("am"), "argmax " + t);
            }
            try (Tensor p = Tensor.random(t, 4, 3, 4); Tensor g = Tensor.random(t, 5, 3, 4);
                 Tensor m = Tensor.random(t, 6, 3, 4); Tensor v0 = Tensor.random(t, 7, 3, 4)) {
                // second moments are non-negative: squares
                double[] sq = v0.toDoubleArray();
                for (int i = 0; i < sq.length; i++) {
                    sq[i] *= sq[i];
                }
                try (Tensor v64 = Tensor.of(sq, 3, 4); Tensor vv = v64.to(t)) {
                    Tensor[] want = CPU.adam(p, g, m, vv, 0.01, 0.9, 0.999, 1e-8, 3);
                    run("adam", put("p", p), put("g", g), put("m", m), put("v", vv), file("p2"), file("m2"),
                            file("v2"), 0.01, 0.9, 0.999, 1e-8, 3);
                    assertClose(want[0], got("p2"), "adam parameters " + t);
                    assertClose(want[1], got("m2"), "adam first moments " + t);
                    assertClose(want[2], got("v2"), "adam second moments " + t);
                }
            }
        }
    }
}
