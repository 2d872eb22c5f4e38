package org.einsum4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import org.einsum4j.Einsum;
import org.einsum4j.Einsum4jException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The CUDA backend's own kernels on the recording fake: each copy, fill, scale, sum and broadcast product is the
 * launch native/KERNELS.md prescribes (kernel name, grid and block by its rule, arguments and struct bytes), host
 * copies go through the pinned staging buffer and round-trip, and a product with a reduction goes through a freed
 * workspace and the sum kernel.
 */
class CudaKernelsFakeTest {
    private final Device dev = FakeCudaProvider.device(2);
    private final CudaBackend cuda = FakeCudaProvider.backend(dev);
    private final RecordingDriver driver = FakeCudaProvider.driver(dev);

    private static long[] longs(ByteBuffer b, int at, int n) {
        long[] v = new long[n];
        for (int i = 0; i < n; i++) {
            v[i] = b.getLong(at + 8 * i);
        }
        return v;
    }

    @Test
    void hostRoundTripsThroughPinnedStagingForEveryDType() {
        for (DType t : DType.values()) {
            try (Tensor h = Tensor.random(t, 3, 5, 7); Tensor d = h.to(dev)) {
                driver.clearRecords();
                try (Tensor back = d.to(Device.CPU)) {
                    assertArrayEquals(h.toDoubleArray(), back.toDoubleArray(), t.toString());
                }
                assertEquals(1, driver.deviceToHost.get());
                assertEquals(List.of(), driver.launches);
            }
        }
    }

    @Test
    void hostSideLayoutAndConversionAreDoneOnTheHostBeforeOneStagedCopy() {
        try (Tensor h = Tensor.random(DType.FLOAT64, 4, 6, 4); Tensor d = cuda.empty(DType.FLOAT32, 4, 6)) {
            driver.clearRecords();
            long before = cuda.hostCopies();
            cuda.copy(h.transpose(), d);
            assertEquals(before + 1, cuda.hostCopies());
            assertEquals(1, driver.hostToDevice.get());
            assertEquals(List.of(), driver.launches);
            try (Tensor back = d.to(Device.CPU); Tensor want = h.transpose().to(DType.FLOAT32)) {
                assertArrayEquals(want.toFloatArray(), back.toFloatArray());
            }
        }
    }

    @Test
    void largeCopiesGoInStagingBufferChunks() {
        int n = (int) (CudaBackend.STAGING / 4 * 2 + 100);
        try (Tensor h = Tensor.random(DType.FLOAT32, 5, n)) {
            driver.clearRecords();
            try (Tensor d = h.to(dev); Tensor back = d.to(Device.CPU)) {
                assertEquals(3, driver.hostToDevice.get());
                assertEquals(3, driver.deviceToHost.get());
                assertArrayEquals(h.toFloatArray(), back.toFloatArray());
            }
        }
    }

    @Test
    void aBatchOfTransposesIsTheTiledTransposeKernel() {
        try (Tensor h = Tensor.random(DType.FLOAT64, 6, 3, 40, 70); Tensor d = h.to(dev)) {
            driver.clearRecords();
            try (Tensor t = d.transpose().copy()) {
                RecordingDriver.Launch l = driver.launches.get(0);
                assertEquals("batched_transpose_f64", l.kernel());
                // the source is [3, rows = 40, cols = 70]: grid (ceil(cols/32), ceil(rows/32), batch)
                assertEquals(CudaDriver.Dim3.of(3, 2, 3), l.grid());
                assertEquals(CudaDriver.Dim3.of(32, 8), l.block());
                assertEquals(List.of(new KernelArgs.Arg(KernelArgs.Kind.PTR, cuda.ptr(d)),
                        new KernelArgs.Arg(KernelArgs.Kind.PTR, cuda.ptr(t)), new KernelArgs.Arg(KernelArgs.Kind.I32, 40),
                        new KernelArgs.Arg(KernelArgs.Kind.I32, 70)), l.args().list());
            }
        }
    }

