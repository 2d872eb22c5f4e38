package org.einsum4j.path;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;

/**
 * {@code branch-all}, {@code branch-2}, {@code branch-1}: the {@link Optimal} search, but at each step only the
 * best {@code nbranch} candidates are expanded, ranked by {@code size(result) − size(Li) − size(Lj)} then cost;
 * outer products only when nothing else remains; a branch is cut once its cost exceeds 4× the best cost seen at
 * the same depth (opt_einsum's BranchBound). As in {@link Optimal}, results are never cached by the two input
 * label sets (opt_einsum's cache bug).
 */
final class BranchBound implements PathOptimizer {
    private final int nbranch;
    private final long cutoffFactor;
    private final boolean minimizeSize;

    /** @param nbranch candidates expanded per step; 0 for all */
    BranchBound(int nbranch) {
        this(nbranch, 4, false);
    }

    BranchBound(int nbranch, long cutoffFactor, boolean minimizeSize) {
        if (nbranch < 0) {
            throw new IllegalArgumentException("nbranch must be >= 1 (or 0 for all), was " + nbranch);
        }
        this.nbranch = nbranch;
        this.cutoffFactor = cutoffFactor;
        this.minimizeSize = minimizeSize;
    }

    @Override
    public List<int[]> optimize(int[][] inputs, int[] output, long[] sizes, long memoryLimit) {
        int n = inputs.length;
        if (n <= 2) {
            return Searches.allAtOnce(n);
        }
        MaskNetwork net = MaskNetwork.of(inputs, output, sizes);
        if (net == null) {
            throw Searches.tooManyLabels(name());
        }
        if (nbranch == 0) {
            SearchBudget.checkOperands("branch-all", n, SearchBudget.DEPTH_FIRST_MAX_OPERANDS);
        }
        return new Search(net, memoryLimit).run();
    }

    private String name() {
        return nbranch == 0 ? "branch-all" : "branch-" + nbranch;
    }

    private record Candidate(long cost, long flops12, long newFlops, long newSize, int i, int j, long k12)
            implements Comparable<Candidate> {
        @Override
        public int compareTo(Candidate o) {
            int c = Long.compare(cost, o.cost);
            if (c == 0) {
                c = Long.compare(flops12, o.flops12);
            }
            if (c == 0) {
                c = Long.compare(newFlops, o.newFlops);
            }
            if (c == 0) {
                c = Long.compare(newSize, o.newSize);
            }
            if (c == 0) {
                c = Integer.compare(i, o.i);
            }
            if (c == 0) {
                c = Integer.compare(j, o.j);
            }
            return c;
        }
    }

    private final class Search {
        final MaskNetwork net;
        final long limit;
        final long[] masks;
        final long[] maskSizes;
        final long[] bestProgress;
        final int n;
        long bestFlops = Long.MAX_VALUE;
        long bestSize = Long.MAX_VALUE;
        boolean found;
        int[][] bestPath;
        final int[][] stack;
        final SearchBudget.Clock clock = SearchBudget.clock(name());

        Search(MaskNetwork net, long limit) {
            this.net = net;
            this.limit = limit;
            this.n = net.inputs.length;
            this.masks = new long[2 * n];
            this.maskSizes = new long[2 * n];
            System.arraycopy(net.inputs, 0, masks, 0, n);
            for (int i = 0; i < n; i++) {
                maskSizes[i] = net.size(masks[i]);
            }
            this.bestProgress = new long[2 * n + 1];
            Arrays.fill(bestProgress, Long.MAX_VALUE);
            this.stack = new int[n][];
            int[] all = new int[n];
            for (int i = 0; i < n; i++) {
                all[i] = i;
            }
            this.bestPath = new int[][] {all};
        }

        List<int[]> run() {
            iterate(PySetOrder.range(n), 0, 0, 0, n);
            return Paths.ssaToLinear(new ArrayList<>(Arrays.asList(bestPath)));
        }

        private boolean better(long flops, long size) {
            if (!found && bestFlops == Long.MAX_VALUE && bestSize == Long.MAX_VALUE) {
                return true;
            }
            if (minimizeSize) {
                return size < bestSize || (size == bestSize && flops < bestFlops);
            }
            return flops < bestFlops || (flops == bestFlops && size < bestSize);
        }

        private void iterate(PySetOrder set, long flops, long size, int depth, int nextId) {
            if (clock != null) {
                clock.tick();
            }
            int[] rem = set.order();
            int r = rem.length;
            if (r == 1) {
                found = true;
                bestSize = size;
                bestFlops = flops;
                bestPath = Arrays.copyOf(stack, depth);
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
            PriorityQueue<Candidate> candidates = new PriorityQueue<>();
            for (int pass = 0; pass < 2 && candidates.isEmpty(); pass++) {
                for (int x = 0; x < r - 1; x++) {
                    for (int y = x + 1; y < r; y++) {
                        // opt_einsum's itertools.combinations over its set (CPython order), smaller id first
                        int i = Math.min(rem[x], rem[y]);
                        int j = Math.max(rem[x], rem[y]);
                        if (pass == 0 && (masks[i] & masks[j]) == 0) {
                            continue; // outer products only when nothing else remains
                        }
                        Candidate c = assess(rem, r, flops, size, i, j, a2, a3, nextId);
                        if (c != null) {
                            candidates.add(c);
                        }
                    }
                }
            }
            int bi = 0;
            while ((nbranch == 0 || bi < nbranch) && !candidates.isEmpty()) {
                Candidate c = candidates.poll();
                masks[nextId] = c.k12;
                maskSizes[nextId] = net.size(c.k12);
                stack[depth] = new int[] {c.i, c.j};
                iterate(set.minusPairPlus(c.i, c.j, nextId), c.newFlops, c.newSize, depth + 1, nextId + 1);
                bi++;
            }
        }

        private Candidate assess(int[] rem, int r, long flops, long size, int i, int j, long a2, long a3,
                int nextId) {
            long li = masks[i];
            long lj = masks[j];
            long out = net.output;
            long either = li | lj;
            long shared = li & lj;
            long k12 = either & (out | (shared & a3) | ((li ^ lj) & a2));
            long flops12 = net.flops(either, (either & ~k12) != 0, 2);
            long size12 = net.size(k12);
            long newFlops = Costs.add(flops, flops12);
            long newSize = Math.max(size, size12);
            if (!better(newFlops, newSize)) {
                return null;
            }
            // opt_einsum keys its progress record by the number of tensors created so far
            if (newFlops < bestProgress[nextId]) {
                bestProgress[nextId] = newFlops;
            } else if (newFlops > Costs.mul(cutoffFactor, bestProgress[nextId])) {
                return null;
            }
            if (limit >= 0 && size12 > limit) {
                long all = Costs.add(flops, Searches.oversizeFlops(net, masks, rem, r));
                if (all < bestFlops) {
                    bestFlops = all;
                    found = true;
                    int depth = nextId - n;
                    int[][] p = Arrays.copyOf(stack, depth + 1);
                    p[depth] = Arrays.copyOf(rem, r);
                    bestPath = p;
                }
                return null;
            }
            long cost = size12 - maskSizes[i] - maskSizes[j];
            return new Candidate(cost, flops12, newFlops, newSize, i, j, k12);
        }
    }
}
