package org.einsum4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.einsum4j.Einsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The caching allocator on the recording fake: size classes, reuse per stream, emptyCache, the figures, the
 * Cleaner filing blocks without freeing device memory from its thread, and out-of-memory: one retry after
 * emptying the cache, then an exception with the size, the free memory and the cache's share; the backend works on.
 */
class CudaAllocatorTest {
    @Test
    void sizeClassesRoundSmallRequestsTo512BytesAndLargeOnesToQuarterPowersOfTwo() {
        assertEquals(512, CudaAllocator.roundSize(1));
        assertEquals(512, CudaAllocator.roundSize(512));
        assertEquals(1024, CudaAllocator.roundSize(513));
        assertEquals(1 << 20, CudaAllocator.roundSize(1 << 20));
        assertEquals((1 << 20) + (1 << 18), CudaAllocator.roundSize((1 << 20) + 1));
        assertEquals(3L << 29, CudaAllocator.roundSize((3L << 29) - 5));
        for (long b = 1; b < (1L << 34); b = b * 3 + 7) {
            long r = CudaAllocator.roundSize(b);
            assertTrue(r >= b && r <= b + Math.max(511, b / 4), b + " -> " + r);
        }
    }

    @Test
    void aFreedBlockIsReusedOnItsStreamOnlyAndEmptyCacheFreesWhatIsCached() {
        RecordingDriver d = new RecordingDriver();
        CudaAllocator a = new CudaAllocator(d, "test");
        CudaAllocator.Block b1 = a.allocate(1000, 7);
        a.release(b1);
        CudaAllocator.Block b2 = a.allocate(900, 7);
        assertEquals(b1.ptr(), b2.ptr(), "same class, same stream: reused");
        CudaAllocator.Block b3 = a.allocate(1000, 8);
        assertNotEquals(b1.ptr(), b3.ptr(), "another stream gets its own block");
        assertEquals(2, d.mallocs.get());
        assertEquals(1, a.reuses());
        assertEquals(2048, a.allocatedBytes());
        assertEquals(2048, a.reservedBytes());
        a.release(b2);
        assertEquals(1024, a.allocatedBytes());
        assertEquals(1024, a.cachedBytes());
        assertEquals(2048, a.peakBytes());
        a.emptyCache();
        assertEquals(1, d.deviceSyncs.get(), "the device is idle before cached blocks are freed");
        assertEquals(1, d.frees.get());
        assertEquals(1024, a.reservedBytes());
        assertEquals(0, a.cachedBytes());
        a.release(b3);
        a.emptyCache();
        assertEquals(0, a.reservedBytes());
        assertEquals(0, d.usedBytes());
    }

    @Test
    void outOfMemoryRetriesOnceAfterEmptyingTheCacheThenReportsSizeFreeAndCache() {
        RecordingDriver d = new RecordingDriver();
        d.capacity(10_000);
        CudaAllocator a = new CudaAllocator(d, "cuda:9");
        CudaAllocator.Block small = a.allocate(4000, 1);
        a.release(small);
        // 4096 cached + 8192 new > 10000: the first cuMemAlloc fails, the cache is emptied, the retry fits
        CudaAllocator.Block big = a.allocate(8000, 1);
        assertEquals(1, d.frees.get());
        assertEquals(8192, a.allocatedBytes());
        a.release(big);
        CudaOutOfMemoryException e = assertThrows(CudaOutOfMemoryException.class, () -> a.allocate(1L << 20, 1));
        assertEquals(1L << 20, e.requested());
        assertEquals("out of memory on cuda:9: asked for 1048576 bytes (size class 1048576); the device has 10000 of "
                + "10000 bytes free (cuMemGetInfo); the cache held 8192 bytes, given back before one retry; live "
                + "tensors hold 0 bytes", e.getMessage());
        assertEquals(0, a.reservedBytes());
        CudaAllocator.Block after = a.allocate(100, 1);
        assertEquals(512, a.allocatedBytes(), "still allocates after the failure");
        a.release(after);
    }

    @Test
    void theBackendStillWorksAfterAnImpossibleAllocation() {
        Device dev = FakeCudaProvider.device(3);
        CudaBackend cuda = FakeCudaProvider.backend(dev);
        RecordingDriver d = FakeCudaProvider.driver(dev);
        d.capacity(64L << 20);
        assertThrows(CudaOutOfMemoryException.class, () -> cuda.empty(DType.FLOAT32, 1 << 20, 1 << 8));
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 3, 4).to(dev); Tensor b = Tensor.random(DType.FLOAT32, 2, 4, 2).to(dev);
             Tensor c = Einsum.contract("ij,jk->ik", a, b); Tensor h = a.to(Device.CPU)) {
            assertEquals(dev, c.device());
            assertEquals(12, h.numel());
        }
    }

    @Test
    void unclosedTensorsGoBackToTheCacheThroughTheCleanerWhichNeverFreesDeviceMemory() throws Exception {
        Device dev = FakeCudaProvider.device(4);
        CudaBackend cuda = FakeCudaProvider.backend(dev);
        RecordingDriver d = FakeCudaProvider.driver(dev);
        long base = cuda.allocator().allocatedBytes();
        List<Object> sink = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            sink.add(cuda.empty(DType.FLOAT32, 1000));
        }
        assertEquals(base + 50 * 4096, cuda.allocator().allocatedBytes());
        sink.clear();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (cuda.allocator().allocatedBytes() > base && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(20);
        }
        assertEquals(base, cuda.allocator().allocatedBytes(), "the Cleaner filed every block");
        assertFalse(d.freeThreads.stream().anyMatch(t -> !t.equals(Thread.currentThread().getName())),
                "cuMemFree only on the caller's thread: " + d.freeThreads);
        assertEquals(0, d.frees.get(), "nothing freed: the blocks are cached");
        long reserved = cuda.allocator().reservedBytes();
        Cuda.emptyCache(dev);
        assertTrue(cuda.allocator().reservedBytes() < reserved);
        assertEquals(Thread.currentThread().getName(), d.freeThreads.get(0));
    }

    @Test
    void statsReportTheAllocatorAndTheDevice() {
        Device dev = FakeCudaProvider.device(5);
        RecordingDriver d = FakeCudaProvider.driver(dev);
        d.capacity(1L << 30);
        Cuda.resetPeak(dev);
        try (Tensor t = Tensor.zeros(dev, DType.FLOAT64, 1000)) {
            Cuda.MemoryStats s = Cuda.memoryStats(dev);
            assertEquals(8192, s.allocated());
            assertEquals(8192, s.peakAllocated());
            assertEquals(1L << 30, s.deviceTotal());
            assertEquals((1L << 30) - d.usedBytes(), s.deviceFree());
        }
        assertEquals(0, Cuda.memoryStats(dev).allocated());
        assertEquals(8192, Cuda.memoryStats(dev).cached());
        assertEquals(1L << 30, org.einsum4j.Backend.forDevice(dev).availableBytes(), "free plus cached");
    }
}
