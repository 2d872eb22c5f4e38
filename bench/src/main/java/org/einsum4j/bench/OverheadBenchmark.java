package org.einsum4j.bench;

import java.util.concurrent.TimeUnit;
import org.einsum4j.ContractExpression;
import org.einsum4j.ContractOptions;
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
 * Per-call overhead on calls whose work is tiny (issue 9): {@code ii->i} on 2048×2048 (a strided copy of 2048
 * elements) and {@code ij,j->i} on 8×8 (64 multiply-adds), float32, through a compiled {@code ContractExpression}
 * and through {@code Einsum.contract} (adds the expression-cache lookup). What remains above the work is the
 * library's own cost per call: validation, plan lookup, views, allocating and freeing the result.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class OverheadBenchmark {
    /** {@code diag}: ii->i on 2048×2048; {@code gemv}: ij,j->i on 8×8. */
    @Param({"diag", "gemv"})
    public String row;

    private String spec;
    private Tensor[] operands;
    private ContractExpression expression;

    @Setup(Level.Trial)
    public void setUp() {
        int[][] shapes;
        if (row.equals("diag")) {
            spec = "ii->i";
            shapes = new int[][] {{2048, 2048}};
        } else if (row.equals("gemv")) {
            spec = "ij,j->i";
            shapes = new int[][] {{8, 8}, {8}};
        } else {
            throw new IllegalArgumentException("row must be diag or gemv, not " + row);
        }
        operands = new Tensor[shapes.length];
        for (int k = 0; k < shapes.length; k++) {
            operands[k] = Tensor.random(DType.FLOAT32, k, shapes[k]);
        }
        expression = Einsum.expression(spec, ContractOptions.defaults(), DType.FLOAT32, shapes);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : operands) {
            t.close();
        }
    }

    @Benchmark
    public long expression() {
        try (Tensor result = expression.contract(operands)) {
            return result.numel();
        }
    }

    @Benchmark
    public long contract() {
        try (Tensor result = Einsum.contract(spec, operands)) {
            return result.numel();
        }
    }
}
