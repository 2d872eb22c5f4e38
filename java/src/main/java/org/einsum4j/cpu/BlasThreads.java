package org.einsum4j.cpu;

import org.bytedeco.openblas.global.openblas_full;

/**
 * Who runs a GEMM step's threads: OpenBLAS or Java, never both at once. A batch of GEMMs (at least as many
 * calls as cores) always runs as single-threaded BLAS calls spread over the cores by {@link Parallel}. A lone large
 * GEMM (fewer calls than cores, at least {@link #THREADED_WORK} multiply-adds) runs as one BLAS call on OpenBLAS's
 * own threads, which spin while waiting and share packed panels: on the idle 2-core machine E03 of the einsum suite
 * took 0.143 ms that way and 0.263 ms split into row blocks over Java's fork-join pool (whose parked workers take
 * tens of microseconds to wake for each GEMM), E05 1.41 against 1.65 ms. On a busy machine the spinning turns
 * against it: a barrier then costs a scheduler time slice (at load 17, E05 took 59.6 ms on two OpenBLAS threads and
 * 5.0 ms split over Java threads, whose caller runs a chunk a descheduled worker has not started); there, set
 * {@code einsum4j.blasThreads=1}. Without that setting a busy machine is noticed anyway: a threaded call that ran
 * at under {@link #SLOW_MADDS_PER_NS} multiply-adds per nanosecond and took over {@link #SLOW_NS} waited on a
 * descheduled thread, and once such calls are {@link #SLOW_SHARE} of the recent ones, lone GEMMs stay off OpenBLAS's
 * threads for {@link #BACK_OFF_NS} before they are tried again (at load 6 a threaded 4096×16×16 GEMM took 8 ms
 * against 17 µs on one thread; with one other process running, a threaded 576³ GEMM took 22 ms against 1.8 ms on
 * one thread).
 *
 * <p>System property {@code einsum4j.blasThreads}: OpenBLAS's threads for a lone large GEMM (default: the threads
 * {@link Parallel} uses, the common fork-join pool's parallelism + 1 capped by the cores); {@code 1} keeps OpenBLAS
 * single-threaded and splits lone GEMMs of at least {@link Parallel#MIN_GEMM_WORK} multiply-adds into row blocks over
 * Java threads (smaller ones run on the calling thread); {@code native} leaves OpenBLAS's own
 * choice (OPENBLAS_NUM_THREADS or all cores) alone for every call, batches included.
 */
final class BlasThreads {
    /**
     * Multiply-adds from which a lone GEMM goes to OpenBLAS's threads: 2^21 by default (property
     * {@code einsum4j.threadedWork} sets another). Below it, row blocks over {@link Parallel}'s spinning workers win:
     * on the quiet 2-core machine E06's four 4096×16×16 steps (2^20 each) took 33 µs per call that way against 57 µs
     * on OpenBLAS's threads (numpy with its path: 74 µs); E14's 32×16×64×64 step (2^21) 35.5 µs on OpenBLAS's threads
     * against 42–44 µs split (steady medians over 2 s, one JVM each, 2026-11-30 20:00). (With the common fork-join
     * pool, whose idle workers park at once, E06 split took 130–145 µs and 2^18 was the better threshold.) With other
     * processes running the threaded call loses, and a descheduled OpenBLAS thread costs a time slice: the back-off
     * below catches that.
     */
    static final long THREADED_WORK = Long.getLong("einsum4j.threadedWork", 1L << 21);

    /**
     * A threaded call slower than this many multiply-adds per nanosecond (and longer than {@link #SLOW_NS}) waited on
     * a descheduled thread: one core alone does 70 to 130 (float32 GEMMs of the einsum suite on the 2-core machine),
     * half that in float64; this is a quarter of that in float64, an eighth in float32.
     */
    static final long SLOW_MADDS_PER_NS = 8;
    /** ... and longer than this: a scheduler time slice is milliseconds, a normal threaded call's jitter far less. */
    static final long SLOW_NS = 200_000;
    /** How long lone GEMMs stay off OpenBLAS's threads after a slow threaded call: short, the load comes and goes. */
    static final long BACK_OFF_NS = 100_000_000L;
    /**
     * The share of recent threaded calls that must be slow before the back-off starts. One slow call is no sign of a
     * busy machine: on the quiet 2-core VM about five threaded calls a second took 1–8 ms (E03's 2^22–2^23
     * multiply-add steps, normally 20–40 µs; no GC, no other process), and backing off for every one of them put
     * E03 half of the time on Java threads beside OpenBLAS's still-spinning ones, at 245 µs per call against 130 µs
     * (2026-11-30 20:30). On a busy machine nearly every threaded call is slow, and three in a row reach this share.
     */
    static final double SLOW_SHARE = 0.3;
    /** Weight of the newest call in the running share of slow calls (an exponential average over ~8 calls). */
    private static final double NEWEST = 1.0 / 8;

