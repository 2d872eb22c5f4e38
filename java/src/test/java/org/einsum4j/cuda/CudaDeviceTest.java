package org.einsum4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.einsum4j.Backend;
import org.einsum4j.Einsum;
import org.einsum4j.gradsample.ConvLayer;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On a real GPU (skipped with the reason elsewhere): contractions against the float64 oracle (FLOAT32 without TF32
 * within 1e-5 relative; TF32 within its documented 1e-2), copies of every layout and conversion, streams and event
 * timing, a leak test (10,000 contractions and 1,000 grad-sampler calls, then the allocator and cuMemGetInfo back
 * where they started) and a fault test (an impossible allocation, then everything still works). The golden and
 * property suites run on CUDA through {@code UnderTest} with {@code -Deinsum4j.test.device=cuda:0}.
 */
class CudaDeviceTest {
    static final Device GPU = Device.cuda(0);

    @BeforeEach
    void requireGpu() {
        String why = Cuda.unavailableReason().orElse(null);
        Assumptions.assumeTrue(why == null, () -> "no CUDA device: " + why);
        System.out.println("CUDA device: " + Cuda.deviceName(GPU));
    }

    /** ‖got − want‖ / ‖want‖ in float64. */
    static double relativeError(Tensor got, Tensor want) {
        double[] g = got.toDoubleArray();
        double[] w = want.toDoubleArray();
        assertEquals(w.length, g.length);
        double num = 0;
        double den = 0;
        for (int i = 0; i < w.length; i++) {
            assertTrue(Double.isFinite(g[i]), "non-finite at " + i);
            num += (g[i] - w[i]) * (g[i] - w[i]);
            den += w[i] * w[i];
        }
        return den == 0 ? Math.sqrt(num) : Math.sqrt(num / den);
    }

    private static double onGpu(String spec, DType dtype, long seed, int[]... shapes) {
        Tensor[] host = new Tensor[shapes.length];
        Tensor[] dev = new Tensor[shapes.length];
        Tensor[] ref = new Tensor[shapes.length];
        try {
            for (int i = 0; i < shapes.length; i++) {
                host[i] = Tensor.random(dtype, seed + i, shapes[i]);
                ref[i] = host[i].to(DType.FLOAT64);
                dev[i] = host[i].to(GPU);
            }
            long copies = Cuda.hostCopies(GPU);
            try (Tensor r = Einsum.contract(spec, dev); Tensor want = ReferenceEinsum.evaluate(spec, ref)) {
                assertEquals(copies, Cuda.hostCopies(GPU), "host copies inside contract");
                assertEquals(GPU, r.device());
                return relativeError(r, want);
            }
        } finally {
            for (Tensor[] ts : new Tensor[][] {host, dev, ref}) {
                for (Tensor t : ts) {
                    if (t != null) {
                        t.close();
                    }
                }
            }
        }
    }

    @Test
    void float32ContractionsMatchTheFloat64OracleWithoutTf32() {
        String[] specs = {"bij,bjk->bik", "bji,bkj->bik", "ij,jk->ki", "ni,nj->nij", "nki,nkj->nij", "ij->j", "ijk->",
            "i,i->", "abcd,dcb->a", "ii->i", "ab,cb->ca"};
        int[][][] shapes = {{{8, 64, 96}, {8, 96, 48}}, {{8, 96, 64}, {8, 48, 96}}, {{300, 200}, {200, 100}},
            {{64, 128}, {64, 96}}, {{16, 4, 64}, {16, 4, 32}}, {{1000, 33}}, {{20, 30, 40}}, {{100000}, {100000}},
            {{6, 7, 8, 9}, {9, 8, 7}}, {{50, 50}}, {{70, 80}, {90, 80}}};
        for (int i = 0; i < specs.length; i++) {
            double err = onGpu(specs[i], DType.FLOAT32, 17 + i, shapes[i]);
            System.out.printf("FLOAT32 %-14s rel %.2e%n", specs[i], err);
            assertTrue(err <= 1e-5, specs[i] + ": relative error " + err);
            double err64 = onGpu(specs[i], DType.FLOAT64, 31 + i, shapes[i]);
            assertTrue(err64 <= 1e-12, specs[i] + " FLOAT64: relative error " + err64);
        }
    }

