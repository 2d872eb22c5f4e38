package org.einsum4j.path;

import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * {@code random-greedy} (32 trials) and {@code random-greedy-128}: {@link Greedy} with a jittered cost
 * (×N(1, 0.01)) and a Boltzmann choice among the best 8 candidates (temperature 1, relative to |c_min|). Trial 0
 * is plain greedy; trial r ≥ 1 is seeded by r, so results are deterministic; trials run in parallel and the best
 * (flops, then largest intermediate, then trial number) wins.
 *
 * <p>Unlike opt_einsum's, it honours the memory limit: a trial never takes a candidate whose result exceeds it,
 * and a trial that would still break it (an oversize outer product or merge) ends with one contraction of all
 * that remains.
 */
final class RandomGreedy implements PathOptimizer {
    private final int trials;

    RandomGreedy(int trials) {
        if (trials < 1) {
            throw new IllegalArgumentException("trials must be >= 1, was " + trials);
        }
        this.trials = trials;
    }

    private record Trial(int r, Searches.Evaluated eval) {
    }

    @Override
    public List<int[]> optimize(int[][] inputs, int[] output, long[] sizes, long memoryLimit) {
        if (inputs.length <= 2) {
            return Searches.allAtOnce(inputs.length);
        }
        IntStream rs = IntStream.range(0, trials);
        if (trials > 1 && inputs.length > 8) {
            rs = rs.parallel(); // tiny networks: a thread hand-off costs more than the trials
        }
        Trial best = rs.mapToObj(r -> {
            List<int[]> ssa = Greedy.ssaGreedy(inputs, output, sizes, r == 0 ? null : new Random(r), memoryLimit);
            return new Trial(r, Searches.evaluate(inputs, output, sizes, Paths.ssaToLinear(ssa), memoryLimit));
        }).reduce((a, b) -> better(b, a) ? b : a).orElseThrow();
        return best.eval().path();
    }

    private static boolean better(Trial a, Trial b) {
        if (a.eval().flops() != b.eval().flops()) {
            return a.eval().flops() < b.eval().flops();
        }
        if (a.eval().maxSize() != b.eval().maxSize()) {
            return a.eval().maxSize() < b.eval().maxSize();
        }
        return a.r() < b.r();
    }
}
