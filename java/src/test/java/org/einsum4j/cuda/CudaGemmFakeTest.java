package org.einsum4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.einsum4j.ContractExpression;
import org.einsum4j.Einsum;
import org.einsum4j.oracle.GoldenCases;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend on the recording fake driver: contractions reach cuBLAS as exactly the strided-batched GEMMs
 * the plan implies (shapes, leading dimensions, strides, transposes, beta, batch), with no host copy inside a call.
 */
class CudaGemmFakeTest {
    private final Device dev = FakeCudaProvider.device(1);
    private final CudaBackend cuda = FakeCudaProvider.backend(dev);
    private final RecordingDriver driver = FakeCudaProvider.driver(dev);
    private final List<Tensor> owned = new ArrayList<>();

    @BeforeEach
    void reset() {
        cuda.allowTf32(false);
    }

    @AfterEach
    void close() {
        owned.forEach(Tensor::close);
        cuda.allowTf32(false);
    }

    private Tensor onDevice(DType dtype, long seed, int... dims) {
        try (Tensor h = Tensor.random(dtype, seed, dims)) {
            Tensor t = h.to(dev);
            owned.add(t);
            return t;
        }
    }

    private long ptr(Tensor t) {
        return cuda.ptr(t);
    }

    @Test
    void batchedMatmulIsOneStridedBatchedGemmWithTheOperandsSwappedForColumnMajor() {
        Tensor a = onDevice(DType.FLOAT32, 1, 4, 3, 50);
        Tensor b = onDevice(DType.FLOAT32, 2, 4, 50, 2);
        driver.clearRecords();
        try (Tensor c = Einsum.contract("bij,bjk->bik", a, b)) {
            assertEquals(List.of(), driver.launches, "no kernel besides the GEMM");
            assertEquals(1, driver.gemms.size(), driver.gemms.toString());
            GemmCall g = driver.gemms.get(0).call();
            // row-major C[b] (3×2) = A (3×50) · B (50×2) is column-major Cᵀ = Bᵀ·Aᵀ: cuBLAS's A is our B
            assertEquals(new GemmCall(false, false, 2, 3, 50, 1.0, ptr(b), 2, 100, ptr(a), 50, 150, 0.0, ptr(c), 2, 6,
                    4, DType.FLOAT32, false), g);
            // an expression run gets its own stream from the pool, forked from and joined back to the caller's
            long run = driver.gemms.get(0).stream();
            assertTrue(run != cuda.defaultStream(), "the run's stream is not the device's default stream");
            List<String> order = driver.log("record", "wait", "gemm");
            assertEquals(5, order.size(), order.toString());
            String fork = order.get(0).split(" ")[1];
            assertEquals(List.of("record " + fork + " s=" + cuda.defaultStream(), "wait s=" + run + " " + fork,
                    "gemm s=" + run, "record " + fork + " s=" + run, "wait s=" + cuda.defaultStream() + " " + fork),
                    order);
        }
    }

    @Test
    void transposedLayoutsBecomeTransposeFlagsAndLeadingDimensionsNotCopies() {
        Tensor a = onDevice(DType.FLOAT64, 3, 4, 50, 3); // b j i
        Tensor b = onDevice(DType.FLOAT64, 4, 4, 2, 50); // b k j
        driver.clearRecords();
        try (Tensor c = Einsum.contract("bji,bkj->bik", a, b)) {
            assertEquals(List.of(), driver.launches, "no copy kernel");
            assertEquals(0, driver.deviceToDevice.get());
            assertEquals(1, driver.gemms.size());
            GemmCall g = driver.gemms.get(0).call();
            assertEquals(DType.FLOAT64, g.dtype());
            assertEquals(4, g.batch());
            assertEquals(50, g.k());
            assertEquals(ptr(c), g.c());
            // both operands are read through op = T with their own row strides as leading dimensions
            assertTrue(g.transA() && g.transB(), g.toString());
            assertEquals(g.a() == ptr(b) ? 50 : 3, g.lda());
            assertEquals(100, g.a() == ptr(b) ? g.strideA() : g.strideB());
            assertEquals(150, g.a() == ptr(b) ? g.strideB() : g.strideA());
        }
    }

    @Test
    void anRSplitStepIsRGemmCallsEachAtItsSliceWithBetaOneAfterTheFirst() {
        Tensor a = onDevice(DType.FLOAT32, 5, 2, 3, 4, 6); // [batch, r, m, k]
        Tensor b = onDevice(DType.FLOAT32, 6, 2, 3, 6, 7); // [batch, r, k, n]
        try (Tensor c = cuda.empty(DType.FLOAT32, 2, 4, 7)) {
            for (double beta : new double[] {0, 1}) {
                driver.clearRecords();
                cuda.gemm(a, b, c, beta);
                assertEquals(3, driver.gemms.size());
                for (int j = 0; j < 3; j++) {
                    GemmCall g = driver.gemms.get(j).call();
                    assertEquals(new GemmCall(false, false, 7, 4, 6, 1.0, ptr(b) + 4L * j * 42, 7, 126,
                            ptr(a) + 4L * j * 24, 6, 72, j == 0 ? beta : 1.0, ptr(c), 7, 28, 2, DType.FLOAT32, false), g);
                }
            }
        }
    }

