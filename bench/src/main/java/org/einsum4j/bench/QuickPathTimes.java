package org.einsum4j.bench;

import java.util.List;
import org.einsum4j.cli.bench.RandomNetworks;
import org.einsum4j.path.PathOptimizer;
import org.einsum4j.path.PathOptimizers;

/**
 * A quick, non-JMH look at path search times and resulting costs (best of a few runs after warm-up), for
 * development: {@code java -cp bench/target/benchmarks.jar org.einsum4j.bench.QuickPathTimes [n...]}.
 */
public final class QuickPathTimes {
    private QuickPathTimes() {
    }

    public static void main(String[] args) {
        int[] ns = args.length == 0 ? RandomNetworks.SIZES
                : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        String[] names = {"optimal", "branch-all", "branch-2", "branch-1", "greedy", "random-greedy",
            "random-greedy-128", "dp", "auto", "auto-hq"};
        for (int n : ns) {
            RandomNetworks.Network net = RandomNetworks.forSize(n);
            for (String name : names) {
                if ((name.equals("optimal") || name.equals("branch-all")) && n > 10) {
                    continue;
                }
                if ((name.equals("dp") || name.equals("branch-2")) && n > 16) {
                    continue;
                }
                PathOptimizer o = PathOptimizers.get(name);
                long best = Long.MAX_VALUE;
                List<int[]> path = null;
                long deadline = System.nanoTime() + 2_000_000_000L;
                try {
                    for (int r = 0; r < 20 && (r < 2 || System.nanoTime() < deadline); r++) {
                        long t0 = System.nanoTime();
                        path = o.optimize(net.inputs(), net.output(), net.sizes(), -1);
                        best = Math.min(best, System.nanoTime() - t0);
                    }
                } catch (RuntimeException e) {
                    System.out.printf("n=%2d %-18s %s%n", n, name, e.getMessage());
                    continue;
                }
                org.einsum4j.spec.Contraction c = new org.einsum4j.spec.Contraction(net.inputs(), net.output(),
                        net.sizes(), net.shapes(), symbols(net.sizes().length));
                var info = org.einsum4j.path.Planner.plan(c, path);
                System.out.printf("n=%2d %-18s %12.3f ms  cost %s%n", n, name, best / 1e6, info.optCost());
            }
        }
    }

    static String[] symbols(int k) {
        String[] s = new String[k];
        for (int i = 0; i < k; i++) {
            s[i] = "L" + i;
        }
        return s;
    }
}
