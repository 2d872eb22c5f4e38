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
 * {@code Backend.multiply} on the recording fake: the broadcast product is one {@code mul_broadcast_*} launch as
 * native/KERNELS.md prescribes it (G1 grid, block 256, pointers, the merged PairLayout, n); with a reduction the
 * product goes into a workspace that the sum kernel reads and that is freed; bad operands launch nothing.
 */
class CudaMultiplyFakeTest {
    private final Device dev = FakeCudaProvider.device(3);
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