    @Test
    void kernelArgumentsArePackedEightByteAlignedLittleEndian() {
        KernelArgs a = new KernelArgs().ptr(0x1122334455667788L).i32(-2).struct(Layouts.strided(new long[] {3, 4},
                new long[] {4, 1})).f32(1.5f).f64(-0.25);
        assertArrayEquals(new int[] {0, 8, 16, 152, 160}, a.offsets());
        ByteBuffer b = a.pack().order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(168, b.capacity());
        assertEquals(0x1122334455667788L, b.getLong(0));
        assertEquals(0x88, b.get(0) & 0xFF, "little-endian");
        assertEquals(-2, b.getInt(8));
        assertEquals(2, b.getInt(16), "StridedLayout.rank");
        assertArrayEquals(new long[] {3, 4}, longs(b, 24, 2));
        assertArrayEquals(new long[] {4, 1}, longs(b, 88, 2));
        assertEquals(1.5f, b.getFloat(152));
        assertEquals(-0.25, b.getDouble(160));
    }

    @Test
    void stridedDeviceCopyIsCopyKernelWithThePairLayout() {
        try (Tensor h = Tensor.random(DType.FLOAT32, 6, 4, 6); Tensor d = h.to(dev)) {
            driver.clearRecords();
            try (Tensor t = d.permute(1, 0).slice(0, 0, 6, 2).copy()) {
                assertEquals(1, driver.launches.size());
                RecordingDriver.Launch l = driver.launches.get(0);
                assertEquals("copy_f32_f32", l.kernel());
                assertEquals(CudaDriver.Dim3.of(1), l.grid());
                assertEquals(CudaDriver.Dim3.of(256), l.block());
                assertEquals(cuda.ptr(d), l.args().longAt(0));
                assertEquals(cuda.ptr(t), l.args().longAt(1));
                ByteBuffer s = l.args().structAt(2);
                assertEquals(200, s.capacity());
                assertEquals(2, s.getInt(0));
                assertArrayEquals(new long[] {3, 4}, longs(s, 8, 2));
                assertArrayEquals(new long[] {2, 6}, longs(s, 72, 2));
                assertArrayEquals(new long[] {4, 1}, longs(s, 136, 2));
                assertEquals(12, l.args().longAt(3));
            }
            driver.clearRecords();
            try (Tensor c = d.to(DType.FLOAT64)) {
                RecordingDriver.Launch l = driver.launches.get(0);
                assertEquals("copy_f32_f64", l.kernel());
                ByteBuffer s = l.args().structAt(2);
                assertEquals(1, s.getInt(0), "contiguous dims merge into one");
                assertEquals(24, s.getLong(8));
            }
            driver.clearRecords();
            d.copy().close();
            assertEquals(List.of(), driver.launches, "a contiguous same-dtype copy is a block copy");
            assertEquals(1, driver.deviceToDevice.get());
        }
    }

    @Test
    void gridStrideLaunchesAreCappedAndCoverEveryElement() {
        assertEquals(CudaDriver.Dim3.of(1), CudaBackend.gridStride(1));
        assertEquals(CudaDriver.Dim3.of(2), CudaBackend.gridStride(257));
        assertEquals(CudaDriver.Dim3.of(1 << 20), CudaBackend.gridStride(1L << 40));
        assertEquals(CudaDriver.Dim3.of(4), CudaBackend.warpPerItem(32));
        assertEquals(CudaDriver.Dim3.of(65535), CudaBackend.blockPerItem(100_000));
    }

    @Test
    void fillScaleAndDivideLaunchTheirKernelsWithTheValueInTheTensorsType() {
        try (Tensor f = cuda.empty(DType.FLOAT32, 1000); Tensor g = cuda.empty(DType.FLOAT64, 3)) {
            driver.clearRecords();
            cuda.fill(f, 0);
            assertEquals(1, driver.memsets.get(), "zero is a memset");
            cuda.fill(f, 2.5);
            cuda.scale(g, -3);
            cuda.divide(f, 3);
            List<RecordingDriver.Launch> l = driver.launches;
            assertEquals("fill_f32", l.get(0).kernel());
            assertEquals(CudaDriver.Dim3.of(4), l.get(0).grid());
            assertEquals(List.of(new KernelArgs.Arg(KernelArgs.Kind.PTR, cuda.ptr(f)),
                    new KernelArgs.Arg(KernelArgs.Kind.I64, 1000L), new KernelArgs.Arg(KernelArgs.Kind.F32, 2.5f)),
                    l.get(0).args().list());
            assertEquals("scale_f64", l.get(1).kernel());
            assertEquals(new KernelArgs.Arg(KernelArgs.Kind.F64, -3.0), l.get(1).args().list().get(2));
            assertEquals("divide_f32", l.get(2).kernel());
            assertEquals(new KernelArgs.Arg(KernelArgs.Kind.F32, 3f), l.get(2).args().list().get(2));
        }
    }

