package org.einsum4j.path;

import java.util.ArrayList;
import java.util.List;
import org.einsum4j.Einsum4jException;

/** Helpers shared by the optimizers: trivial paths, the all-remaining fallback, path evaluation. */
final class Searches {
    private Searches() {
    }

    /** One step contracting all n operands ({@code [(0, …, n−1)]}); empty for n = 0. */
    static List<int[]> allAtOnce(int n) {
        List<int[]> p = new ArrayList<>();
        if (n > 0) {
            int[] s = new int[n];
            for (int i = 0; i < n; i++) {
                s[i] = i;
            }
            p.add(s);
        }
        return p;
    }

    static Einsum4jException tooManyLabels(String name) {
        return new Einsum4jException(name + ": the network has more than 64 classes of labels (labels on distinct "
                + "sets of operands); use greedy, random-greedy or auto for networks this large");
    }

    /** flop_count of contracting all of {@code rem} at once (the memory-limit fallback). */
    static long oversizeFlops(MaskNetwork net, long[] masks, int[] rem, int r) {
        long all = 0;
        for (int q = 0; q < r; q++) {
            all |= masks[rem[q]];
        }
        return net.flops(all, (all & ~net.output) != 0, r);
    }

    /**
     * An upper bound on the optimal cost for exhaustive searches to prune with from the start: the cheaper of
     * greedy's and dp's paths (dp is fast up to ~16 operands and usually optimal already); MAX when a memory
     * limit applies (the searches' limit semantics differ from these paths').
     */
    static long upperBound(int[][] inputs, int[] output, long[] sizes, long memoryLimit) {
        if (memoryLimit >= 0) {
            return Long.MAX_VALUE;
        }
        List<int[]> p = Paths.ssaToLinear(Greedy.ssaGreedy(inputs, output, sizes, null, -1));
        long bound = evaluate(inputs, output, sizes, p, -1).flops();
        if (inputs.length <= 16) {
            try {
                List<int[]> d = new DynamicProgramming("flops").optimize(inputs, output, sizes, -1);
                // only a pairwise path is in the exhaustive searches' space (dp may sum a label alone first)
                if (d.stream().allMatch(step -> step.length == 2)) {
                    bound = Math.min(bound, evaluate(inputs, output, sizes, d, -1).flops());
                }
            } catch (RuntimeException tooLarge) {
                // more label classes than dp's masks hold: greedy's bound it is
            }
        }
        return bound;
    }

    /** A path with its saturating flop count and largest result (every step's, the last included). */
    record Evaluated(List<int[]> path, long flops, long maxSize) {
    }

    /**
     * Evaluates a linear path. With a limit ({@code memoryLimit >= 0}), the first step whose result is not the
     * final one and exceeds the limit is replaced, with everything after it, by one contraction of all operands
     * then remaining — so that no intermediate breaks the limit.
     */
    static Evaluated evaluate(int[][] inputs, int[] output, long[] sizes, List<int[]> path, long memoryLimit) {
        int words = Math.max(1, (sizes.length + 63) >>> 6);
        List<LabelSet> cur = new ArrayList<>();
        for (int[] in : inputs) {
            cur.add(LabelSet.of(in, words));
        }
        LabelSet out = LabelSet.of(output, words);
        List<int[]> kept = new ArrayList<>();
        long flops = 0;
        long maxSize = 0;
        for (int k = 0; k < path.size(); k++) {
            int[] step = path.get(k).clone();
            java.util.Arrays.sort(step);
            Result r = contract(cur, out, step, sizes);
            boolean last = k == path.size() - 1;
            if (memoryLimit >= 0 && !last && r.size > memoryLimit && cur.size() > step.length) {
                int[] all = new int[cur.size()];
                for (int q = 0; q < all.length; q++) {
                    all[q] = q;
                }
                Result ra = contract(cur, out, all, sizes);
                kept.add(all);
                return new Evaluated(kept, Costs.add(flops, ra.flops), Math.max(maxSize, ra.size));
            }
            kept.add(path.get(k));
            flops = Costs.add(flops, r.flops);
            maxSize = Math.max(maxSize, r.size);
            for (int q = step.length - 1; q >= 0; q--) {
                cur.remove(step[q]);
            }
            cur.add(r.labels);
        }
        return new Evaluated(kept, flops, maxSize);
    }

    private record Result(LabelSet labels, long flops, long size) {
    }

    private static Result contract(List<LabelSet> cur, LabelSet out, int[] sortedPositions, long[] sizes) {
        LabelSet idx = null;
        LabelSet keep = out;
        int p = 0;
        for (int q = 0; q < cur.size(); q++) {
            if (p < sortedPositions.length && sortedPositions[p] == q) {
                idx = idx == null ? cur.get(q) : idx.or(cur.get(q));
                p++;
            } else {
                keep = keep.or(cur.get(q));
            }
        }
        LabelSet result = idx.and(keep);
        boolean removed = !idx.andNot(result).isEmpty();
        long flops = Costs.mul(idx.size(sizes), Costs.opFactor(removed, sortedPositions.length));
        return new Result(result, flops, result.size(sizes));
    }
}
