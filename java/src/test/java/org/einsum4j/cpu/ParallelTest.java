package org.einsum4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/**
 * {@link Parallel}'s own workers: every index of a loop runs exactly once, whatever the size, on the caller and the
 * workers; a chunk's failure reaches the caller after the loop; nested loops and loops from several threads at once
 * run (on their calling thread when the workers are taken) and still cover every index once; the workers keep
 * working after parking (spin time passed, or quiet for OpenBLAS).
 */
class ParallelTest {
    /** Big enough per item to go parallel (n · work ≥ Parallel's floor). */
    private static final long WORK = 1 << 16;

    private static AtomicIntegerArray count(int n) {
        AtomicIntegerArray hits = new AtomicIntegerArray(n);
        Parallel.forRange(n, (lo, hi) -> {
            for (int i = lo; i < hi; i++) {
                hits.incrementAndGet(i);
            }
        }, WORK);
        return hits;
    }

    private static void assertOnce(AtomicIntegerArray hits, String what) {
        for (int i = 0; i < hits.length(); i++) {
            assertEquals(1, hits.get(i), what + ": index " + i + " of " + hits.length());
        }
    }

    @Test
    void everyIndexRunsExactlyOnce() {
        for (int n : new int[] {1, 2, 3, 7, 8, 9, 31, 1000, 100_003}) {
            for (int rep = 0; rep < 20; rep++) {
                assertOnce(count(n), "n = " + n);
            }
        }
    }

    @Test
    void theWorkersTakeChunksWhenThereAreCores() {
        Set<String> threads = ConcurrentHashMap.newKeySet();
        for (int rep = 0; rep < 200 && threads.size() < 2; rep++) {
            Parallel.forRange(64, (lo, hi) -> {
                threads.add(Thread.currentThread().getName());
                long until = System.nanoTime() + 20_000;
                while (System.nanoTime() < until) {
                    Thread.onSpinWait();
                }
            }, WORK);
        }
        if (Parallel.threads() > 1) {
            assertTrue(threads.stream().anyMatch(t -> t.startsWith("einsum4j-worker-")), "threads used: " + threads);
        } else {
            assertEquals(Set.of(Thread.currentThread().getName()), threads);
        }
    }

    @Test
    void aChunksFailureReachesTheCallerAfterTheLoop() {
        AtomicIntegerArray hits = new AtomicIntegerArray(1000);
        IllegalArgumentException boom = new IllegalArgumentException("chunk failed");
        IllegalArgumentException got = assertThrows(IllegalArgumentException.class, () ->
                Parallel.forRange(1000, (lo, hi) -> {
                    for (int i = lo; i < hi; i++) {
                        hits.incrementAndGet(i);
                    }
                    if (lo == 0) {
                        throw boom;
                    }
                }, WORK));
        assertSame(boom, got);
        assertOnce(hits, "the other chunks still ran");
        assertOnce(count(1000), "the next loop");
        AssertionError err = assertThrows(AssertionError.class, () ->
                Parallel.forRange(1000, (lo, hi) -> {
                    throw new AssertionError("an Error");
                }, WORK));
        assertEquals("an Error", err.getMessage());
    }

    @Test
    void nestedLoopsCoverEveryIndexOnce() {
        int outer = 16;
        int inner = 500;
        AtomicIntegerArray hits = new AtomicIntegerArray(outer * inner);
        Parallel.forRange(outer, (lo, hi) -> {
            for (int o = lo; o < hi; o++) {
                int base = o * inner;
                Parallel.forRange(inner, (l2, h2) -> {
                    for (int i = l2; i < h2; i++) {
                        hits.incrementAndGet(base + i);
                    }
                }, WORK);
            }
        }, WORK);
        assertOnce(hits, "nested");
    }

    @Test
    void loopsFromSeveralThreadsAtOnce() throws Exception {
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
            List<Future<AtomicIntegerArray>> results = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int n = 1000 + 37 * t;
                results.add(callers.submit(() -> count(n)));
            }
            for (Future<AtomicIntegerArray> f : results) {
                assertOnce(f.get(), "concurrent caller");
            }
        } finally {
            callers.shutdown();
        }
    }

    @Test
    void workersWakeAfterParking() throws Exception {
        assertOnce(count(4096), "before");
        Parallel.quiet(true);
        try {
            Thread.sleep(5);
            assertOnce(count(4096), "while quiet");
        } finally {
            Parallel.quiet(false);
        }
        // past the spin time: the workers have parked and must be woken
        Thread.sleep(Parallel.SPIN_NANOS / 1_000_000 + 20);
        assertOnce(count(4096), "after parking");
    }
}
