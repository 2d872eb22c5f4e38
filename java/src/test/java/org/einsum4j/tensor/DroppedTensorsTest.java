package org.einsum4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.Einsum;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Issue 13, item 4: results dropped without {@code close()} do not pile up native memory. Past the live-bytes
 * threshold ({@code einsum4j.maxLiveBytes}; here set to 32 MiB) the allocator asks for a GC and waits for the
 * cleaners before allocating more, as {@code DirectByteBuffer} does, so a loop that drops 4 MiB results keeps the
 * live bytes near the threshold instead of growing by 4 MiB a step.
 */
@Isolated
class DroppedTensorsTest {
    private static final long LIMIT = 32L << 20;
    private static final int N = 1024; // 1024×1024 float32 = 4 MiB

    @Test
    void droppedResultsStayUnderTheThreshold() {
        long before = LiveBytes.settled();
        long old = HostAllocator.liveLimit();
        HostAllocator.liveLimit(before + LIMIT);
        long max = 0;
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, N, 1); Tensor b = Tensor.random(DType.FLOAT32, 2, 1, N)) {
            for (int i = 0; i < 100; i++) {
                Tensor dropped = Einsum.contract("ij,jk->ik", a, b); // never closed
                assertEquals(N, dropped.dim(0));
                max = Math.max(max, HostAllocator.liveBytes() - before);
                assertTrue(max <= LIMIT + (4L << 20), "step " + i + ": " + max + " live bytes from dropped results, "
                        + "threshold " + LIMIT);
            }
        } finally {
            HostAllocator.liveLimit(old);
        }
    }

    @Test
    void theThresholdDefaultsToAFractionOfPhysicalMemory() {
        long limit = HostAllocator.liveLimit();
        assertTrue(limit > 0 && limit < Long.MAX_VALUE, "threshold " + limit);
    }
}