    @Test
    void tf32OnlyOnExplicitOptInAndNeverForFloat64() {
        Tensor a = onDevice(DType.FLOAT32, 7, 8, 32);
        Tensor b = onDevice(DType.FLOAT32, 8, 32, 8);
        Tensor a64 = onDevice(DType.FLOAT64, 7, 8, 32);
        Tensor b64 = onDevice(DType.FLOAT64, 8, 32, 8);
        driver.clearRecords();
        Einsum.contract("ij,jk->ik", a, b).close();
        assertFalse(driver.gemms.get(0).call().tf32(), "TF32 is off by default");
        cuda.allowTf32(true);
        Einsum.contract("ij,jk->ik", a, b).close();
        Einsum.contract("ij,jk->ik", a64, b64).close();
        assertTrue(driver.gemms.get(1).call().tf32());
        assertFalse(driver.gemms.get(2).call().tf32());
        assertEquals(DType.FLOAT64, driver.gemms.get(2).call().dtype());
    }

    @Test
    void operandsWithNoBlasLayoutAreCopiedOnTheDeviceFirst() {
        Tensor base = onDevice(DType.FLOAT32, 9, 2, 4, 40);
        // every other column: neither unit row nor unit column stride
        Tensor a = base.slice(2, 0, 40, 2); // [2, 4, 20] strides (160, 40, 2)
        Tensor b = onDevice(DType.FLOAT32, 10, 2, 20, 5);
        try (Tensor c = cuda.empty(DType.FLOAT32, 2, 4, 5)) {
            driver.clearRecords();
            cuda.gemm(a, b, c, 0);
            assertEquals(1, driver.launches("copy_f32_f32").size(), driver.launches.toString());
            RecordingDriver.Launch copy = driver.launches.get(0);
            assertEquals(160, copy.args().longAt(3), "elements copied");
            GemmCall g = driver.gemms.get(0).call();
            assertEquals(copy.args().longAt(1), g.b(), "the GEMM reads the copy");
            assertEquals(20, g.ldb());
            assertEquals(80, g.strideB());
        }
    }

    @Test
    void perSampleOuterProductsAreOneFusedOuterLaunchNotCublas() {
        Tensor x = onDevice(DType.FLOAT32, 13, 64, 128);
        Tensor y = onDevice(DType.FLOAT32, 14, 64, 96);
        driver.clearRecords();
        try (Tensor c = Einsum.contract("ni,nj->nij", x, y)) {
            assertEquals(List.of(), driver.gemms);
            assertEquals(1, driver.launches.size(), driver.launches.toString());
            RecordingDriver.Launch l = driver.launches.get(0);
            assertEquals("outer_f32", l.kernel());
            KernelArgs a = l.args();
            assertEquals(List.of(ptr(x), ptr(y), ptr(c)), List.of(a.longAt(0), a.longAt(1), a.longAt(2)));
            // n, r, k, i, j
            assertEquals(List.of(64L, 1L, 1L, 128L, 96L), List.of(a.longAt(3), a.longAt(4), a.longAt(5), a.longAt(6),
                    a.longAt(7)));
            assertEquals(List.of(128L, 96L, 1L, 1L), List.of(a.longAt(8), a.longAt(12), a.longAt(11), a.longAt(15)),
                    "x_n, y_n, x_i, y_j");
            assertEquals(0.0, a.doubleAt(16), "beta");
            // W = 4 floats per 16 bytes: 24 vectors a row, bx = 32, by = 8
            assertEquals(CudaDriver.Dim3.of(32, 8), l.block());
            assertEquals(CudaDriver.Dim3.of(1, 1024), l.grid());
        }
    }

    @Test
    void theKFoldedFormSumsKInsideTheOuterKernelWithoutACopy() {
        Tensor x = onDevice(DType.FLOAT64, 15, 16, 4, 64);
        Tensor y = onDevice(DType.FLOAT64, 16, 16, 4, 32);
        driver.clearRecords();
        try (Tensor c = Einsum.contract("nki,nkj->nij", x, y)) {
            assertEquals(List.of(), driver.gemms);
            assertEquals(1, driver.launches.size(), driver.launches.toString());
            RecordingDriver.Launch l = driver.launches.get(0);
            assertEquals("outer_f64", l.kernel());
            KernelArgs a = l.args();
            assertEquals(4, a.longAt(4) * a.longAt(5), "r·k = K");
            assertEquals(List.of(16L, 64L, 32L), List.of(a.longAt(3), a.longAt(6), a.longAt(7)));
            assertEquals(List.of(256L, 128L), List.of(a.longAt(8), a.longAt(12)), "x_n, y_n");
            // W = 2 doubles: 16 vectors a row, bx = 16, by = 16
            assertEquals(CudaDriver.Dim3.of(16, 16), l.block());
            assertEquals(CudaDriver.Dim3.of(1, 64), l.grid());
        }
    }

