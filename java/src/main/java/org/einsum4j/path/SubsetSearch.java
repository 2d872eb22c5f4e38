package org.einsum4j.path;

import java.util.List;

/**
 * The exact least-cost contraction tree by dynamic programming over all subsets of operands, outer products
 * included (every split of every subset: 3^n pairs). A step's cost depends only on the two subsets it joins: an
 * intermediate over subset s carries exactly the labels of s that the output or an operand outside s needs. So
 * this finds the same optimum as {@link Optimal}'s depth-first search, without its factorial blow-up over the
 * orderings of independent steps; {@link Optimal} uses it from 7 operands on (no memory limit).
 */
final class SubsetSearch {
    /** Beyond this, 3^n splits take too long (3^16 ≈ 43 M). */
    static final int MAX_OPERANDS = 16;

    private SubsetSearch() {
    }

    static List<int[]> optimize(MaskNetwork net) {
        int n = net.inputs.length;
        int full = (1 << n) - 1;
        long[] union = new long[full + 1];
        for (int s = 1; s <= full; s++) {
            int low = Integer.numberOfTrailingZeros(s);
            union[s] = union[s & (s - 1)] | net.inputs[low];
        }
        long[] legs = new long[full + 1];
        for (int s = 1; s <= full; s++) {
            legs[s] = Integer.bitCount(s) == 1 ? union[s] : union[s] & (net.output | union[full ^ s]);
        }
        long[] cost = new long[full + 1];
        int[] split = new int[full + 1];
        for (int s = 1; s <= full; s++) {
            if (Integer.bitCount(s) == 1) {
                continue;
            }
            int low = s & -s;
            int rest = s ^ low;
            long best = Long.MAX_VALUE;
            int bestSplit = 0;
            // s1 runs over the subsets of s that hold its lowest operand, s1 != s
            for (int sub = (rest - 1) & rest; ; sub = (sub - 1) & rest) {
                int s1 = sub | low;
                int s2 = s ^ s1;
                long c12 = Costs.add(cost[s1], cost[s2]);
                if (c12 < best) {
                    long e = legs[s1] | legs[s2];
                    long c = Costs.add(c12, net.flops(e, (e & ~legs[s]) != 0, 2));
                    if (c < best) {
                        best = c;
                        bestSplit = s1;
                    }
                }
                if (sub == 0) {
                    break;
                }
            }
            cost[s] = best;
            split[s] = bestSplit;
        }
        return Paths.treeToSequence(tree(full, split));
    }

    private static Paths.Tree tree(int s, int[] split) {
        if (Integer.bitCount(s) == 1) {
            return new Paths.Leaf(Integer.numberOfTrailingZeros(s));
        }
        return Paths.Node.of(tree(split[s], split), tree(s ^ split[s], split));
    }
}
