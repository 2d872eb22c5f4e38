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

    @Test
    void freshLargeBlocksTakeEveryColourInsideTheirBlock() {
        long big = HostAllocator.MIN_CACHED;
        int n = HostAllocator.COLOURS;
        org.bytedeco.javacpp.Pointer[] blocks = new org.bytedeco.javacpp.Pointer[n];
        java.util.Set<Long> colours = new java.util.HashSet<>();
        try {
            for (int i = 0; i < n; i++) {
                blocks[i] = HostAllocator.allocate(big + 4096L * i + 8); // distinct size classes: fresh blocks
                long raw = blocks[i].address();
                long start = HostAllocator.start(blocks[i], big);
                assertEquals(0, start % 64, "64-byte aligned");
                assertTrue(start > raw && start + HostAllocator.sizeClass(big + 4096L * i + 8)
                        <= raw + HostAllocator.sizeClass(big + 4096L * i + 8) + HostAllocator.ALIGN
                        + HostAllocator.COLOUR_SLACK, "inside the block (after its header): raw " + raw + ", start "
                        + start);
                colours.add((start - ((raw + 64) & -64)) / HostAllocator.COLOUR_STEP);
                assertEquals(start, HostAllocator.start(blocks[i], big), "the same start each time");
            }
        } finally {
            for (int i = 0; i < n; i++) {
                if (blocks[i] != null) {
                    HostAllocator.release(blocks[i], big + 4096L * i + 8);
                }
            }
            HostAllocator.trim();
        }
        assertEquals(n, colours.size(), "consecutive fresh blocks take every colour: " + colours);
        // a small block is only aligned
        org.bytedeco.javacpp.Pointer small = HostAllocator.allocate(1000);
        try {
            assertEquals((small.address() + 63) & -64, HostAllocator.start(small, 1000));
        } finally {
            HostAllocator.release(small, 1000);
        }
        // a tensor in a coloured block holds its values end to end
        float[] ones = new float[(int) big];
        java.util.Arrays.fill(ones, 1f);
        try (Tensor u = Tensor.of(ones, (int) big)) {
            assertEquals(0, u.hostAddress() % 64);
            float[] back = u.toFloatArray();
            assertEquals(1f, back[0]);
            assertEquals(1f, back[(int) big - 1]);
        }
    }
}
