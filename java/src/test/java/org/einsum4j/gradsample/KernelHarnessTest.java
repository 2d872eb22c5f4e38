package org.einsum4j.gradsample;

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
import org.einsum4j.Einsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Npy;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA kernels' index math against the Java reference: native/test's kernel_harness runs a kernel family's own
 * {@code __host__ __device__} thread functions over the simulated launch grid of native/KERNELS.md on inputs this
 * test writes as .npy, and its outputs are compared with {@link SampleKernels} (im2col, embedding dense and sparse,
 * {@link SparseEmbeddingGrad#toDense}, norm partials; bit for bit where the summation order is the same), {@link Tensor#permute} and
 * {@link Einsum#contract} sums. In this package because SampleKernels is package-private. The harness is built by
 * the Maven build only where nvcc is on the PATH (native/test-kernels.sh); elsewhere every test here skips.
 */
class KernelHarnessTest {
    /** Where native/test-kernels.sh leaves the binary (java/pom.xml, execution cuda-kernel-harness). */
    private static final Path HARNESS = Path.of("target", "native-test", "kernel_harness");

    @TempDir
    Path dir;

    @BeforeEach
    void harnessBuilt() {
        assumeTrue(Files.isExecutable(HARNESS), "the kernel harness " + HARNESS.toAbsolutePath()
                + " was not built (no nvcc on the PATH at build time, or -DskipTests): nothing to compare with");
    }

    @Test
    void im2colMatchesSampleKernelsUnfold() throws Exception {
        SplittableRandom r = new SplittableRandom(8);
        for (int trial = 0; trial < 12; trial++) {
            int dims = 1 + trial % 3;
            DType dtype = trial % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
            int samples = 1 + r.nextInt(3);
            int copies = 1 + r.nextInt(3);
            int groups = 1 + r.nextInt(3);
            int channels = groups * (1 + r.nextInt(3));
            int[] in = {1, 1, 1};
            int[] k = {1, 1, 1};
            int[] s = {1, 1, 1};
            int[] p = {0, 0, 0};
            int[] d = {1, 1, 1};
            int[] out = new int[3];
            for (int a = 0; a < 3; a++) {
                if (a >= 3 - dims) {
                    k[a] = 1 + r.nextInt(3);
                    d[a] = 1 + r.nextInt(2);
                    p[a] = r.nextInt(3);
                    s[a] = 1 + r.nextInt(3);
                    in[a] = d[a] * (k[a] - 1) + 1 + r.nextInt(8);
                }
                out[a] = (in[a] + 2 * p[a] - d[a] * (k[a] - 1) - 1) / s[a] + 1;
            }
            String what = "conv" + dims + "d " + dtype + " B=" + samples + " K=" + copies + " G=" + groups + " C="
                    + channels + " in=" + Arrays.toString(in) + " k=" + Arrays.toString(k) + " s="
                    + Arrays.toString(s) + " p=" + Arrays.toString(p) + " d=" + Arrays.toString(d);
            List<String> args = new ArrayList<>(List.of("im2col", file("x"), file("cols")));
            for (int v : new int[] {samples, copies, groups, channels}) {
                args.add(Integer.toString(v));
            }
            for (int[] triple : new int[][] {in, k, s, p, d, out}) {
                for (int v : triple) {
                    args.add(Integer.toString(v));
                }
            }
            try (Tensor x = Tensor.random(dtype, 100 + trial, samples * copies, channels, in[0], in[1], in[2]);
                 Tensor want = SampleKernels.unfold(x, samples, copies, groups, channels, in, k, s, p, d, out)) {
                Npy.write(x, dir.resolve("x.npy"));
                run(args);
                try (Tensor got = Npy.read(dir.resolve("cols.npy"))) {
                    assertBitEqual(want, got, what);
                }
            }
        }
    }

    @Test
    void sumsOverAnyAxesMatchContract() throws Exception {
        String[] specs = {"abcd->ac", "abcd->d", "abcd->", "abcd->abc", "abc->b", "ab->a"};
        int[][] axes = {{1, 3}, {0, 1, 2}, {0, 1, 2, 3}, {3}, {0, 2}, {1}};
        int[][] shapes = {{3, 5, 4, 7}, {2, 3, 4, 40}, {3, 2, 5, 6}, {2, 3, 4, 100}, {9, 2, 33}, {5, 1000}};
        for (int i = 0; i < specs.length; i++) {
            for (DType dtype : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                // the float64 contraction is the oracle for both: the kernels accumulate in float64
                try (Tensor x = Tensor.random(dtype, 7 + i, shapes[i]);
                     Tensor x64 = x.to(DType.FLOAT64);
                     Tensor want = Einsum.contract(specs[i], x64)) {
                    Npy.write(x, dir.resolve("x.npy"));
                    List<String> args = new ArrayList<>(List.of("sum", file("x"), file("s")));
                    for (int a : axes[i]) {
                        args.add(Integer.toString(a));
                    }
                    run(args);
                    try (Tensor got = Npy.read(dir.resolve("s.npy"))) {
                        assertClose(want, got, dtype == DType.FLOAT32 ? 1e-7 : 1e-13, specs[i] + " " + dtype);
                    }
                }
            }
        }
    }

    @Test
    void permuteGatherMatchesTensorPermute() throws Exception {
        int[][] perms = {{1, 0}, {2, 0, 1}, {3, 1, 0, 2}, {0, 2, 4, 1, 3}};
        for (int i = 0; i < perms.length; i++) {
            int[] shape = Arrays.copyOf(new int[] {3, 4, 5, 2, 3}, perms[i].length);
            DType dtype = i % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
            try (Tensor x = Tensor.random(dtype, 30 + i, shape);
                 Tensor view = x.permute(perms[i]);
                 Tensor want = view.contiguous()) {
                Npy.write(x, dir.resolve("x.npy"));
                List<String> args = new ArrayList<>(List.of("permute", file("x"), file("p")));
                for (int a : perms[i]) {
                    args.add(Integer.toString(a));
                }
                run(args);
                try (Tensor got = Npy.read(dir.resolve("p.npy"))) {
                    assertBitEqual(want, got, "permute " + Arrays.toString(perms[i]));
                }
            }
        }
    }

    @Test
    void embeddingDenseAndSparseMatchSampleKernels() throws Exception {
        SplittableRandom r = new SplittableRandom(21);
        for (int trial = 0; trial < 6; trial++) {
            DType dtype = trial % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
            int b = 1 + r.nextInt(4);
            int k = 1 + r.nextInt(3);
            int positions = 1 + r.nextInt(9);
            int v = 2 + r.nextInt(12);
            int dim = 1 + r.nextInt(40);
            int pad = trial == 3 ? -1 : r.nextInt(v);
            int divisor = trial % 3 == 0 ? k : 1;
            long[] ids = new long[b * k * positions];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = r.nextInt(v);
            }
            String what = dtype + " B=" + b + " K=" + k + " P=" + positions + " V=" + v + " D=" + dim + " pad=" + pad;
            try (Tensor idx = Tensor.ofLongs(ids, b * k, positions);
                 Tensor g = Tensor.random(dtype, 50 + trial, b * k, positions, dim);
                 Tensor dense = SampleKernels.embeddingDense(idx, g, k, v, dim, pad);
                 SparseEmbeddingGrad sparse = SampleKernels.embeddingSparse(idx, g, k, dim, pad, divisor)) {
                Npy.write(idx, dir.resolve("idx.npy"));
                Npy.write(g, dir.resolve("g.npy"));
                run(List.of("embedding-dense", file("idx"), file("g"), file("dense"), Integer.toString(k),
                        Integer.toString(v), Integer.toString(pad)));
                try (Tensor got = Npy.read(dir.resolve("dense.npy"))) {
                    assertBitEqual(dense, got, "embedding dense " + what);
                }
                run(List.of("embedding-sparse", file("idx"), file("g"), file("offsets"), file("rows"), file("values"),
                        file("sparse_dense"), Integer.toString(k), Integer.toString(v), Integer.toString(pad),
                        Integer.toString(divisor)));
                try (Tensor offsets = Npy.read(dir.resolve("offsets.npy"));
                     Tensor rows = Npy.read(dir.resolve("rows.npy"));
                     Tensor values = Npy.read(dir.resolve("values.npy"));
                     Tensor toDense = Npy.read(dir.resolve("sparse_dense.npy"));
                     Tensor wantDense = sparse.toDense(v)) {
                    assertArrayEquals(sparse.offsets(), offsets.toLongArray(), "sparse offsets " + what);
                    assertArrayEquals(sparse.rows().toLongArray(), rows.toLongArray(), "sparse rows " + what);
                    assertBitEqual(sparse.values(), values, "sparse values / " + divisor + " " + what);
                    assertBitEqual(wantDense, toDense, "sparse to dense " + what);
                }
            }
        }
    }

    @Test
    void normPartialsMatchSampleKernels() throws Exception {
        SplittableRandom r = new SplittableRandom(33);
        for (int trial = 0; trial < 6; trial++) {
            DType dtype = trial % 2 == 0 ? DType.FLOAT32 : DType.FLOAT64;
            double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-12;
            int rows = 1 + r.nextInt(4);
            // layer norm: [rows, inner, len]
            int inner = 1 + r.nextInt(4);
            int len = 1 + r.nextInt(300);
            try (Tensor x = Tensor.random(dtype, 70 + trial, rows, inner, len);
                 Tensor g = Tensor.random(dtype, 80 + trial, rows, inner, len);
                 SampleKernels.NormPartials want = SampleKernels.layerNormPartials(x, g, rows, inner, len, 1e-5)) {
                Npy.write(x, dir.resolve("x.npy"));
                Npy.write(g, dir.resolve("g.npy"));
                run(List.of("layer-norm", file("x"), file("g"), file("w"), file("b"), Integer.toString(rows),
                        Integer.toString(inner), Integer.toString(len), "1e-5"));
                try (Tensor w = Npy.read(dir.resolve("w.npy")); Tensor b = Npy.read(dir.resolve("b.npy"))) {
                    String what = "layer norm " + dtype + " " + rows + "x" + inner + "x" + len;
                    assertClose(want.weight(), w, tol, what + " weight");
                    assertClose(want.bias(), b, tol, what + " bias");
                }
            }
            // group norm: [rows, groups * cpg, spatial]; trial 5 is InstanceNorm (cpg 1)
            int groups = 1 + r.nextInt(3);
            int cpg = trial == 5 ? 1 : 1 + r.nextInt(3);
            int spatial = 1 + r.nextInt(100);
            try (Tensor x = Tensor.random(dtype, 90 + trial, rows, groups * cpg, spatial);
                 Tensor g = Tensor.random(dtype, 95 + trial, rows, groups * cpg, spatial);
                 SampleKernels.NormPartials want =
                         SampleKernels.groupNormPartials(x, g, rows, groups, cpg, spatial, 1e-5)) {
                Npy.write(x, dir.resolve("x.npy"));
                Npy.write(g, dir.resolve("g.npy"));
                run(List.of("group-norm", file("x"), file("g"), file("w"), file("b"), Integer.toString(rows),
                        Integer.toString(groups), Integer.toString(cpg), Integer.toString(spatial), "1e-5"));
                try (Tensor w = Npy.read(dir.resolve("w.npy")); Tensor b = Npy.read(dir.resolve("b.npy"))) {
                    String what = "group norm " + dtype + " " + rows + "x" + groups + "x" + cpg + "x" + spatial;
                    assertClose(want.weight(), w, tol, what + " weight");
                    assertClose(want.bias(), b, tol, what + " bias");
                }
            }
        }
    }

    /**
     * The copy kernels' conversions to FLOAT16 and BFLOAT16 (copy_f32_f16, copy_f64_f16, copy_f32_bf16, copy_f64_bf16,
     * and back to float32) on the host path of the same __host__ __device__ functions, bit for bit against
     * {@link org.einsum4j.tensor.HalfFloats}: every 16-bit value, every midpoint between neighbours with one float ulp
     * either side, random float bit patterns (NaNs stay NaNs), and doubles a hair off a midpoint (a double converted
     * through float would round twice). The device's own conversion instructions are checked on the GPU by
     * CudaDeviceTest.deviceConversionsRoundExactlyAsTheHost.
     */
    @Test
    void copyKernelsRoundTo16BitTypesAsHalfFloats() throws Exception {
        SplittableRandom r = new SplittableRandom(16);
        for (DType half : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
            List<Double> xs = new ArrayList<>();
            for (int bits = 0; bits < 65536; bits++) {
                float v = org.einsum4j.tensor.HalfFloats.widen(half, (short) bits);
                float next = org.einsum4j.tensor.HalfFloats.widen(half, (short) (bits + 1));
                xs.add((double) v);
                if (Float.isFinite(v) && Float.isFinite(next) && (bits & 0x7fff) != 0x7fff) {
                    double mid = ((double) v + next) / 2;
                    xs.add(mid);
                    xs.add((double) Math.nextUp((float) mid));
                    xs.add((double) Math.nextDown((float) mid));
                    xs.add(mid + Math.ulp(mid) * (1 + r.nextInt(1000)) * (r.nextBoolean() ? 1 : -1));
                }
            }
            for (int i = 0; i < 50_000; i++) {
                xs.add((double) Float.intBitsToFloat(r.nextInt()));
            }
            double[] d = xs.stream().mapToDouble(Double::doubleValue).toArray();
            for (DType from : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                String suffix = half == DType.FLOAT16 ? "f16" : "bf16";
                try (Tensor x64 = Tensor.of(d, d.length); Tensor x = x64.to(from)) {
                    org.einsum4j.tensor.Npy.write(x, dir.resolve("x.npy"));
                    run(List.of("round", file("x"), file("y"), suffix));
                    double[] in = x.toDoubleArray();
                    try (Tensor y = org.einsum4j.tensor.Npy.read(dir.resolve("y.npy"))) {
                        float[] got = y.toFloatArray();
                        assertEquals(in.length, got.length);
                        for (int i = 0; i < in.length; i++) {
                            float want = org.einsum4j.tensor.HalfFloats.widen(half,
                                    org.einsum4j.tensor.HalfFloats.narrowDouble(half, in[i]));
                            int at = i;
                            assertTrue(Float.floatToIntBits(want) == Float.floatToIntBits(got[i]),
                                    () -> from + " -> " + half + " of " + in[at] + ": harness " + got[at] + ", Java "
                                            + want);
                        }
                    }
                }
            }
        }
    }

    private String file(String name) {
        return dir.resolve(name + ".npy").toString();
    }

    private void run(List<String> args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(HARNESS.toAbsolutePath().toString());
        cmd.addAll(args);
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!proc.waitFor(60, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new AssertionError("kernel_harness " + args.get(0) + " did not finish in 60 s");
        }
        assertEquals(0, proc.exitValue(), "kernel_harness " + String.join(" ", args) + " failed: " + log);
    }

    private static void assertBitEqual(Tensor want, Tensor got, String what) {
        assertArrayEquals(want.dims(), got.dims(), what + ": shape");
        assertEquals(want.dtype(), got.dtype(), what + ": dtype");
        if (want.dtype() == DType.FLOAT32) {
            assertArrayEquals(want.toFloatArray(), got.toFloatArray(), what);
        } else {
            assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), what);
        }
    }

    /** max |got − want| ≤ tol · max(max |want|, 1e-300), NaN never passes. */
    private static void assertClose(Tensor want, Tensor got, double tol, String what) {
        assertArrayEquals(want.dims(), got.dims(), what + ": shape");
        double[] w = want.toDoubleArray();
        double[] g = got.toDoubleArray();
        double num = 0;
        double den = 1e-300;
        for (int i = 0; i < w.length; i++) {
            assertTrue(!Double.isNaN(g[i]), what + ": NaN at " + i);
            num = Math.max(num, Math.abs(g[i] - w[i]));
            den = Math.max(den, Math.abs(w[i]));
        }
        assertTrue(num / den <= tol, what + ": relative error " + num / den + " > " + tol);
    }
}
