package org.einsum4j.bench;

import java.util.concurrent.TimeUnit;
import org.einsum4j.Einsum;
import org.einsum4j.cli.bench.EinsumSuite;
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
 * The copy-bandwidth reference for a memory-bound row of the einsum suite, measured in the same run as
 * {@link ContractBenchmark}: {@code Tensor.copy} of a contiguous float32 tensor of half the bytes the row moves
 * (operands read plus result written, CPU shapes), so the copy reads and writes as many bytes as the contraction
 * does. A row at copy bandwidth takes as long as this copy (bench/results/einsum_suite_cpu.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CopyBenchmark {
    /** Suite row ids: the memory-bound rows by default. */
    @Param({"E02", "E07", "E09"})
    public String row;

    private Tensor source;

    @Setup(Level.Trial)
    public void setUp() {
        EinsumSuite.Row r = EinsumSuite.row(row);
        int[][] dims = r.cpuShapes();
        Tensor[] operands = new Tensor[dims.length];
        long moved = 0;
        try {
            for (int k = 0; k < dims.length; k++) {
                operands[k] = Tensor.random(DType.FLOAT32, k, dims[k]);
                moved += operands[k].numel() * 4;
            }
            try (Tensor result = Einsum.contract(r.spec(), operands)) {
                moved += result.numel() * 4;
            }
        } finally {
            for (Tensor t : operands) {
                if (t != null) {
                    t.close();
                }
            }
        }
        source = Tensor.random(DType.FLOAT32, 99, (int) Math.max(1, moved / 8));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        source.close();
    }

    @Benchmark
    public long copySameBytes() {
        try (Tensor c = source.copy()) {
            return c.numel();
        }
    }
}
