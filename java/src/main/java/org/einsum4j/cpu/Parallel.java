package org.einsum4j.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a loop over [0, n) into chunks over the caller and einsum4j's own worker threads when the work is large:
 * {@value #CHUNKS} chunks per thread rather than one, claimed one at a time, so that a worker the OS has descheduled
 * (a busy machine) holds up one small part of the loop while the caller and the other workers take the rest.
 *
 * <p>Why our own workers and not the common fork-join pool: its idle workers park at once, and waking a parked thread
 * on an idle core took tens to a hundred microseconds on the 2-core development VM (the core is halted and the
 * hypervisor must wake it). E06 of the einsum suite (four 4096×16×16 GEMM steps, each split over both cores) then
 * took 130–145 µs per call against 50–55 µs while another thread kept the second core awake. So a worker here, as
 * OpenBLAS's and OpenMP's do, spins for {@link #SPIN_NANOS} after its last chunk (pausing, and yielding the core to
 * any other runnable thread every few microseconds) before it parks: calls that follow each other closely find it
 * awake. It also parks at once while a GEMM runs on OpenBLAS's threads ({@link #quiet}), so the two never compete
 * for the cores.
 *
 * <p>A loop started while another is running (another thread's, or a nested one inside a chunk) runs on its calling
 * thread: correct, just not split. System property {@code einsum4j.spinMicros}: the spin time (default 2000;
 * 0 parks at once).
 */
final class Parallel {
    /** Below this many elements of work in total, run on the calling thread. */
    private static final long MIN_WORK = 1 << 16;
    /**
     * Below this many multiply-adds a lone GEMM is not split into row blocks over Java threads (when it is not on
     * OpenBLAS's threads). E06's 4096×16×16 steps (2^20) are split: 33 µs per call over the spinning workers, 0.106
     * to 0.111 ms with the steps on the calling thread (the latter interleaved JMH runs under load).
     */
    static final long MIN_GEMM_WORK = 1 << 18;
    /** Chunks per thread. */
    static final int CHUNKS = 4;
    /** How long an idle worker spins before it parks (see the class comment). */
    static final long SPIN_NANOS = Math.max(0, Long.getLong("einsum4j.spinMicros", 2000)) * 1000;

    interface Range {
        void run(int lo, int hi);
    }

    private Parallel() {
    }

    /**
     * Threads a loop is split over: the common pool's parallelism plus the caller, capped by the cores (so that
     * {@code java.util.concurrent.ForkJoinPool.common.parallelism} still sets it). Read once: both are fixed for the
     * JVM's life, and availableProcessors() reads the container's CPU limits on every call (3% of a 5 µs contraction
     * in JMH's stack profile).
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
        Pool.INSTANCE.run(n, Math.min(n, threads * CHUNKS), body);
    }

    /**
     * Makes idle workers park rather than spin while {@code on} (a GEMM on OpenBLAS's threads), so that they leave
     * the cores to OpenBLAS; the next loop wakes them.
     */
    static void quiet(boolean on) {
        Pool.quiet = on;
    }

    /** One loop in flight: its body, its chunks and who has claimed and finished which. */
    private static final class Job {
        final Range body;
        final int n;
        final int chunks;
        /** Which job this is (a worker remembers the last one it ran by this, not by reference). */
        final long generation;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable error;

        Job(Range body, int n, int chunks, long generation) {
            this.body = body;
            this.n = n;
            this.chunks = chunks;
            this.generation = generation;
        }

        /** Claims and runs chunks until none is left; records the first failure (the rest still run). */
        void work() {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                try {
                    body.run((int) ((long) n * c / chunks), (int) ((long) n * (c + 1) / chunks));
                } catch (Throwable t) {
                    if (error == null) {
                        error = t;
                    }
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    /** The workers (threads() − 1 daemon threads, started on first use) and the one job slot. */
    private static final class Pool {
        static final Pool INSTANCE = new Pool(THREADS - 1);
        static volatile boolean quiet;

        private final Worker[] workers;
        private final AtomicBoolean busy = new AtomicBoolean();
        private volatile Job job;
        /** Jobs started so far (written under busy). */
        private long generations;

        Pool(int n) {
            workers = new Worker[n];
            for (int i = 0; i < n; i++) {
                workers[i] = new Worker(this, i);
                workers[i].start();
            }
        }

        void run(int n, int chunks, Range body) {
            if (Thread.currentThread() instanceof Worker || !busy.compareAndSet(false, true)) {
                body.run(0, n);
                return;
            }
            Job j = new Job(body, n, chunks, ++generations);
            try {
                job = j;
                for (Worker w : workers) {
                    if (w.parked) {
                        LockSupport.unpark(w);
                    }
                }
                j.work();
                int spins = 0;
                while (j.done.get() < chunks) {
                    // a worker is still on its last chunk (or descheduled in it): wait, yielding now and then
                    if ((++spins & 255) == 0) {
                        Thread.yield();
                    } else {
                        Thread.onSpinWait();
                    }
                }
            } finally {
                job = null;
                busy.set(false);
            }
            Throwable t = j.error;
            if (t instanceof RuntimeException re) {
                throw re;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t != null) {
                throw new IllegalStateException(t);
            }
        }
    }

    /** A worker: runs the chunks of each new job, spins a while when there is none, then parks. */
    private static final class Worker extends Thread {
        private final Pool pool;
        volatile boolean parked;

        Worker(Pool pool, int i) {
            super("einsum4j-worker-" + i);
            this.pool = pool;
            setDaemon(true);
        }

        @Override
        public void run() {
            long last = 0;
            while (true) {
                Job j = await(last);
                last = j.generation;
                j.work();
            }
        }

        /**
         * The next job after generation {@code last}: spin for SPIN_NANOS (yielding every few µs), then park. (By
         * generation, so that a finished job's body and what it captured are not kept alive by an idle worker.)
         */
        private Job await(long last) {
            long start = System.nanoTime();
            int spins = 0;
            while (true) {
                Job j = pool.job;
                if (j != null && j.generation != last) {
                    return j;
                }
                if ((++spins & 63) == 0) {
                    if (Pool.quiet || System.nanoTime() - start > SPIN_NANOS) {
                        parked = true;
                        j = pool.job;
                        if (j == null || j.generation == last) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        start = System.nanoTime();
                        continue;
                    }
                    Thread.yield();
                } else {
                    Thread.onSpinWait();
                }
            }
        }
    }
}
