package org.einsum4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/** The host allocator's size classes, accounting and cache of freed blocks. */
@Isolated
class HostAllocatorTest {
    @Test
    void sizeClassesLeaveAtMostAnEighthOfSlackAndKeepPowersOfTwo() {
        assertEquals(100, HostAllocator.sizeClass(100));
        assertEquals(1L << 28, HostAllocator.sizeClass(1L << 28));
        for (long b = HostAllocator.MIN_CACHED; b < (1L << 30); b = b * 3 / 2 + 7) {
            long c = HostAllocator.sizeClass(b);
            assertTrue(c >= b && c - b <= b / 8 + 1, b + " -> " + c);
        }
    }

    @Test
    void liveBytesCountTheSizeClassAndFreedBlocksAreReused() {
        long before = HostAllocator.liveBytes();
        int n = 300_000; // 1.2 MB of float32: a cached size
        long cls = HostAllocator.sizeClass(4L * n);
        Tensor t = Tensor.zeros(DType.FLOAT32, n);
        assertEquals(before + cls, HostAllocator.liveBytes());
        long addr = t.hostAddress();
        assertEquals(0, addr % 64, "64-byte aligned");
        t.close();
        assertEquals(before, HostAllocator.liveBytes());
        long cached = HostAllocator.cachedBytes();
        assertTrue(cached >= cls);
        try (Tensor u = Tensor.zeros(DType.FLOAT32, n)) {
            assertEquals(cached - cls, HostAllocator.cachedBytes(), "the freed block is taken from the cache");
            assertEquals(0.0, u.toFloatArray()[n - 1], "zeros() zeroes a reused block");
        }
        HostAllocator.trim();
        assertEquals(0, HostAllocator.cachedBytes());
    }
}
