package org.einsum4j.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.stream.IntStream;

/**
 * Splits a loop over [0, n) into chunks on the common fork-join pool when the work is large: {@value #CHUNKS}
 * chunks per thread rather than one, so that a worker the OS has descheduled (a busy machine) holds up a small part
 * of the loop while the caller and the other workers take the rest.
 */
final class Parallel {
    /** Below this many elements of work in total, run on the calling thread. */
    private static final long MIN_WORK = 1 << 16;
    /**
     * Below this many multiply-adds a lone GEMM is not split into row blocks over Java threads (when it is not on
     * OpenBLAS's threads). E06's 4096×16×16 steps (2^20) are split: interleaved JMH runs on the shared 2-core machine
     * gave 0.085 to 0.090 ms for E06 split, 0.106 to 0.111 ms with the steps on the calling thread.
     */
    static final long MIN_GEMM_WORK = 1 << 18;
    /** Chunks per thread. */
    static final int CHUNKS = 4;

    interface Range {
        void run(int lo, int hi);
    }

    private Parallel() {
    }

    /**
     * Threads a loop is split over: the common pool's workers plus the caller, capped by the cores. Read once: both
     * are fixed for the JVM's life, and availableProcessors() reads the container's CPU limits on every call (3% of
     * a 5 µs contraction in JMH's stack profile).
     */
    private static final int THREADS = Math.max(1, Math.min(ForkJoinPool.getCommonPoolParallelism() + 1,
            Runtime.getRuntime().availableProcessors()));

    /** The number of threads a loop is split over. */
    static int threads() {
        return THREADS;
    }

    /** Runs {@code body} over [0, n) in chunks; {@code workPerItem} sizes the decision to go parallel. */
    static void forRange(int n, Range body, long workPerItem) {
        int threads = threads();
        if (threads <= 1 || n < 2 || (long) n * workPerItem < MIN_WORK) {
            body.run(0, n);
            return;
        }
        int chunks = Math.min(n, threads * CHUNKS);
        IntStream.range(0, chunks).parallel().forEach(t -> {
            int lo = (int) ((long) n * t / chunks);
            int hi = (int) ((long) n * (t + 1) / chunks);
            body.run(lo, hi);
        });
    }
}
