package org.einsum4j.cpu;

import org.bytedeco.openblas.global.openblas_full;

/**
 * Who runs a GEMM step's threads: OpenBLAS or Java, never both at once. A batch of GEMMs (at least as many
 * calls as cores) always runs as single-threaded BLAS calls spread over the cores by {@link Parallel}. A lone large
 * GEMM (fewer calls than cores, at least {@link #THREADED_WORK} multiply-adds) is, by default, split into blocks of
 * C's rows over Java threads too; with {@code einsum4j.blasThreads=N > 1} it runs instead as one BLAS call on N of
 * OpenBLAS's own threads (which share packed panels). The default is Java's split because OpenBLAS's threads
 * busy-wait at each barrier and, when the machine is busy, a barrier costs a scheduler time slice: on the shared
 * 2-core machine (load 17) E05 of the einsum suite took 59.6 ms on two OpenBLAS threads and 5.0 ms split over Java's
 * fork-join pool, whose caller runs a chunk its worker has not started itself; on an idle machine the two are
 * within a few percent (bench/results/einsum_suite_cpu.md).
 *
 * <p>System property {@code einsum4j.blasThreads}: OpenBLAS's threads for a lone large GEMM (default 1: never,
 * Java's row-block split instead); {@code native} leaves OpenBLAS's own choice (OPENBLAS_NUM_THREADS or all cores)
 * alone for every call, batches included. Java's threads: the common fork-join pool's parallelism + 1, capped by
 * the cores ({@code java.util.concurrent.ForkJoinPool.common.parallelism}).
 */
final class BlasThreads {
    /** Multiply-adds from which a lone GEMM goes to OpenBLAS's threads (a 128×128×128 product). */
    static final long THREADED_WORK = 1L << 21;

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
            n = 1;
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
        return threads > 1 && calls < Parallel.threads() && work >= THREADED_WORK;
    }

    /** Whether OpenBLAS keeps its own thread setting for every call (no Java-side split of a single GEMM needed). */
    static boolean nativeThreads() {
        return threads == 0;
    }

    /**
     * Runs {@code calls} (BLAS calls on this thread) with OpenBLAS on its threads, then back to one. One such section
     * at a time: two large GEMMs from two Java threads take turns rather than oversubscribe the cores.
     */
    static void threaded(Runnable calls) {
        synchronized (LOCK) {
            set(threads);
            try {
                calls.run();
            } finally {
                set(1);
            }
        }
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
