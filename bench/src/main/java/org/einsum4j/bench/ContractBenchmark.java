package org.einsum4j.bench;

import java.util.concurrent.TimeUnit;
import org.einsum4j.Backend;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum;
import org.einsum4j.cli.bench.EinsumSuite;
import org.einsum4j.cuda.Cuda;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
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
 * as a user sees it (expression cache lookup, execution, allocating and freeing the result). Compared with
 * numpy and opt_einsum by {@code bench/run --suite einsum}, which runs both. Any row runs with
 * {@code -p row=E01,E03}; {@code -p scale=0.5} halves the leading dimension (the size sweep of E01 and E02).
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

    /** Leading-dimension factor for the size sweep of E01/E02 (bench/run): 1 is the suite's shape. */
    @Param({"1"})
    public double scale;

    /** Backend name (ContractOptions.withBackend): cpu, or cuda on a machine with a GPU. */
    @Param({"cpu"})
    public String backend;

    /** Which shapes of the row: cpu (this machine's), or gpu (the GPU machine's larger ones). */
    @Param({"cpu"})
    public String shapes;

    private ContractOptions options;

    private String spec;
    private Tensor[] operands;
    private Device device;

    @Setup(Level.Trial)
    public void setUp() {
        EinsumSuite.Row r = EinsumSuite.row(row);
        spec = r.spec();
        DType dt = DType.parse(dtype);
        options = ContractOptions.defaults().withBackend(backend);
        int[][] dims;
        if (shapes.equals("gpu")) {
            dims = r.gpuShapes();
        } else {
            dims = scale == 1 ? r.cpuShapes() : r.scaledCpuShapes(scale);
        }
        device = Backend.named(backend).device();
        operands = new Tensor[dims.length];
        for (int k = 0; k < dims.length; k++) {
            operands[k] = Tensor.random(dt, k, dims[k]);
            if (!device.isHost()) {
                // a contraction runs where its operands live: put them on the GPU once, outside the timing
                try (Tensor host = operands[k]) {
                    operands[k] = host.to(device);
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        for (Tensor t : operands) {
            t.close();
        }
    }

    @Benchmark
    public long contract() {
        try (Tensor result = Einsum.contract(spec, options, operands)) {
            if (!device.isHost()) {
                // GPU work is asynchronous: wait for it, or only the launches are timed
                Cuda.synchronize(device);
            }
            return result.numel();
        }
    }
}
