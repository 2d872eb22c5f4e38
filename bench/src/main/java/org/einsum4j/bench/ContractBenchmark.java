package org.einsum4j.bench;

import java.util.concurrent.TimeUnit;
import org.einsum4j.Einsum;
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
 * {@code Einsum.contract} on rows of the einsum suite with their CPU shapes, float32 by default: the time per call
 * as a user sees it (expression cache lookup, execution, allocating and freeing the result). Compare with
 * bench/compare/numpy_einsum.py on the same machine. Any row runs with {@code -p row=E01,E03}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ContractBenchmark {
    /** Suite row ids: E02 (batched outer products, memory-bound) and E04 (batched matmul) by default. */
    @Param({"E02", "E04"})
    public String row;

    @Param({"f32"})
    public String dtype;

    private String spec;
    private Tensor[] operands;
    private Tensor copySource;

    @Setup(Level.Trial)
    public void setUp() {
        EinsumSuite.Row r = EinsumSuite.row(row);
        spec = r.spec();
        DType dt = DType.parse(dtype);
        int[][] shapes = r.cpuShapes();
        operands = new Tensor[shapes.length];
        for (int k = 0; k < shapes.length; k++) {
            operands[k] = Tensor.random(dt, k, shapes[k]);
        }
        long moved;
        try (Tensor result = Einsum.contract(spec, operands)) {
            moved = result.numel() * dt.byteSize();
        }
        for (Tensor t : operands) {
            moved += t.numel() * dt.byteSize();
        }
        copySource = Tensor.random(DType.FLOAT32, 99, (int) Math.max(1, moved / 8));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : operands) {
            t.close();
        }
        copySource.close();
    }

    /**
     * The copy-bandwidth reference for the same row in the same run: {@code Tensor.copy} of a contiguous tensor of
     * half the bytes the row moves (operands read plus result written), so the copy moves (reads plus writes) the
     * same bytes as the contraction. A memory-bound row (E02, E07, E09) is at copy bandwidth when its time equals
     * this one's (bench/results/einsum_suite_cpu.md).
     */
    @Benchmark
    public long copySameBytes() {
        try (Tensor c = copySource.copy()) {
            return c.numel();
        }
    }

    @Benchmark
    public long contract() {
        try (Tensor result = Einsum.contract(spec, operands)) {
            return result.numel();
        }
    }
}
