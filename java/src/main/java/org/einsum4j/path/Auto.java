package org.einsum4j.path;

import java.util.List;

/**
 * {@code auto} and {@code auto-hq}: a table from the number of inputs to an optimizer, as opt_einsum has it.
 * auto (~1 ms): 1–4 optimal, 5–6 branch-all, 7–8 branch-2, 9–14 branch-1, ≥15 greedy. auto-hq (~1 s): 1–5
 * optimal, 6–16 dp, ≥17 random-greedy-128. Networks with more than 64 label classes (too many for the exhaustive
 * searches' bit masks) go to greedy (auto) or random-greedy-128 (auto-hq), and so does auto-hq when dp finds
 * nothing within a memory limit.
 */
final class Auto implements PathOptimizer {
    private final boolean highQuality;

    Auto(boolean highQuality) {
        this.highQuality = highQuality;
    }

    /** The name of the optimizer auto (or auto-hq) uses for this many inputs. */
    String choose(int n) {
        if (highQuality) {
            if (n <= 5) {
                return "optimal";
            }
            return n <= 16 ? "dp" : "random-greedy-128";
        }
        if (n <= 4) {
            return "optimal";
        }
        if (n <= 6) {
            return "branch-all";
        }
        if (n <= 8) {
            return "branch-2";
        }
        return n <= 14 ? "branch-1" : "greedy";
    }

    @Override
    public List<int[]> optimize(int[][] inputs, int[] output, long[] sizes, long memoryLimit) {
        String name = choose(inputs.length);
        if (!name.contains("greedy") && MaskNetwork.of(inputs, output, sizes) == null) {
            name = highQuality ? "random-greedy-128" : "greedy";
        }
        if (name.equals("dp") && memoryLimit >= 0) {
            try {
                return PathOptimizers.get(name).optimize(inputs, output, sizes, memoryLimit);
            } catch (org.einsum4j.Einsum4jException nothingFits) {
                // dp fails when no tree of pairwise steps fits; random-greedy ends with one all-at-once step
                return PathOptimizers.get("random-greedy-128").optimize(inputs, output, sizes, memoryLimit);
            }
        }
        return PathOptimizers.get(name).optimize(inputs, output, sizes, memoryLimit);
    }
}
