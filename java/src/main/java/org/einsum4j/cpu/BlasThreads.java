package org.einsum4j.cpu;

import org.bytedeco.openblas.global.openblas_full;

/**
 * Sets OpenBLAS's own thread count once, before the first BLAS call. The CPU backend runs every BLAS call
 * single-threaded and spreads the calls (batch entries, row blocks) over the cores itself: OpenBLAS's threads
 * busy-wait for each other and, next to the JVM's own threads, stall for tens of milliseconds on a busy machine
 * (measured on 2 cores: E01 of the einsum suite 139 ms with OpenBLAS threads, 19 ms without).
 *
 * <p>System property {@code einsum4j.blasThreads}: a positive number of OpenBLAS threads (default 1), or
 * {@code native} to leave OpenBLAS's choice (OPENBLAS_NUM_THREADS or all cores) alone.
 */
final class BlasThreads {
    private BlasThreads() {
    }

    static void configure() {
        String p = System.getProperty("einsum4j.blasThreads", "1").trim();
        if (p.equalsIgnoreCase("native")) {
            return;
        }
        int n;
        try {
            n = Integer.parseInt(p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("einsum4j.blasThreads must be a positive integer or 'native', was '" + p + "'");
        }
        if (n < 1) {
            throw new IllegalArgumentException("einsum4j.blasThreads must be positive, was " + n);
        }
        // openblas_set_num_threads is only bound in the openblas_full preset class; it sets the one shared library.
        // If that class cannot load, OpenBLAS keeps its own thread count: slower on a busy machine, still correct.
        try {
            openblas_full.openblas_set_num_threads(n);
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            System.getLogger(BlasThreads.class.getName()).log(System.Logger.Level.WARNING,
                    "einsum4j: could not set OpenBLAS's thread count (" + e + "); keeping its default");
        }
    }
}