    /** FLOAT16 and BFLOAT16 (cuBLAS with CUBLAS_COMPUTE_32F, the 16-bit kernels) within README's bounds. */
    @Test
    void halfTypesMatchTheFloat64OracleWithinTheirBounds() {
        String[] specs = {"bij,bjk->bik", "ij,jk->ki", "ni,nj->nij", "nki,nkj->nij", "ij->j", "i,i->", "abcd,dcb->a",
            "ab,cb->ca"};
        int[][][] shapes = {{{8, 64, 96}, {8, 96, 48}}, {{300, 200}, {200, 100}}, {{64, 128}, {64, 96}},
            {{16, 4, 64}, {16, 4, 32}}, {{1000, 33}}, {{100000}, {100000}}, {{6, 7, 8, 9}, {9, 8, 7}},
            {{70, 80}, {90, 80}}};
        for (DType dt : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
            double tol = dt == DType.FLOAT16 ? 1e-3 : 8e-3;
            for (int i = 0; i < specs.length; i++) {
                double err = onGpu(specs[i], dt, 41 + i, shapes[i]);
                System.out.printf("%s %-14s rel %.2e%n", dt, specs[i], err);
                assertTrue(err <= tol, dt + " " + specs[i] + ": relative error " + err + " > " + tol);
            }
        }
    }

    /**
     * The device's conversion kernels (copy_f32_f16, copy_f64_f16, copy_f32_bf16, copy_f64_bf16 and back) round
     * exactly as {@link org.einsum4j.tensor.HalfFloats} does on the host: every 16-bit value, every midpoint between
     * neighbours and one ulp either side, and random float32 bit patterns.
     */
    @Test
    void deviceConversionsRoundExactlyAsTheHost() {
        for (DType dt : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
            java.util.List<Float> xs = new java.util.ArrayList<>();
            for (int bits = 0; bits < 65536; bits++) {
                float v = org.einsum4j.tensor.HalfFloats.widen(dt, (short) bits);
                float next = org.einsum4j.tensor.HalfFloats.widen(dt, (short) (bits + 1));
                xs.add(v);
                if (Float.isFinite(v) && Float.isFinite(next) && (bits & 0x7fff) != 0x7fff) {
                    float mid = (float) (((double) v + next) / 2);
                    xs.add(mid);
                    xs.add(Math.nextUp(mid));
                    xs.add(Math.nextDown(mid));
                }
            }
            java.util.SplittableRandom r = new java.util.SplittableRandom(3);
            for (int i = 0; i < 100_000; i++) {
                xs.add(Float.intBitsToFloat(r.nextInt()));
            }
            float[] f = new float[xs.size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = xs.get(i);
            }
            for (DType from : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                try (Tensor h32 = Tensor.of(f, f.length); Tensor h = h32.to(from); Tensor d = h.to(GPU);
                     Tensor dn = d.to(dt); Tensor back = dn.to(Device.CPU); Tensor want = h.to(dt);
                     Tensor wide = dn.to(DType.FLOAT32)) {
                    double[] g = back.toDoubleArray();
                    double[] w = want.toDoubleArray();
                    for (int i = 0; i < w.length; i++) {
                        int at = i;
                        assertTrue(Double.compare(g[i], w[i]) == 0 || Double.isNaN(g[i]) && Double.isNaN(w[i]),
                                () -> from + " -> " + dt + " of " + f[at] + ": device " + g[at] + ", host " + w[at]);
                    }
                    assertArrayEquals(want.toFloatArray(), wide.toFloatArray(), dt + " widened on the device");
                }
            }
            System.out.printf("%s conversions on the device: %d values bit-exact with the host%n", dt, f.length);
        }
    }