    @Test
    void sumsPickTheReductionKernelByShapeWithTheReduceLayout() {
        try (Tensor wide = cuda.empty(DType.FLOAT32, 4, 64); Tensor o4 = cuda.empty(DType.FLOAT32, 4)) {
            driver.clearRecords();
            cuda.sum(wide, new boolean[] {false, true}, o4);
            RecordingDriver.Launch l = driver.launches.get(0);
            assertEquals("sum_axes_warp_f32", l.kernel());
            assertEquals(CudaDriver.Dim3.of(1), l.grid());
            ByteBuffer s = l.args().structAt(2);
            assertEquals(264, s.capacity());
            assertEquals(1, s.getInt(0));
            assertEquals(1, s.getInt(4));
            assertArrayEquals(new long[] {4, 64, 64, 1}, new long[] {s.getLong(8), s.getLong(72), s.getLong(136),
                    s.getLong(200)});
            assertEquals(4, l.args().longAt(3));
            assertEquals(64, l.args().longAt(4));
        }
        try (Tensor tall = cuda.empty(DType.FLOAT64, 3, 5); Tensor o5 = cuda.empty(DType.FLOAT64, 5)) {
            driver.clearRecords();
            cuda.sum(tall, new boolean[] {true, false}, o5);
            RecordingDriver.Launch l = driver.launches.get(0);
            assertEquals("sum_axes_thread_f64", l.kernel());
            ByteBuffer s = l.args().structAt(2);
            assertArrayEquals(new long[] {5, 1, 3, 5}, new long[] {s.getLong(8), s.getLong(72), s.getLong(136),
                    s.getLong(200)});
        }
        try (Tensor longRows = cuda.empty(DType.FLOAT32, 2, 10_000); Tensor o2 = cuda.empty(DType.FLOAT32, 2)) {
            driver.clearRecords();
            cuda.sum(longRows, new boolean[] {false, true}, o2);
            RecordingDriver.Launch l = driver.launches.get(0);
            assertEquals("sum_axes_block_f32", l.kernel());
            assertEquals(CudaDriver.Dim3.of(1, 2), l.grid());
            assertEquals(10_000, l.args().longAt(5), "one pass: chunk = the whole reduction");
        }
    }

    @Test
    void int64ConversionsGoThroughTheHostAsTwoCountedCopies() {
        try (Tensor h = Tensor.ofLongs(new long[] {7, -3, 5, 1 << 20}, 2, 2); Tensor i = h.to(dev);
             Tensor f = cuda.empty(DType.FLOAT64, 2, 2)) {
            long before = cuda.hostCopies();
            // (the fake runs copies, not kernels: a contiguous source, so no device kernel is involved)
            cuda.copy(i, f);
            assertEquals(before + 2, cuda.hostCopies());
            assertArrayEquals(new double[] {7, -3, 5, 1 << 20}, f.toDoubleArray());
            Einsum4jException e = assertThrows(Einsum4jException.class, () -> cuda.fill(i, 2));
            assertEquals("fill with 2.0 on CUDA needs FLOAT32 or FLOAT64, got INT64", e.getMessage());
        }
    }

    @Test
    void aTensorOfAnotherDeviceIsRejectedByName() {
        try (Tensor h = Tensor.zeros(DType.FLOAT32, 2)) {
            Einsum4jException e = assertThrows(Einsum4jException.class, () -> cuda.ptr(h));
            assertEquals("the CUDA backend of fakecuda:2 got a tensor on cpu: " + h, e.getMessage());
        }
    }

    // ---------------------------------------------------------------- Backend.multiply

    @Test
    void broadcastRowIsOneMulBroadcastLaunchWithStrideZero() {
        try (Tensor a = cuda.empty(DType.FLOAT32, 300, 700); Tensor row = cuda.empty(DType.FLOAT32, 700);
             Tensor out = cuda.empty(DType.FLOAT32, 300, 700)) {
            Tensor b = row.asStrided(new int[] {300, 700}, new long[] {0, 1}, 0);
            driver.clearRecords();
            cuda.multiply(a, b, new boolean[2], out);
            assertEquals(1, driver.launches.size());
            RecordingDriver.Launch l = driver.launches.get(0);
            assertEquals("mul_broadcast_f32", l.kernel());
            assertEquals(CudaDriver.Dim3.of((300 * 700 + 255) / 256), l.grid());
            assertEquals(CudaDriver.Dim3.of(256), l.block());
            assertEquals(cuda.ptr(a), l.args().longAt(0));
            assertEquals(cuda.ptr(row), l.args().longAt(1));
            assertEquals(cuda.ptr(out), l.args().longAt(2));
            ByteBuffer s = l.args().structAt(3);
            assertEquals(200, s.capacity());
            assertEquals(2, s.getInt(0));
            assertArrayEquals(new long[] {300, 700}, longs(s, 8, 2));
            assertArrayEquals(new long[] {700, 1}, longs(s, 72, 2));
            assertArrayEquals(new long[] {0, 1}, longs(s, 136, 2));
            assertEquals(300 * 700, l.args().longAt(4));
        }
    }

