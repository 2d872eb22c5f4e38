package org.einsum4j.bench;

import java.util.concurrent.TimeUnit;
import org.einsum4j.cli.GradsampleWorkload;
import org.einsum4j.cli.bench.LayerSuite;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;
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
 * One grad-sampler call ({@code GradSampler.compute}, K-sum) per op on every row of the layer suite
 * (layer_suite.tsv; {@code L07s} is L07's sparse Embedding form), seeded random float32 inputs, the same workloads
 * as {@code einsum4j gradsample ... --json}. Reports the time per call and, as the auxiliary counter
 * {@code extraMiB}, the peak extra native memory a call held (results and temporaries; inputs excluded), read from
 * {@link HostAllocator}'s live/peak counters. Quick run: {@code -f 1 -wi 2 -i 3}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class GradSampleBenchmark {
    @Param({"L01", "L02", "L03", "L04", "L05", "L06", "L07", "L07s", "L08", "L09", "L10"})
    public String row;

    private GradsampleWorkload workload;
    private GradsampleWorkload.Inputs inputs;

    /** The largest extra native bytes any call of this trial held at once. */
    private long peakExtraBytes;

    @Setup(Level.Trial)
    public void setUp() {
        workload = LayerSuite.row(row).workload();
        inputs = workload.inputs(0, DType.FLOAT32);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        inputs.close();
        System.out.printf(java.util.Locale.ROOT, "%n# extra MiB per call (peak) row=%s: %.1f%n", row,
                peakExtraBytes / 1048576.0);
    }

    @Benchmark
    public long compute() {
        long base = HostAllocator.resetPeak();
        long n = workload.runOnce(inputs, KReduction.SUM);
        peakExtraBytes = Math.max(peakExtraBytes, HostAllocator.peakBytes() - base);
        return n;
    }
}
