package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Npy;
import org.einsum4j.tensor.Shape;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContractCommandTest {

    private static void assumeContract() {
    }

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (\\[\\[.*?\\]\\]|\\[[^\\]]*\\]|\"[^\"]*\"|[-0-9.eE+]+|null)")
                .matcher(json);
        assertTrue(m.find(), "no field " + name + " in " + json);
        return m.group(1);
    }

    // ---------------------------------------------------------------- usage errors (no contract needed)

    @Test
    void badArgumentsAreOneLineUsageErrors() {
        String[][] cases = {
            {"contract"},
            {"contract", "ij,jk->ik"},
            {"contract", "ij,jk->ik", "2x3", "3x4", "--bogus"},
            {"contract", "ij,jk->ik", "2x3", "3x4", "-x"},
            {"contract", "ij,jk->ik", "2x3", "3x4", "--repeat"},
            {"contract", "ij,jk->ik", "2x3", "3x4", "--repeat", "0"},
            {"contract", "ij,jk->ik", "2x3", "3x4", "--repeat", "many"},
            {"contract", "ij,jk->ik", "2x3", "3x4", "--dtype", "f8"},
            {"contract", "ij,jk->ik", "2x3", "3x4", "--dtype", "i64"},
            {"contract", "ij,jk->ik", "2x3", "3x4", "--backend", "tpu"},
            {"contract", "ij,jk->ik", "2xq", "3x4"},
            {"contract", "ij,jk->ik", "2x-3", "3x4"},
            {"contract", "ij,jk->ik", "2x3", "--inputs", "a.npy,b.npy"},
            {"contract", "ij,jk->ik", "--inputs", "a.npy,,b.npy"},
            {"contract", "ij,jk->ik", "2x3", "3x4", "--json=yes"},
            {"contract", "ij,jk->ik", "2x3", "3x4", "--seed", "1", "--seed", "2"},
            {"demo", "extra"},
        };
        for (String[] args : cases) {
            String line = CliRun.of(args).assertOneLineError(2);
            assertTrue(line.startsWith("einsum4j " + args[0] + ": error: "), String.join(" ", args) + " -> " + line);
        }
    }

    @Test
    void badShapeMessageNamesTheOperandAndTheText() {
        String line = CliRun.of("contract", "ij,jk->ik", "2x3", "3xq").assertOneLineError(2);
        assertTrue(line.contains("operand 1") && line.contains("3xq"), line);
    }

    @Test
    void missingInputFileIsAFailureNamingIt(@TempDir Path dir) {
        String missing = dir.resolve("missing.npy").toString();
        String line = CliRun.of("contract", "i->i", "--inputs", missing).assertOneLineError(1);
        assertTrue(line.contains(missing), line);
    }

    @Test
    void unreadableNpyIsAFailureNamingIt(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.npy");
        java.nio.file.Files.writeString(bad, "not numpy");
        String line = CliRun.of("contract", "i->i", "--inputs", bad.toString()).assertOneLineError(1);
        assertTrue(line.contains("bad.npy"), line);
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(3, CliValues.median(new long[] {5, 1, 3}));
        assertEquals(3, CliValues.median(new long[] {4, 1, 2, 9}));
        assertEquals(7, CliValues.median(new long[] {7}));
    }

    // ---------------------------------------------------------------- runs (need Einsum.contract)

    @Test
    void jsonHasAllFieldsAndTheOraclesChecksum() {
        assumeContract();
        CliRun r = CliRun.of("contract", "ij,jk->ik", "4x5", "5x3", "--dtype", "f64", "--seed", "7", "--repeat", "3",
                "--json");
        assertEquals(0, r.status(), r.err());
        String json = r.out().strip();
        assertEquals(1, json.split("\n").length, json);
        assertTrue(json.startsWith("{") && json.endsWith("}"), json);
        assertEquals("\"ij,jk->ik\"", field(json, "spec"));
        assertEquals("[[4, 5], [5, 3]]", field(json, "shapes"));
        assertEquals("[4, 3]", field(json, "result_shape"));
        assertEquals("3", field(json, "repeats"));
        assertTrue(Long.parseLong(field(json, "median_ns")) > 0, json);
        double checksum = Double.parseDouble(field(json, "checksum"));
        try (Tensor a = Tensor.random(DType.FLOAT64, 7, 4, 5); Tensor b = Tensor.random(DType.FLOAT64, 8, 5, 3);
                Tensor want = ReferenceEinsum.evaluate("ij,jk->ik", a, b)) {
            assertEquals(java.util.Arrays.stream(want.toDoubleArray()).sum(), checksum, 1e-12);
        }
    }

    @Test
    void float16AndBfloat16OperandsAreComputedInFloat32WithinTheirBounds() {
        assumeContract();
        for (String[] t : new String[][] {{"float16", "f16", "1e-3"}, {"bfloat16", "bf16", "8e-3"}}) {
            CliRun r = CliRun.of("contract", "ij,jk->ik", "40x50", "50x30", "--dtype", t[0], "--seed", "7", "--repeat",
                    "1", "--json");
            assertEquals(0, r.status(), r.err());
            String json = r.out().strip();
            assertEquals("\"" + t[1] + "\"", field(json, "dtype"), json);
            DType dt = DType.parse(t[1]);
            try (Tensor a = Tensor.random(dt, 7, 40, 50); Tensor b = Tensor.random(dt, 8, 50, 30);
                 Tensor a64 = a.to(DType.FLOAT64); Tensor b64 = b.to(DType.FLOAT64);
                 Tensor want = ReferenceEinsum.evaluate("ij,jk->ik", a64, b64)) {
                double exact = java.util.Arrays.stream(want.toDoubleArray()).sum();
                double scale = java.util.Arrays.stream(want.toDoubleArray()).map(Math::abs).sum();
                double checksum = Double.parseDouble(field(json, "checksum"));
                assertTrue(Math.abs(checksum - exact) <= Double.parseDouble(t[2]) * scale,
                        t[0] + ": checksum " + checksum + ", exact " + exact);
            }
        }
    }

    @Test
    void scalarOperandsAndTextOutput() {
        assumeContract();
        CliRun r = CliRun.of("contract", ",ij->ij", "scalar", "2x3", "--repeat", "1", "--warmup", "0");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("operands  scalar 2x3 (f32)"), r.out());
        assertTrue(r.out().contains("result    2x3 (f32)"), r.out());
        assertTrue(r.out().contains("checksum  ") && r.out().contains("median    "), r.out());
    }

    @Test
    void specErrorsAreUsageErrors() {
        assumeContract();
        CliRun.of("contract", "ij,jk->ik", "2x3", "4x5").assertOneLineError(2); // j: 3 vs 4
        CliRun.of("contract", "ij,jk->ik", "2x3").assertOneLineError(2); // one operand for two
        CliRun.of("contract", "ij%k", "2x3").assertOneLineError(2); // syntax
    }

    @Test
    void npyInputsAndOutputRoundTrip(@TempDir Path dir) {
        assumeContract();
        Path a = dir.resolve("a.npy");
        Path b = dir.resolve("b.npy");
        Path out = dir.resolve("out.npy");
        try (Tensor ta = Tensor.random(DType.FLOAT64, 1, 3, 4); Tensor tb = Tensor.random(DType.FLOAT64, 2, 4, 2);
                Tensor want = ReferenceEinsum.evaluate("ij,jk->ki", ta, tb)) {
            Npy.write(ta, a);
            Npy.write(tb, b);
            CliRun r = CliRun.of("contract", "ij,jk->ki", "--inputs", a + "," + b, "--output", out.toString(),
                    "--repeat", "1");
            assertEquals(0, r.status(), r.err());
            try (Tensor got = Npy.read(out)) {
                assertNotNull(got);
                assertEquals(DType.FLOAT64, got.dtype());
                assertEquals(Shape.of(2, 3), got.shape());
                double[] g = got.toDoubleArray();
                double[] w = want.toDoubleArray();
                for (int i = 0; i < w.length; i++) {
                    assertEquals(w[i], g[i], 1e-12);
                }
            }
        }
    }

    @Test
    void dtypeOptionConvertsNpyInputs(@TempDir Path dir) {
        assumeContract();
        Path a = dir.resolve("a.npy");
        Path out = dir.resolve("out.npy");
        try (Tensor ta = Tensor.of(new double[] {1.5, -2, 3}, 3)) {
            Npy.write(ta, a);
        }
        CliRun r = CliRun.of("contract", "i->i", "--inputs", a.toString(), "--dtype", "f32", "--output",
                out.toString(), "--repeat", "1");
        assertEquals(0, r.status(), r.err());
        try (Tensor got = Npy.read(out)) {
            assertEquals(DType.FLOAT32, got.dtype());
            assertArrayEquals(new float[] {1.5f, -2f, 3f}, got.toFloatArray());
        }
    }

    @Test
    void onACudaDeviceTheOperandsMoveThereAndJsonHasGpuTimeAndPeakDeviceMemory() {
        CliRun r = CliRun.of("contract", "bij,bjk->bik", "4x8x32", "4x32x8", "--backend", "fakecuda:12", "--repeat",
                "2", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"gpu_median_ns\": 500000"), r.out());
        // the [4, 8, 8] float32 result (1024 bytes, its own size class) is all a call adds at its peak
        assertTrue(r.out().contains("\"peak_device_bytes\": 1024"), r.out());
        String text = CliRun.of("contract", "ij,jk->ik", "2x3", "3x4", "--backend", "fakecuda:12").out();
        assertTrue(text.contains("gpu       500.000 us per call (CUDA events), peak device memory 0.0 MiB on recording fake"),
                text);
    }

    @Test
    void cudaWithoutADriverIsAOneLineErrorSayingWhy() {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.einsum4j.cuda.Cuda.unavailableReason().isPresent(),
                "CUDA works here");
        String line = CliRun.of("contract", "ij,jk->ik", "2x3", "3x4", "--backend", "cuda").assertOneLineError(1);
        assertTrue(line.contains("CUDA backend unavailable for cuda:0: "), line);
    }
}
