package org.einsum4j.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import org.einsum4j.cli.bench.RandomNetworks;
import org.einsum4j.path.PathOptimizer;
import org.einsum4j.path.PathOptimizers;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Path search time per optimizer on the seeded random networks of {@link RandomNetworks} (6–60 operands).
 * Exhaustive optimizers only run where they finish in reasonable time (see {@link #setup}: larger
 * combinations are refused by throwing, which JMH reports as a failed run, so restrict them with -p as
 * bench/run does).
 *
 * <p>Run: {@code bench/run --suite paths} (JMH with -f 1 -wi 3 -i 5, then numpy and opt_einsum on the same
 * networks).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class PathSearchBenchmark {
    @Param({"6", "8", "10", "12", "16", "30", "60"})
    public int n;

    @Param({"optimal", "branch-2", "greedy", "random-greedy", "dp", "auto", "auto-hq"})
    public String optimizer;

    private int[][] inputs;
    private int[] output;
    private long[] sizes;
    private PathOptimizer opt;

    @Setup
    public void setup() {
        boolean exhaustive = optimizer.equals("optimal") || optimizer.startsWith("branch-all");
        if (exhaustive && n > 12) {
            throw new IllegalStateException("skipped: " + optimizer + " at " + n + " operands is factorial");
        }
        if ((optimizer.equals("dp") || optimizer.equals("branch-2")) && n > 16) {
            throw new IllegalStateException("skipped: " + optimizer + " at " + n + " operands is exponential");
        }
        RandomNetworks.Network net = RandomNetworks.forSize(n);
        inputs = net.inputs();
        output = net.output();
        sizes = net.sizes();
        opt = PathOptimizers.get(optimizer);
    }

    @Benchmark
    public List<int[]> search() {
        return opt.optimize(inputs, output, sizes, PathOptimizer.NO_LIMIT);
    }
}
