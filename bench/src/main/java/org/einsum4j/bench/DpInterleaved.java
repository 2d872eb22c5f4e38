package org.einsum4j.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.einsum4j.cli.GradsampleWorkload;
import org.einsum4j.cli.bench.LayerSuite;
import org.einsum4j.dp.DpStep;
import org.einsum4j.dp.GaussianNoise;
import org.einsum4j.dp.LayerBatch;
import org.einsum4j.dp.NormMode;
import org.einsum4j.tensor.DType;

/**
 * Ghost against materialized DP steps (as {@link DpStepBenchmark}: σ = 0, C = 1, K-sum) alternated step by step in
 * one JVM, so that the load of a shared machine, which drifts over seconds, hits both modes alike; prints the
 * median and minimum of each and the ratios (of the medians, the median of the per-pair ratios, of the minima).
 * Not JMH: a check of the time ratio on a busy development machine, where separate JMH trials of the two modes
 * run under different loads.
 * {@code java -cp bench/target/benchmarks.jar org.einsum4j.bench.DpInterleaved [row [pairs]]} (default L02 30,
 * after 3 pairs of warm-up).
 */
public final class DpInterleaved {
    private DpInterleaved() {
    }

    public static void main(String[] args) {
        String row = args.length > 0 ? args[0] : "L02";
        int pairs = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        GradsampleWorkload w = LayerSuite.row(row).workload();
        try (GradsampleWorkload.Inputs in = w.inputs(0, DType.FLOAT32)) {
            List<LayerBatch> batch = List.of(new LayerBatch(row, w.layer(), in.activations(), in.backprops()));
            DpStep ghost = step(w, NormMode.GHOST);
            DpStep materialized = step(w, NormMode.MATERIALIZED);
            double[] g = new double[pairs];
            double[] m = new double[pairs];
            double[] ratio = new double[pairs];
            for (int i = -3; i < pairs; i++) {
                double tg = time(ghost, batch);
                double tm = time(materialized, batch);
                if (i >= 0) {
                    g[i] = tg;
                    m[i] = tm;
                    ratio[i] = tm / tg;
                }
            }
            Arrays.sort(g);
            Arrays.sort(m);
            Arrays.sort(ratio);
            System.out.printf(Locale.ROOT, "%s, %d pairs: ghost median %.1f ms (min %.1f), materialized median %.1f ms"
                            + " (min %.1f); materialized/ghost: %.2fx of the medians, %.2fx median of pairs, %.2fx of"
                            + " the minima%n", row, pairs, g[pairs / 2], g[0], m[pairs / 2], m[0],
                    m[pairs / 2] / g[pairs / 2], ratio[pairs / 2], m[0] / g[0]);
        }
    }

    private static DpStep step(GradsampleWorkload w, NormMode mode) {
        return DpStep.builder().maxGradNorm(1.0).noiseMultiplier(0).noise(GaussianNoise.seeded(0))
                .multiplicity(w.k()).normMode(mode).build();
    }

    private static double time(DpStep step, List<LayerBatch> batch) {
        long t0 = System.nanoTime();
        step.run(batch).close();
        return (System.nanoTime() - t0) / 1e6;
    }
}