    @Test
    void contiguousOperandsMergeIntoOneDimensionAndHalfTypesHaveTheirKernel() {
        try (Tensor a = cuda.empty(DType.FLOAT16, 4, 6, 8); Tensor b = cuda.empty(DType.FLOAT16, 4, 6, 8);
             Tensor out = cuda.empty(DType.FLOAT16, 4, 6, 8)) {
            driver.clearRecords();
            cuda.multiply(a, b, new boolean[3], out);
            RecordingDriver.Launch l = driver.launches.get(0);
            assertEquals("mul_broadcast_f16", l.kernel());
            ByteBuffer s = l.args().structAt(3);
            assertEquals(1, s.getInt(0));
            assertEquals(192, s.getLong(8));
            assertArrayEquals(new long[] {1, 1}, new long[] {s.getLong(72), s.getLong(136)});
        }
    }

    @Test
    void reductionMultipliesIntoAWorkspaceThatTheSumReadsAndThatIsFreed() {
        try (Tensor a = cuda.empty(DType.FLOAT64, 64, 48); Tensor b = cuda.empty(DType.FLOAT64, 48, 64);
             Tensor out = cuda.empty(DType.FLOAT64, 48)) {
            driver.clearRecords();
            long live = cuda.allocator().allocatedBytes();
            cuda.multiply(a, b.transpose(), new boolean[] {true, false}, out);
            List<RecordingDriver.Launch> l = driver.launches;
            assertEquals(2, l.size());
            assertEquals("mul_broadcast_f64", l.get(0).kernel());
            ByteBuffer s = l.get(0).args().structAt(3);
            assertArrayEquals(new long[] {64, 48}, longs(s, 8, 2));
            assertArrayEquals(new long[] {48, 1}, longs(s, 72, 2));
            assertArrayEquals(new long[] {1, 64}, longs(s, 136, 2));
            long workspace = l.get(0).args().longAt(2);
            assertTrue(l.get(1).kernel().startsWith("sum_axes_"), l.get(1).kernel());
            assertEquals(workspace, l.get(1).args().longAt(0), "the sum reads the product");
            assertEquals(cuda.ptr(out), l.get(1).args().longAt(1));
            assertEquals(live, cuda.allocator().allocatedBytes(), "the workspace is released");
        }
    }

    @Test
    void hadamardContractionIsOneLaunchAndNoGemm() {
        try (Tensor a = cuda.empty(DType.FLOAT32, 64, 48); Tensor b = cuda.empty(DType.FLOAT32, 64, 48)) {
            driver.clearRecords();
            try (Tensor r = Einsum.contract("ij,ij->ij", a, b)) {
                assertArrayEquals(new int[] {64, 48}, r.dims());
            }
            assertEquals(List.of("mul_broadcast_f32"), driver.launches.stream().map(RecordingDriver.Launch::kernel)
                    .toList());
        }
    }

    @Test
    void mismatchedOperandsAreRejectedBeforeAnyLaunch() {
        try (Tensor a = cuda.empty(DType.FLOAT32, 4, 6); Tensor b = cuda.empty(DType.FLOAT32, 6, 4);
             Tensor c = cuda.empty(DType.FLOAT64, 4, 6); Tensor out = cuda.empty(DType.FLOAT32, 4, 6)) {
            driver.clearRecords();
            assertThrows(Einsum4jException.class, () -> cuda.multiply(a, b, new boolean[2], out));
            assertThrows(Einsum4jException.class, () -> cuda.multiply(a, c, new boolean[2], out));
            assertThrows(Einsum4jException.class, () -> cuda.multiply(a, a, new boolean[] {true, false}, out));
            assertThrows(Einsum4jException.class, () -> cuda.multiply(a, a, new boolean[1], out));
            assertEquals(List.of(), driver.launches);
        }
    }
}
