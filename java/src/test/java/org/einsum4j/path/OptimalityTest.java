package org.einsum4j.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum4jException;
import org.einsum4j.spec.Contraction;
import org.junit.jupiter.api.Test;

/**
 * optimal is optimal (checked against every path of small random networks), dp is as good as optimal on
 * connected networks, and no optimizer breaks a memory limit.
 */
class OptimalityTest {
    /** Every built-in optimizer name (aliases included). */
    static final List<String> BUILT_IN = List.of("auto", "auto-hq", "optimal", "branch-all", "branch-2",
            "branch-1", "greedy", "eager", "opportunistic", "random-greedy", "random-greedy-128", "dp",
            "dynamic-programming", "dp-size", "dp-write", "dp-combo", "dp-limit");

    /** A random network: labels on 1–4 operands (often 3+), some in the output, sizes 1–6. */
    static Contraction randomNetwork(Random rnd, int n, boolean connected, boolean noSingles) {
        while (true) {
            int numLabels = n + rnd.nextInt(n + 2);
            List<List<Integer>> ops = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ops.add(new ArrayList<>());
            }
            List<Integer> out = new ArrayList<>();
            long[] sizes = new long[numLabels];
            for (int l = 0; l < numLabels; l++) {
                sizes[l] = 1 + rnd.nextInt(6);
                int k = new int[] {1, 2, 2, 2, 3, 3, 4}[rnd.nextInt(7)];
                if (noSingles && k == 1) {
                    k = 2;
                }
                k = Math.min(k, n);
                List<Integer> perm = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    perm.add(i);
                }
                java.util.Collections.shuffle(perm, rnd);
                for (int q = 0; q < k; q++) {
                    ops.get(perm.get(q)).add(l);
                }
                if (rnd.nextInt(5) == 0) {
                    out.add(l);
                }
            }
            int[][] inputs = new int[n][];
            int[][] shapes = new int[n][];
            for (int i = 0; i < n; i++) {
                inputs[i] = ops.get(i).stream().mapToInt(Integer::intValue).toArray();
                shapes[i] = Arrays.stream(inputs[i]).map(l -> (int) sizes[l]).toArray();
            }
            if (connected && !isConnected(inputs, out)) {
                continue;
            }
            String[] symbols = new String[numLabels];
            for (int l = 0; l < numLabels; l++) {
                symbols[l] = String.valueOf((char) (l < 26 ? 'a' + l : 'A' + l - 26));
            }
            return new Contraction(inputs, out.stream().mapToInt(Integer::intValue).toArray(), sizes, shapes,
                    symbols);
        }
    }

    private static boolean isConnected(int[][] inputs, List<Integer> out) {
        int n = inputs.length;
        boolean[] seen = new boolean[n];
        List<Integer> stack = new ArrayList<>(List.of(0));
        seen[0] = true;
        int count = 1;
        while (!stack.isEmpty()) {
            int j = stack.remove(stack.size() - 1);
            for (int k = 0; k < n; k++) {
                if (!seen[k] && sharesSummed(inputs[j], inputs[k], out)) {
                    seen[k] = true;
                    count++;
                    stack.add(k);
                }
            }
        }
        return count == n;
    }

    private static boolean sharesSummed(int[] a, int[] b, List<Integer> out) {
        for (int x : a) {
            if (!out.contains(x)) {
                for (int y : b) {
                    if (x == y) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    /** The least reported cost over every pairwise path, by brute force on label sets. */
    static BigInteger bruteForceMin(Contraction c) {
        List<Set<Integer>> ops = new ArrayList<>();
        for (int[] in : c.inputs()) {
            Set<Integer> s = new HashSet<>();
            for (int l : in) {
                s.add(l);
            }
            ops.add(s);
        }
        Set<Integer> out = new HashSet<>();
        for (int l : c.output()) {
            out.add(l);
        }
        return enumerate(ops, out, c.sizes());
    }

    private static BigInteger enumerate(List<Set<Integer>> ops, Set<Integer> out, long[] sizes) {
        if (ops.size() == 1) {
            return BigInteger.ZERO;
        }
        BigInteger best = null;
        for (int i = 0; i < ops.size(); i++) {
            for (int j = i + 1; j < ops.size(); j++) {
                Set<Integer> idx = new HashSet<>(ops.get(i));
                idx.addAll(ops.get(j));
                Set<Integer> keep = new HashSet<>(out);
                for (int k = 0; k < ops.size(); k++) {
                    if (k != i && k != j) {
                        keep.addAll(ops.get(k));
                    }
                }
                Set<Integer> result = new HashSet<>(idx);
                result.retainAll(keep);
                BigInteger size = BigInteger.ONE;
                for (int l : idx) {
                    size = size.multiply(BigInteger.valueOf(sizes[l]));
                }
                BigInteger cost = size.multiply(BigInteger.valueOf(result.size() < idx.size() ? 2 : 1));
                List<Set<Integer>> next = new ArrayList<>();
                for (int k = 0; k < ops.size(); k++) {
                    if (k != i && k != j) {
                        next.add(ops.get(k));
                    }
                }
                next.add(result);
                BigInteger total = cost.add(enumerate(next, out, sizes));
                if (best == null || total.compareTo(best) < 0) {
                    best = total;
                }
            }
        }
        return best;
    }

    @Test
    void optimalFindsTheCheapestOfAllPathsOnRandomNetworksUpToSixOperands() {
        Random rnd = new Random(20261126);
        for (int trial = 0; trial < 120; trial++) {
            int n = 3 + trial % 4;
            Contraction c = randomNetwork(rnd, n, false, false);
            BigInteger min = bruteForceMin(c);
            PathInfo info = Planner.plan(c, "optimal", ContractOptions.NO_LIMIT);
            assertEquals(min, info.optCost(), c.toSpecString() + " sizes " + Arrays.toString(c.sizes()));
        }
    }

    @Test
    void optimalFindsTheCheapestOfAllPathsAtSevenOperandsToo() {
        // from 7 operands optimal searches subsets instead of orderings: check it against brute force as well
        Random rnd = new Random(77);
        for (int trial = 0; trial < 3; trial++) {
            Contraction c = randomNetwork(rnd, 7, false, false);
            assertEquals(bruteForceMin(c), Planner.plan(c, "optimal", -1).optCost(), c.toSpecString());
        }
    }

    @Test
    void optimalIsOptimalWhereOptEinsumsCacheFails() {
        // opt_einsum issues #248/#254: its optimal returns 570,425,344; the optimum is 538,968,064
        Contraction c = Nets.bindSizes("bgk,bkd,bk->bgd", "b=64 g=8 k=4096 d=128");
        assertEquals(bruteForceMin(c), Planner.plan(c, "optimal", -1).optCost());
        assertEquals(BigInteger.valueOf(538_968_064L), Planner.plan(c, "optimal", -1).optCost());
        for (String name : List.of("branch-all", "branch-2", "branch-1", "greedy", "dp", "auto", "auto-hq")) {
            assertTrue(Planner.plan(c, name, -1).optCost().compareTo(BigInteger.valueOf(570_425_344L)) < 0, name);
        }
    }

    @Test
    void dpCostEqualsOptimalOnConnectedNetworksUpToNineOperands() {
        Random rnd = new Random(7);
        for (int trial = 0; trial < 60; trial++) {
            int n = 3 + trial % 7;
            // no label on one operand alone: dp sums those first, a step outside optimal's pairwise space
            Contraction c = randomNetwork(rnd, n, true, true);
            BigInteger opt = Planner.plan(c, "optimal", -1).optCost();
            BigInteger dp = Planner.plan(c, "dp", -1).optCost();
            assertEquals(opt, dp, c.toSpecString() + " sizes " + Arrays.toString(c.sizes()));
        }
    }

    @Test
    void noOptimizerBreaksTheMemoryLimit() {
        Random rnd = new Random(11);
        List<String> names = BUILT_IN; // not the registry: other tests register user optimizers there
        for (int trial = 0; trial < 40; trial++) {
            int n = 3 + trial % 6;
            Contraction c = randomNetwork(rnd, n, false, false);
            BigInteger largestInput = BigInteger.ONE;
            for (int i = 0; i < n; i++) {
                largestInput = largestInput.max(Costs.sizeOf(c.input(i), c.sizes()));
            }
            for (long limit : new long[] {1, 8, 40, largestInput.longValueExact(), 1000}) {
                for (String name : names) {
                    List<int[]> direct;
                    try {
                        direct = PathOptimizers.get(name).optimize(c.inputs(), c.output(), c.sizes(), limit);
                    } catch (Einsum4jException e) {
                        assertTrue(name.startsWith("dp") || name.equals("dynamic-programming")
                                || name.startsWith("auto-hq"), name + ": " + e.getMessage());
                        continue; // dp fails clearly when nothing fits
                    }
                    checkLimit(c, direct, limit, name);
                    checkLimit(c, Planner.plan(c, name, limit).path(), limit, name + " (planner)");
                }
            }
        }
    }

    private static void checkLimit(Contraction c, List<int[]> path, long limit, String what) {
        PathInfo info = Planner.plan(c, path);
        List<PathInfo.Step> steps = info.steps();
        for (int k = 0; k < steps.size() - 1; k++) {
            if (steps.get(k).resultSize().compareTo(BigInteger.valueOf(limit)) > 0) {
                fail(what + " limit " + limit + " broken at step " + k + " (" + steps.get(k).einsum() + ", "
                        + steps.get(k).resultSize() + " elements) of " + c.toSpecString());
            }
        }
    }

    @Test
    void maxInputLimitIsTheLargestInputOrOutput() {
        Contraction c = Nets.bindSizes("a,ac,ab,ad,cd,bd,bc->", "a=20 c=20 b=20 d=20");
        assertEquals(400, Planner.resolveMemoryLimit(c, ContractOptions.MAX_INPUT));
        PathInfo info = Planner.plan(c, ContractOptions.defaults().withOptimize("random-greedy")
                .withMemoryLimit("max_input"));
        checkLimit(c, info.path(), 400, "random-greedy");
    }
}
