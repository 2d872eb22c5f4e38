package org.einsum4j.bench.report;

import java.util.Locale;
import org.bytedeco.openblas.global.openblas_full;
import org.einsum4j.Einsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * Prints einsum4j's side of a benchmark run's environment as one JSON object for bench/run: the Java runtime,
 * OpenBLAS's build and detected core, and the thread counts (einsum4j's worker threads, OpenBLAS's), read after one
 * contraction so the backend has configured OpenBLAS as it does in the benchmarks.
 */
public final class JavaEnv {
    private JavaEnv() {
    }

    public static void main(String[] args) {
        try (Tensor a = Tensor.random(DType.FLOAT32, 0, 8, 8); Tensor r = Einsum.contract("ij,jk->ik", a, a)) {
            r.numel();
        }
        String config = openblas_full.openblas_get_config().getString().trim();
        String core = openblas_full.openblas_get_corename().getString().trim();
        int blasThreads = openblas_full.openblas_get_num_threads();
        int workers = Math.max(1, Math.min(java.util.concurrent.ForkJoinPool.getCommonPoolParallelism() + 1,
                Runtime.getRuntime().availableProcessors()));
        System.out.printf(Locale.ROOT, "{\"java\": \"%s\", \"jvm\": \"%s\", \"openblas\": \"%s\", \"openblas_core\": "
                        + "\"%s\", \"einsum4j_threads\": %d, \"openblas_threads\": %d}%n",
                esc(System.getProperty("java.runtime.version")), esc(System.getProperty("java.vm.name")), esc(config),
                esc(core), workers, blasThreads);
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
