package org.einsum4j.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.einsum4j.Einsum;
import org.einsum4j.cli.GradsampleWorkload;
import org.einsum4j.cli.bench.LayerSuite;
import org.einsum4j.dp.DpResult;
import org.einsum4j.dp.DpStep;
import org.einsum4j.dp.GaussianNoise;
import org.einsum4j.dp.LayerBatch;
import org.einsum4j.dp.LinearGhostNorm;
import org.einsum4j.dp.NormMode;
import org.einsum4j.gradsample.GradSamplerRegistry;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.tensor.DType;
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
 * Where a ghost DP step on a Linear layer-suite row spends its time ({@link DpStepBenchmark} times the whole
 * step): the whole step ({@code step}), then its phases through the same public calls the step makes — the NaN/Inf
 * scan of activations and backprops ({@code nanScan}: one sum each), the ghost norms ({@code ghostNorms}: the
 * K×K Gram matrices of weight and the bias norms), the clipped sum ({@code clippedSum}: the clip factors scale a
 * copy of the backprops, one GEMM {@code [o, B·K] × [B·K, i]}, the weighted bias sum) — and, as the floor, a GEMM
 * of the same size on fresh contiguous operands ({@code gemmFloor}, through {@code Einsum.contract}). The step
 * minus the floor is what is not the GEMM. Not part of {@code bench/run}; run it by hand:
 * {@code java -jar bench/target/benchmarks.jar DpPhaseBenchmark -p row=L02 -f 1 -wi 5 -i 10 -w 1 -r 1}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xmx4g"})
public class DpPhaseBenchmark {
    @Param({"L02"})
    public String row;

    private GradsampleWorkload workload;
    private GradsampleWorkload.Inputs inputs;
    private LinearLayer layer;
    private DpStep step;
    private double[] weights;
    private Tensor floorA;
    private Tensor floorB;
    private final LinearGhostNorm ghost = new LinearGhostNorm();

    @Setup(Level.Trial)
    public void setUp() {
        workload = LayerSuite.row(row).workload();
        if (!(workload.layer() instanceof LinearLayer l)) {
            throw new IllegalArgumentException("DpPhaseBenchmark times Linear rows; " + row + " is "
                    + workload.layer().kind());
        }
        layer = l;
        inputs = workload.inputs(0, DType.FLOAT32);
        step = DpStep.builder().maxGradNorm(1.0).noiseMultiplier(0).noise(GaussianNoise.seeded(0))
                .multiplicity(workload.k()).normMode(NormMode.GHOST).build();
        int rows = inputs.activations().get(0).dim(0);
        int positions = (int) (inputs.activations().get(0).numel() / ((long) rows * layer.in()));
        weights = new double[rows / workload.k()];
        for (int n = 0; n < weights.length; n++) {
            weights[n] = 0.5 + 0.5 * n / weights.length; // a clip factor per sample, as the step would use
        }
        floorA = Tensor.random(DType.FLOAT32, 1, layer.out(), rows * positions);
        floorB = Tensor.random(DType.FLOAT32, 2, rows * positions, layer.in());
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        inputs.close();
        floorA.close();
        floorB.close();
    }

    @Benchmark
    public double step() {
        try (DpResult r = step.run(List.of(new LayerBatch(row, layer, inputs.activations(), inputs.backprops())))) {
            return r.norms().flat()[0];
        }
    }

    @Benchmark
    public double nanScan() {
        double s = 0;
        for (Tensor t : List.of(inputs.activations().get(0), inputs.backprops().get(0))) {
            char[] labels = new char[t.rank()];
            for (int i = 0; i < labels.length; i++) {
                labels[i] = (char) ('a' + i);
            }
            try (Tensor sum = Einsum.contract(new String(labels) + "->", t)) {
                s += sum.toDoubleArray()[0];
            }
        }
        return s;
    }

    @Benchmark
    public double ghostNorms() {
        Map<String, double[]> sq = ghost.squaredNorms(layer, inputs.activations(), inputs.backprops(), workload.k(),
                KReduction.SUM);
        return sq.get("weight")[0];
    }

    @Benchmark
    public long clippedSum() {
        Map<String, Tensor> r = ghost.weightedSum(layer, inputs.activations(), inputs.backprops(), workload.k(),
                weights, GradSamplerRegistry.global());
        long n = 0;
        for (Tensor t : r.values()) {
            n += t.numel();
            t.close();
        }
        return n;
    }

    @Benchmark
    public long gemmFloor() {
        try (Tensor c = Einsum.contract("oj,ji->oi", floorA, floorB)) {
            return Arrays.stream(c.dims()).sum();
        }
    }
}
