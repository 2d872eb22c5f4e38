package org.einsum4j.path;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code optimal}: depth-first search over every pairwise contraction, outer products included, pruning a branch
 * once its running cost reaches the best complete path (ALGORITHMS.md §2). Factorial in the number of operands.
 *
 * <p>Unlike opt_einsum's, nothing is cached by the two input label sets (its issues #248/#254): a pair's result
 * depends on which other operands remain when a label sits on three or more of them, so here every candidate's
 * kept labels are computed from the current state (label reference counts over the remaining operands, as bit
 * masks), which makes the result truly optimal. Candidates are tried in opt_einsum's order (pairs of remaining
 * SSA ids in CPython's set order, {@link PySetOrder}), and the first complete path of least cost wins, as in
 * opt_einsum.
 *
 * <p>From 7 to 16 operands without a memory limit, the same optimum comes from {@link SubsetSearch} (3^n subset
 * pairs instead of a factorial number of orderings); the path may then differ from opt_einsum's among paths of
 * equal cost.
 */
final class Optimal implements PathOptimizer {
    @Override
    public List<int[]> optimize(int[][] inputs, int[] output, long[] sizes, long memoryLimit) {
        int n = inputs.length;
        if (n <= 2) {
            return Searches.allAtOnce(n);
        }
        MaskNetwork net = MaskNetwork.of(inputs, output, sizes);
        if (net == null) {
            throw Searches.tooManyLabels("optimal");
        }
        if (memoryLimit < 0 && n >= 7) {
            SearchBudget.checkOperands("optimal", n, SearchBudget.SUBSET_MAX_OPERANDS);
            return SubsetSearch.optimize(net);
        }
        SearchBudget.checkOperands("optimal (with a memory limit)", n, SearchBudget.DEPTH_FIRST_MAX_OPERANDS);
        long bound = Searches.upperBound(inputs, output, sizes, memoryLimit);
        Search s = new Search(net, memoryLimit, bound);
        List<int[]> p = s.run();
        if (!s.found && bound != Long.MAX_VALUE) {
            // cannot happen with a bound from a path in this search's space; kept as a guard
            p = new Search(net, memoryLimit, Long.MAX_VALUE).run();
        }
        return p;
    }

    private static final class Search {
        final MaskNetwork net;
        final long limit;
        final long[] masks;
        final int n;
        long best;
        boolean found;
        int[][] bestPath;
        final int[][] stack;
        final SearchBudget.Clock clock = SearchBudget.clock("optimal");

        Search(MaskNetwork net, long limit, long upperBound) {
            this.net = net;
            this.limit = limit;
            this.n = net.inputs.length;
            this.masks = new long[2 * n];
            System.arraycopy(net.inputs, 0, masks, 0, n);
            // Seeding with a known path's cost + 1 prunes from the start yet still finds the first least-cost path
            // in search order: that path's prefixes all cost less than the seed.
            this.best = upperBound == Long.MAX_VALUE ? Long.MAX_VALUE : upperBound + 1;
            this.stack = new int[n][];
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            this.bestPath = new int[][] {all};
        }

        List<int[]> run() {
            iterate(PySetOrder.range(n), 0L, 0, n);
            List<int[]> ssa = new ArrayList<>(bestPath.length);
            for (int[] s : bestPath) {
                ssa.add(s);
            }
            return Paths.ssaToLinear(ssa);
        }

        private void iterate(PySetOrder set, long flops, int depth, int nextId) {
            if (clock != null) {
                clock.tick();
            }
            int[] rem = set.order();
            int r = rem.length;
            if (r == 1) {
                found = true;
                best = flops;
                bestPath = java.util.Arrays.copyOf(stack, depth);
                return;
            }
            long a1 = 0;
            long a2 = 0;
            long a3 = 0;
            for (int q = 0; q < r; q++) {
                long m = masks[rem[q]];
                a3 |= a2 & m;
                a2 |= a1 & m;
                a1 |= m;
            }
            final long out = net.output;
            for (int x = 0; x < r - 1; x++) {
                for (int y = x + 1; y < r; y++) {
                    // pairs in the order of opt_einsum's itertools.combinations over its set, smaller id first
                    int i = Math.min(rem[x], rem[y]);
                    int j = Math.max(rem[x], rem[y]);
                    long li = masks[i];
                    long lj = masks[j];
                    long either = li | lj;
                    long shared = li & lj;
                    long k12 = either & (out | (shared & a3) | ((li ^ lj) & a2));
                    // inner when any label is summed away, as PathInfo reports it (opt_einsum's search looks
                    // at shared labels only, which differs when a label sits on one operand alone)
                    long flops12 = net.flops(either, (either & ~k12) != 0, 2);
                    long newFlops = Costs.add(flops, flops12);
                    if (newFlops >= best) {
                        continue;
                    }
                    if (limit >= 0 && net.size(k12) > limit) {
                        long all = Costs.add(flops, Searches.oversizeFlops(net, masks, rem, r));
                        if (all < best) {
                            found = true;
                            best = all;
                            int[][] p = java.util.Arrays.copyOf(stack, depth + 1);
                            p[depth] = java.util.Arrays.copyOf(rem, r);
                            bestPath = p;
                        }
                        continue;
                    }
                    masks[nextId] = k12;
                    stack[depth] = new int[] {i, j};
                    iterate(set.minusPairPlus(i, j, nextId), newFlops, depth + 1, nextId + 1);
                }
            }
        }
    }
}