    /** Until this {@code System.nanoTime()}, lone GEMMs stay off OpenBLAS's threads (threaded calls were slow). */
    private static volatile long backOffUntil;
    private static volatile boolean backingOff;
    /** Running share of slow threaded calls (read and written only in the synchronized record and reset). */
    private static double slowShare;

    private static final Object LOCK = new Object();
    /** OpenBLAS threads for a lone large GEMM; 1: never; 0: native (OpenBLAS's own setting, never changed). */
    private static int threads = 1;
    private static boolean settable = true;

    private BlasThreads() {
    }

    static void configure() {
        String p = System.getProperty("einsum4j.blasThreads", "").trim();
        if (p.equalsIgnoreCase("native")) {
            threads = 0;
            return;
        }
        int n;
        if (p.isEmpty()) {
            n = Parallel.threads();
        } else {
            try {
                n = Integer.parseInt(p);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("einsum4j.blasThreads must be a positive integer or 'native', was '"
                        + p + "'");
            }
            if (n < 1) {
                throw new IllegalArgumentException("einsum4j.blasThreads must be positive, was " + n);
            }
        }
        threads = n;
        settable = set(1);
        if (!settable) {
            threads = 0;
        }
    }

    /** Whether a GEMM of {@code calls} BLAS calls and {@code work} multiply-adds in all goes to OpenBLAS's threads. */
    static boolean useBlasThreads(long calls, long work) {
        return threads > 1 && calls < Parallel.threads() && work >= THREADED_WORK
                && (!backingOff || System.nanoTime() - backOffUntil >= 0);
    }

    /** Whether OpenBLAS keeps its own thread setting for every call (no Java-side split of a single GEMM needed). */
    static boolean nativeThreads() {
        return threads == 0;
    }

    /**
     * Runs {@code calls} (BLAS calls on this thread, {@code work} multiply-adds in all) with OpenBLAS on its threads,
     * then back to one. One such section at a time: two large GEMMs from two Java threads take turns rather than
     * oversubscribe the cores. A slow section starts the back-off (see the class comment).
     */
    static void threaded(Runnable calls, long work) {
        synchronized (LOCK) {
            Parallel.quiet(true);
            set(threads);
            long t0 = System.nanoTime();
            try {
                calls.run();
            } finally {
                set(1);
                Parallel.quiet(false);
            }
            record(System.nanoTime() - t0, work);
        }
    }

    /**
     * Notes a threaded call of {@code work} multiply-adds that took {@code took} ns: when the running share of slow
     * calls reaches {@link #SLOW_SHARE}, a slow one starts the back-off.
     */
    static synchronized void record(long took, long work) {
        boolean slow = took > SLOW_NS && took > work / SLOW_MADDS_PER_NS;
        slowShare = slowShare * (1 - NEWEST) + (slow ? NEWEST : 0);
        boolean backOff = slow && slowShare >= SLOW_SHARE;
        if (backOff) {
            backOffUntil = System.nanoTime() + BACK_OFF_NS;
        }
        backingOff = backOff;
    }

    /** Forgets every threaded call recorded so far (tests). */
    static synchronized void reset() {
        slowShare = 0;
        backingOff = false;
    }

    /** Whether lone GEMMs are off OpenBLAS's threads now, after a slow threaded call (tests, reports). */
    static boolean backingOff() {
        return backingOff && System.nanoTime() - backOffUntil < 0;
    }

    /**
     * openblas_set_num_threads is only bound in the openblas_full preset class; it sets the one shared library. If
     * that class cannot load, OpenBLAS keeps its own thread count: slower on a busy machine, still correct.
     */
    private static boolean set(int n) {
        try {
            openblas_full.openblas_set_num_threads(n);
            return true;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            System.getLogger(BlasThreads.class.getName()).log(System.Logger.Level.WARNING,
                    "einsum4j: could not set OpenBLAS's thread count (" + e + "); keeping its default");
            return false;
        }
    }
}