    /**
     * Runs from four threads at once, each on its own pooled stream, with results consumed on the default stream and
     * blocks freed across streams (the allocator's events): every result right, and the allocator back where it
     * started.
     */
    @Test
    void concurrentRunsOnPooledStreamsStayCorrect() throws Exception {
        long before = Cuda.memoryStats(GPU).allocated();
        try (Tensor ha = Tensor.random(DType.FLOAT32, 71, 16, 128, 128); Tensor hb = Tensor.random(DType.FLOAT32, 72, 16, 128, 64);
             Tensor a = ha.to(GPU); Tensor b = hb.to(GPU); Tensor ra = ha.to(DType.FLOAT64); Tensor rb = hb.to(DType.FLOAT64);
             Tensor want = ReferenceEinsum.evaluate("bij,bjk->bik", ra, rb)) {
            java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
            try {
                java.util.List<java.util.concurrent.Future<Double>> errs = new java.util.ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    errs.add(pool.submit(() -> {
                        double worst = 0;
                        for (int i = 0; i < 50; i++) {
                            try (Tensor c = Einsum.contract("bij,bjk->bik", a, b);
                                 Tensor s = Einsum.contract("bik->bk", c)) { // the result read by the next run
                                if (i % 10 == 0) {
                                    worst = Math.max(worst, relativeError(c, want));
                                }
                                assertEquals(16 * 64, s.numel());
                            }
                        }
                        return worst;
                    }));
                }
                for (java.util.concurrent.Future<Double> f : errs) {
                    double err = f.get();
                    assertTrue(err <= 1e-5, "relative error " + err);
                }
            } finally {
                pool.shutdown();
            }
        }
        Cuda.synchronize(GPU);
        assertEquals(before, Cuda.memoryStats(GPU).allocated(), "allocator back where it started");
    }

    @Test
    void tf32OnlyWhenAskedAndWithinItsBound() {
        double plain = onGpu("ij,jk->ik", DType.FLOAT32, 5, new int[] {512, 512}, new int[] {512, 512});
        Cuda.allowTf32(GPU, true);
        try {
            double tf32 = onGpu("ij,jk->ik", DType.FLOAT32, 5, new int[] {512, 512}, new int[] {512, 512});
            System.out.printf("512³ GEMM rel error: FP32 %.2e, TF32 %.2e%n", plain, tf32);
            assertTrue(tf32 <= 1e-2, "TF32 relative error " + tf32);
        } finally {
            Cuda.allowTf32(GPU, false);
        }
        assertTrue(plain <= 1e-5, "FP32 relative error " + plain);
    }

    @Test
    void copiesOfEveryLayoutAndConversionRoundTrip() {
        try (Tensor h = Tensor.random(DType.FLOAT64, 3, 5, 6, 7); Tensor d = h.to(GPU)) {
            Tensor[] views = {d.permute(2, 0, 1), d.slice(1, 1, 6, 2), d.slice(0, 0, 5, 1).broadcastTo(2, 5, 6, 7)};
            Tensor[] hostViews = {h.permute(2, 0, 1), h.slice(1, 1, 6, 2), h.broadcastTo(2, 5, 6, 7)};
            for (int i = 0; i < views.length; i++) {
                for (DType t : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
                    try (Tensor c = views[i].to(t); Tensor back = c.to(Device.CPU); Tensor want = hostViews[i].to(t)) {
                        assertArrayEquals(want.toDoubleArray(), back.toDoubleArray(), "view " + i + " " + t);
                    }
                }
            }
            try (Tensor i64 = Tensor.random(DType.INT64, 4, 1000); Tensor di = i64.to(GPU)) {
                assertArrayEquals(i64.toLongArray(), di.toLongArray());
            }
        }
    }

    /**
     * Copies of several staging chunks each way, back to back (uploads return before their last chunks are on the
     * device; the next transfer must wait for the buffers): what comes back is what went in.
     */
    @Test
    void largeCopiesThroughTheDoubleBufferedStagingRoundTrip() {
        int n = (int) (CudaBackend.STAGING / 4 * 5 / 2 + 12345); // 2.5 buffers of float32, then some
        try (Tensor h1 = Tensor.random(DType.FLOAT32, 91, n); Tensor h2 = Tensor.random(DType.FLOAT64, 92, n)) {
            for (int round = 0; round < 3; round++) {
                try (Tensor d1 = h1.to(GPU); Tensor d2 = h2.to(GPU); Tensor b2 = d2.to(Device.CPU);
                     Tensor b1 = d1.to(Device.CPU)) {
                    assertArrayEquals(h1.toFloatArray(), b1.toFloatArray(), "float32, round " + round);
                    assertArrayEquals(h2.toDoubleArray(), b2.toDoubleArray(), "float64, round " + round);
                }
            }
        }
    }

    @Test
    void userStreamsAndEventTiming() {
        try (CudaStream s = Cuda.newStream(GPU); Tensor a = Tensor.random(DType.FLOAT32, 1, 256, 256).to(GPU)) {
            Cuda.Timed<Tensor> t = Cuda.time(GPU, () -> s.call(() -> Einsum.contract("ij,jk->ik", a, a)));
            s.synchronize();
            try (Tensor r = t.value(); Tensor ha = a.to(Device.CPU); Tensor ref = ha.to(DType.FLOAT64);
                 Tensor want = ReferenceEinsum.evaluate("ij,jk->ik", ref, ref)) {
                assertTrue(relativeError(r, want) <= 1e-5);
            }
            assertTrue(t.gpuMillis() >= 0);
        }
    }

    @Test
    void noLeakAfter10000ContractionsAnd1000GradSamplerCalls() {
        Backend b = Backend.forDevice(GPU);
        try (Tensor x = Tensor.random(DType.FLOAT32, 1, 32, 64).to(GPU);
             Tensor w = Tensor.random(DType.FLOAT32, 2, 64, 16).to(GPU);
             Tensor acts = Tensor.random(DType.FLOAT32, 3, 16, 3, 10, 10).to(GPU);
             Tensor grads = Tensor.random(DType.FLOAT32, 4, 16, 8, 8, 8).to(GPU)) {
            Layer conv = ConvLayer.of(2, 3, 8, 3);
            // warm-up: modules, cuBLAS handle and workspace, the staging buffer
            Einsum.contract("ni,ij->nj", x, w).close();
            GradSampler.compute(conv, acts, grads, 2).values().forEach(Tensor::close);
            Cuda.synchronize(GPU);
            Cuda.emptyCache(GPU);
            long allocated = Cuda.memoryStats(GPU).allocated();
            long free = Cuda.memoryStats(GPU).deviceFree();
            for (int i = 0; i < 10_000; i++) {
                Einsum.contract("ni,ij->nj", x, w).close();
            }
            for (int i = 0; i < 1_000; i++) {
                Map<String, Tensor> r = GradSampler.compute(conv, acts, grads, 2);
                r.values().forEach(Tensor::close);
            }
            Cuda.synchronize(GPU);
            Cuda.MemoryStats during = Cuda.memoryStats(GPU);
            Cuda.emptyCache(GPU);
            Cuda.MemoryStats after = Cuda.memoryStats(GPU);
            System.out.println("leak test: before allocated " + allocated + " free " + free + "; after " + after
                    + "; reserved before emptyCache " + during.reserved());
            assertEquals(allocated, after.allocated(), "allocator back where it started");
            assertEquals(free, after.deviceFree(), 2L << 20, "cuMemGetInfo back where it started (2 MiB)");
            assertEquals(b, Backend.forDevice(GPU));
        }
    }

    @Test
    void anImpossibleAllocationFailsCleanlyAndEverythingStillWorks() {
        long total = Cuda.memoryStats(GPU).deviceTotal();
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class,
                () -> Tensor.empty(GPU, DType.FLOAT64, 1 << 30, (int) Math.min(1 << 30, total / (1L << 32) * 4)));
        System.out.println("fault test: " + e.getMessage());
        assertTrue(e.getMessage().contains("asked for"), e.getMessage());
        double err = onGpu("bij,bjk->bik", DType.FLOAT32, 9, new int[] {4, 64, 32}, new int[] {4, 32, 16});
        assertTrue(err <= 1e-5, "after the failure: " + err);
    }
}
