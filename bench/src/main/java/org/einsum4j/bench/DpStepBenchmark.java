package org.einsum4j.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.einsum4j.cli.GradsampleWorkload;
import org.einsum4j.cli.bench.LayerSuite;
import org.einsum4j.dp.DpResult;
import org.einsum4j.dp.DpStep;
import org.einsum4j.dp.GaussianNoise;
import org.einsum4j.dp.LayerBatch;
import org.einsum4j.dp.NormMode;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;
import org.einsum4j.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One DP step ({@code DpStep.run}: per-sample norms, clip factors, the clipped sum, the noised result) per op on
 * layer-suite rows L01, L02, L03, L07, L10, with ghost norms or with materialized per-sample gradients, seeded
 * random float32 inputs (the workloads of {@code einsum4j gradsample}). σ = 0 so that both modes pay the same
 * parameter-sized host pass for the noise and no random draws (secure noise costs ~0.5 µs per coordinate on top,
 * see GaussianNoise). Reports the time per step and, printed at the end of each trial, the peak extra native
 * memory a step held (everything but the inputs), from {@link HostAllocator}'s live/peak counters. Quick run:
 * {@code -f 1 -wi 2 -i 3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class DpStepBenchmark {
    @Param({"L01", "L02", "L03", "L07", "L10"})
    public String row;

    @Param({"GHOST", "MATERIALIZED"})
    public String mode;

    private GradsampleWorkload workload;
    private GradsampleWorkload.Inputs inputs;
    private DpStep step;

    /** The largest extra native bytes any step of this trial held at once. */
    private long peakExtraBytes;

    @Setup(Level.Trial)
    public void setUp() {
        workload = LayerSuite.row(row).workload();
        inputs = workload.inputs(0, DType.FLOAT32);
        step = DpStep.builder().maxGradNorm(1.0).noiseMultiplier(0).noise(GaussianNoise.seeded(0))
                .multiplicity(workload.k()).normMode(NormMode.valueOf(mode)).build();
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        inputs.close();
        // parameters in JMH's (alphabetical) order, as bench/compare/suite.py keys the rows
        System.out.printf(java.util.Locale.ROOT, "%n# extra MiB per step (peak) mode=%s row=%s: %.1f%n", mode, row,
                peakExtraBytes / 1048576.0);
    }

    @Benchmark
    public double step() {
        long base = HostAllocator.resetPeak();
        double s = 0;
        try (DpResult r = step.run(List.of(new LayerBatch(row, workload.layer(), inputs.activations(),
                inputs.backprops())))) {
            for (double n : r.norms().flat()) {
                s += n;
            }
            for (Tensor t : r.gradients().values()) {
                s += t.numel();
            }
        }
        peakExtraBytes = Math.max(peakExtraBytes, HostAllocator.peakBytes() - base);
        return s;
    }
}
