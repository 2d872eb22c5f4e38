package org.einsum4j.gradsample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Npy;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA im2col kernel's index math (native/im2col.cuh, run on the host by native/test's kernel_harness) against
 * the Java {@link SampleKernels#unfold}, bit for bit, on seeded random Conv1d/2d/3d geometries with stride, padding,
 * dilation, groups and K copies. Lives in this package because {@code unfold} is package-private. The harness is
 * built by the Maven build only where nvcc is on the PATH (native/test-kernels.sh); elsewhere this test skips.
 */
class Im2colHarnessTest {
    /** Where native/test-kernels.sh leaves the binary (java/pom.xml, execution cuda-kernel-harness). */
    private static final Path HARNESS = Path.of("target", "native-test", "kernel_harness");

    @TempDir
    Path dir;

    @Test
    void cudaIm2colIndexMathMatchesSampleKernelsUnfold() throws Exception {
        assumeTrue(Files.isExecutable(HARNESS), "the kernel harness " + HARNESS.toAbsolutePath()
                + " was not built (no nvcc on the PATH at build time, or -DskipTests): nothing to compare with");
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
                    + channels + " in=" + java.util.Arrays.toString(in) + " k=" + java.util.Arrays.toString(k)
                    + " s=" + java.util.Arrays.toString(s) + " p=" + java.util.Arrays.toString(p) + " d="
                    + java.util.Arrays.toString(d);
            try (Tensor x = Tensor.random(dtype, 100 + trial, samples * copies, channels, in[0], in[1], in[2]);
                 Tensor want = SampleKernels.unfold(x, samples, copies, groups, channels, in, k, s, p, d, out);
                 Tensor got = runHarness(x, samples, copies, groups, channels, in, k, s, p, d, out)) {
                assertArrayEquals(want.dims(), got.dims(), what);
                assertEquals(want.dtype(), got.dtype(), what);
                if (dtype == DType.FLOAT32) {
                    assertArrayEquals(want.toFloatArray(), got.toFloatArray(), what);
                } else {
                    assertArrayEquals(want.toDoubleArray(), got.toDoubleArray(), what);
                }
            }
        }
    }

    private Tensor runHarness(Tensor x, int samples, int copies, int groups, int channels, int[] in, int[] k,
                              int[] s, int[] p, int[] d, int[] out) throws IOException, InterruptedException {
        Path inFile = dir.resolve("x.npy");
        Path outFile = dir.resolve("cols.npy");
        Files.deleteIfExists(outFile);
        Npy.write(x, inFile);
        List<String> cmd = new ArrayList<>(List.of(HARNESS.toAbsolutePath().toString(), "im2col",
                inFile.toString(), outFile.toString()));
        for (int v : new int[] {samples, copies, groups, channels}) {
            cmd.add(Integer.toString(v));
        }
        for (int[] triple : new int[][] {in, k, s, p, d, out}) {
            for (int v : triple) {
                cmd.add(Integer.toString(v));
            }
        }
        Process proc = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String log = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!proc.waitFor(60, TimeUnit.SECONDS)) {
            proc.destroyForcibly();
            throw new AssertionError("kernel_harness im2col did not finish in 60 s");
        }
        assertEquals(0, proc.exitValue(), "kernel_harness im2col failed: " + log);
        return Npy.read(outFile);
    }
}