    /** KERNELS.md's outer_* rule recomputed from the launch's own sizes; depth within the fused kernel's range. */
    static void assertValidOuterLaunch(RecordingDriver.Launch l, String where) {
        KernelArgs a = l.args();
        long n = a.longAt(3);
        long depth = a.longAt(4) * a.longAt(5);
        long i = a.longAt(6);
        long j = a.longAt(7);
        assertTrue(n >= 1 && i >= 1 && j >= 1 && depth >= 1 && depth <= CudaBackend.OUTER_MAX_DEPTH, where + " " + a);
        long w = l.kernel().endsWith("f32") ? 4 : 2;
        long vectors = (j + w - 1) / w;
        int bx = 1;
        while (bx < Math.min(vectors, 256)) {
            bx *= 2;
        }
        int by = 256 / bx;
        assertEquals(CudaDriver.Dim3.of(bx, by), l.block(), where);
        assertEquals(CudaDriver.Dim3.of((vectors + bx - 1) / bx, Math.min((n * i + by - 1) / by, 65535)), l.grid(), where);
        assertEquals(17, a.size(), where);
    }

    /** cuBLAS's argument rules for a column-major op(A) m×k, op(B) k×n, C m×n. */
    static void assertValidCublasCall(GemmCall g, String where) {
        String s = where + ": " + g;
        assertTrue(g.m() >= 1 && g.n() >= 1 && g.k() >= 1 && g.batch() >= 1, s);
        assertTrue(g.lda() >= Math.max(1, g.transA() ? g.k() : g.m()), "lda " + s);
        assertTrue(g.ldb() >= Math.max(1, g.transB() ? g.n() : g.k()), "ldb " + s);
        assertTrue(g.ldc() >= Math.max(1, g.m()), "ldc " + s);
        assertTrue(g.strideC() >= (long) g.m() * g.n() || g.batch() == 1, "strideC " + s);
        assertTrue(g.beta() == 0 || g.beta() == 1, s);
    }

    @Test
    void everyGoldenContractionRunsWithoutAHostCopyAndWithValidCublasCalls() {
        int gemms = 0;
        int outers = 0;
        for (GoldenCases.Case c : GoldenCases.all()) {
            Tensor[] host = GoldenCases.operands(c);
            Tensor[] ops = new Tensor[host.length];
            try {
                for (int i = 0; i < host.length; i++) {
                    ops[i] = host[i].to(FakeCudaProvider.device(1));
                }
                driver.clearRecords();
                long copies = cuda.hostCopies();
                try (Tensor r = Einsum.contract(c.expression(), ops)) {
                    assertEquals(dev, r.device(), c.expression());
                }
                assertEquals(copies, cuda.hostCopies(), "tensor host copies in " + c.expression());
                assertEquals(0, driver.hostToDevice.get(), "host-to-device copies in " + c.expression());
                assertEquals(0, driver.deviceToHost.get(), "device-to-host copies in " + c.expression());
                synchronized (driver.gemms) {
                    for (RecordingDriver.Gemm g : driver.gemms) {
                        assertValidCublasCall(g.call(), c.expression());
                        gemms++;
                    }
                }
                for (RecordingDriver.Launch l : driver.launches("outer_")) {
                    assertValidOuterLaunch(l, c.expression());
                    outers++;
                }
            } finally {
                GoldenCases.closeAll(host);
                GoldenCases.closeAll(ops);
            }
        }
        assertTrue(gemms > 10 && outers > 50, "golden cases issued " + gemms + " GEMMs and " + outers + " outer launches");
    }

    @Test
    void aCompiledExpressionRunsOnTheDeviceWithoutHostCopies() {
        Tensor x = onDevice(DType.FLOAT32, 11, 8, 32);
        Tensor w = onDevice(DType.FLOAT32, 12, 32, 4);
        ContractExpression e = Einsum.expression("ni,ij->nj", org.einsum4j.ContractOptions.defaults(), DType.FLOAT32, dev,
                new int[] {8, 32}, new int[] {32, 4});
        driver.clearRecords();
        for (int i = 0; i < 3; i++) {
            e.contract(x, w).close();
        }
        assertEquals(3, driver.gemms.size());
        assertEquals(0, driver.hostToDevice.get() + driver.deviceToHost.get());
    }
}
