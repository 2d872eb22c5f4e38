package org.einsum4j.path;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.einsum4j.Einsum4jException;

/**
 * {@code dp}: dynamic programming over subsets of operands (Pfeifer, Haegeman, Verstraete, Phys. Rev. E 90,
 * 033315, 2014), as opt_einsum's DynamicProgramming: labels that occur once are summed first; the operands are
 * split into connected components (sharing a summed label); per component, disjoint subsets sharing a label are
 * combined (no outer products unless {@code searchOuter}), under a cost cap that starts at the component's
 * output size and grows by max(smallest label size, 2) until a full solution appears; components are joined by
 * outer products, smallest first.
 *
 * <p>Objectives ({@code minimize}): {@code flops} — opt_einsum's flop_count exactly as every other optimizer
 * reports it (opt_einsum's dp omits the ×2 of a summed label; ours does not, so its flops are comparable and never
 * worse than {@code optimal} over trees without outer products); {@code size} — the largest intermediate;
 * {@code write} — the sum of intermediate sizes; {@code combo} — flops + α·size; {@code limit} —
 * Σ max(flops, α·size), α = 64 or given as {@code combo-α}. With a memory limit, oversize states are dropped; if
 * nothing fits, it fails with {@link Einsum4jException}.
 */
final class DynamicProgramming implements PathOptimizer {
    private enum Objective { FLOPS, SIZE, WRITE, COMBO, LIMIT }

    private static final Pattern MINIMIZE = Pattern.compile("(flops|size|write|combo|limit)-*(\\d*)");

    private final Objective objective;
    private final long factor;
    private final long costCap;
    private final boolean searchOuter;
    /** Components of at most this many operands also consider outer products (exact over all trees). */
    private final int outerUpTo;

    /** Components this small are searched with outer products by default: at most 3^10 pairs, microseconds. */
    static final int DEFAULT_OUTER_UP_TO = 10;

    /** dp as the registry names it: iterated cost cap; outer products within components of up to 10 operands,
     * so that on a connected network its cost is optimal's (no label summed alone: those are pre-summed). */
    DynamicProgramming(String minimize) {
        this(minimize, -1, false, DEFAULT_OUTER_UP_TO);
    }

    DynamicProgramming(String minimize, long costCap, boolean searchOuter) {
        this(minimize, costCap, searchOuter, 0);
    }

    /** @param costCap negative: iterated cap (opt_einsum's True); 0: no cap (False); positive: that cap */
    DynamicProgramming(String minimize, long costCap, boolean searchOuter, int outerUpTo) {
        Matcher m = MINIMIZE.matcher(minimize.trim().toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("dp cannot minimize '" + minimize
                    + "'; use flops, size, write, combo, limit, combo-N or limit-N");
        }
        this.objective = Objective.valueOf(m.group(1).toUpperCase(java.util.Locale.ROOT));
        if (!m.group(2).isEmpty() && objective != Objective.COMBO && objective != Objective.LIMIT) {
            throw new IllegalArgumentException("only combo and limit take a factor, not '" + minimize + "'");
        }
        this.factor = m.group(2).isEmpty() ? 64 : Long.parseLong(m.group(2));
        this.costCap = costCap;
        this.searchOuter = searchOuter;
        this.outerUpTo = outerUpTo;
    }

    private static final class Level {
        final Map<Long, Integer> index = new HashMap<>();
        long[] sets = new long[16];
        long[] legs = new long[16];
        long[] costs = new long[16];
        Paths.Tree[] trees = new Paths.Tree[16];
        int size;

        void put(long s, long leg, long cost, Paths.Tree tree) {
            Integer k = index.get(s);
            if (k == null) {
                if (size == sets.length) {
                    int c = size * 2;
                    sets = java.util.Arrays.copyOf(sets, c);
                    legs = java.util.Arrays.copyOf(legs, c);
                    costs = java.util.Arrays.copyOf(costs, c);
                    trees = java.util.Arrays.copyOf(trees, c);
                }
                k = size++;
                index.put(s, k);
                sets[k] = s;
            }
            legs[k] = leg;
            costs[k] = cost;
            trees[k] = tree;
        }

        /** The cost stored for s, or -1. */
        long costOf(long s) {
            Integer k = index.get(s);
            return k == null ? -1 : costs[k];
        }
    }

    @Override
    public List<int[]> optimize(int[][] inputs0, int[] output0, long[] sizes0, long memoryLimit) {
        List<int[]> path = search(inputs0, output0, sizes0, memoryLimit);
        if (memoryLimit >= 0) {
            // the outer products joining components are not searched: make them respect the limit too
            path = Searches.evaluate(inputs0, output0, sizes0, path, memoryLimit).path();
        }
        return path;
    }

    private List<int[]> search(int[][] inputs0, int[] output0, long[] sizes0, long memoryLimit) {
        int n0 = inputs0.length;
        if (n0 == 0) {
            return new ArrayList<>();
        }
        MaskNetwork net = MaskNetwork.of(inputs0, output0, sizes0);
        if (net == null) {
            throw Searches.tooManyLabels("dp");
        }
        if (n0 > 63) {
            throw new Einsum4jException("dp: " + n0 + " operands are more than its 63-operand subsets allow; use "
                    + "greedy or random-greedy");
        }
        long out = net.output;
        // single-term reductions: labels on one operand only (and not in the output)
        long seenOnce = 0;
        long seenTwice = 0;
        for (long m : net.inputs) {
            seenTwice |= seenOnce & m;
            seenOnce |= m;
        }
        seenTwice |= seenOnce & out;
        long single = seenOnce & ~seenTwice & ~out;
        List<Long> parsed = new ArrayList<>();
        List<Paths.Tree> done = new ArrayList<>();
        List<Paths.Tree> contractions = new ArrayList<>();
        for (int j = 0; j < n0; j++) {
            long in = net.inputs[j];
            long reduced = in & ~single;
            if (reduced == 0 && in != 0) {
                done.add(Paths.Node.of(new Paths.Leaf(j)));
            } else {
                parsed.add(reduced);
                contractions.add(reduced != in ? Paths.Node.of(new Paths.Leaf(j)) : new Paths.Leaf(j));
            }
        }
        if (parsed.isEmpty()) {
            return Paths.treeToSequence(nest(done));
        }
        int n = parsed.size();
        long[] in = new long[n];
        for (int j = 0; j < n; j++) {
            in[j] = parsed.get(j);
        }
        // an upper bound on any tree's cost: sizes of 0 count as 1 (else the bound is 0 and a search under a
        // memory limit would never give up)
        long naiveCost = 1;
        for (long s : net.sizes) {
            naiveCost = Costs.mul(naiveCost, Math.max(s, 1));
        }
        naiveCost = switch (objective) {
            case FLOPS -> Costs.mul(Costs.mul(naiveCost, n0), 2);
            case SIZE, WRITE -> Costs.mul(naiveCost, n0);
            default -> Long.MAX_VALUE; // opt_einsum: never gives up for combo/limit (we stop at saturation)
        };

        List<Paths.Tree> subgraphTrees = new ArrayList<>(done);
        List<Long> subgraphSizes = new ArrayList<>();
        for (int k = 0; k < done.size(); k++) {
            subgraphSizes.add(1L);
        }
        List<Long> subgraphs = searchOuter ? List.of(n == 64 ? -1L : (1L << n) - 1) : components(in, out);
        // tensors (parsed indices) carrying each label class
        long[] tensorsOf = new long[64];
        for (int j = 0; j < n; j++) {
            long m = in[j];
            while (m != 0) {
                int l = Long.numberOfTrailingZeros(m);
                m &= m - 1;
                tensorsOf[l] |= 1L << j;
            }
        }
        for (long g : subgraphs) {
            int gSize = Long.bitCount(g);
            boolean outer = searchOuter || gSize <= outerUpTo;
            Level[] x = new Level[gSize + 1];
            for (int k = 1; k <= gSize; k++) {
                x[k] = new Level();
            }
            long gg = g;
            while (gg != 0) {
                int j = Long.numberOfTrailingZeros(gg);
                gg &= gg - 1;
                x[1].put(1L << j, in[j], 0, contractions.get(j));
            }
            long subgraphInds = 0;
            gg = g;
            while (gg != 0) {
                int j = Long.numberOfTrailingZeros(gg);
                gg &= gg - 1;
                subgraphInds |= in[j];
            }
            long cap;
            if (costCap < 0) {
                cap = net.size(subgraphInds & out);
            } else if (costCap == 0) {
                cap = Long.MAX_VALUE;
            } else {
                cap = costCap;
            }
            long increment = 2;
            if (subgraphInds != 0) {
                long mn = Long.MAX_VALUE;
                long si = subgraphInds;
                while (si != 0) {
                    int l = Long.numberOfTrailingZeros(si);
                    si &= si - 1;
                    mn = Math.min(mn, net.minLabelSize[l]);
                }
                increment = Math.max(mn, 2);
            }
            while (x[gSize].size == 0) {
                for (int nn = 2; nn <= gSize; nn++) {
                    Level xn = x[nn];
                    for (int m = 1; m <= nn / 2; m++) {
                        Level a = x[m];
                        Level b = x[nn - m];
                        boolean same = m == nn - m;
                        for (int p = 0; p < a.size; p++) {
                            long s1 = a.sets[p];
                            long i1 = a.legs[p];
                            long cost1 = a.costs[p];
                            for (int q = 0; q < b.size; q++) {
                                long s2 = b.sets[q];
                                if ((s1 & s2) != 0 || (same && s1 >= s2)) {
                                    continue;
                                }
                                long i2 = b.legs[q];
                                long cut = i1 & i2 & ~out;
                                if (!outer && cut == 0) {
                                    continue;
                                }
                                long s = s1 | s2;
                                long union = i1 | i2;
                                // labels summed here: shared, non-output, on no tensor of g outside s
                                long contract = 0;
                                long cc = cut;
                                while (cc != 0) {
                                    long bit = cc & -cc;
                                    cc &= cc - 1;
                                    if ((tensorsOf[Long.numberOfTrailingZeros(bit)] & g & ~s) == 0) {
                                        contract |= bit;
                                    }
                                }
                                long legs = union & ~contract;
                                long cost2 = b.costs[q];
                                long mem = -1;
                                long cost;
                                switch (objective) {
                                    case FLOPS -> cost = Costs.add(Costs.add(cost1, cost2),
                                            net.flops(union, contract != 0, 2));
                                    case SIZE -> {
                                        mem = net.size(legs);
                                        cost = Math.max(Math.max(cost1, cost2), mem);
                                    }
                                    case WRITE -> {
                                        mem = net.size(legs);
                                        cost = Costs.add(Costs.add(cost1, cost2), mem);
                                    }
                                    case COMBO -> {
                                        mem = net.size(legs);
                                        cost = Costs.add(Costs.add(cost1, cost2),
                                                Costs.add(net.size(union), Costs.mul(factor, mem)));
                                    }
                                    default -> {
                                        mem = net.size(legs);
                                        cost = Costs.add(Costs.add(cost1, cost2),
                                                Math.max(net.size(union), Costs.mul(factor, mem)));
                                    }
                                }
                                if (cost > cap) {
                                    continue;
                                }
                                long old = xn.costOf(s);
                                if (old >= 0 && cost >= old) {
                                    continue;
                                }
                                if (mem < 0) {
                                    mem = net.size(legs);
                                }
                                if (memoryLimit >= 0 && mem > memoryLimit) {
                                    continue;
                                }
                                xn.put(s, legs, cost, Paths.Node.of(a.trees[p], b.trees[q]));
                            }
                        }
                    }
                }
                if (x[gSize].size == 0 && (cap > naiveCost || cap == Long.MAX_VALUE)) {
                    throw new Einsum4jException("dp: no contraction found for the memory limit " + memoryLimit
                            + " (every way of contracting needs a larger intermediate)");
                }
                cap = Math.max(Costs.mul(increment, cap), Costs.add(cap, 1)); // a cap of 0 must grow too
            }
            Level last = x[gSize];
            subgraphTrees.add(last.trees[0]);
            subgraphSizes.add(net.size(last.legs[0]));
        }
        // join the pieces by outer products, smallest first (a stable sort, as Python's)
        Integer[] order = new Integer[subgraphTrees.size()];
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        java.util.Arrays.sort(order, (p, q) -> Long.compare(subgraphSizes.get(p), subgraphSizes.get(q)));
        List<Paths.Tree> sorted = new ArrayList<>();
        for (int k : order) {
            sorted.add(subgraphTrees.get(k));
        }
        return Paths.treeToSequence(nest(sorted));
    }

    /** opt_einsum's simple_tree_tuple: (((a, b), c), d). */
    private static Paths.Tree nest(List<Paths.Tree> seq) {
        Paths.Tree t = seq.get(0);
        for (int k = 1; k < seq.size(); k++) {
            t = Paths.Node.of(t, seq.get(k));
        }
        return t;
    }

    /** Connected components (sharing a non-output label), each as a mask, ordered by smallest member. */
    private static List<Long> components(long[] in, long out) {
        int n = in.length;
        long allSum = 0;
        for (long m : in) {
            allSum |= m;
        }
        allSum &= ~out;
        List<Long> result = new ArrayList<>();
        long unused = n == 64 ? -1L : (1L << n) - 1;
        while (unused != 0) {
            int first = Long.numberOfTrailingZeros(unused);
            unused &= ~(1L << first);
            long g = 0;
            long queue = 1L << first;
            while (queue != 0) {
                int j = Long.numberOfTrailingZeros(queue);
                queue &= queue - 1;
                g |= 1L << j;
                long tmp = allSum & in[j];
                long u = unused;
                while (u != 0) {
                    int k = Long.numberOfTrailingZeros(u);
                    u &= u - 1;
                    if ((tmp & in[k]) != 0) {
                        queue |= 1L << k;
                        unused &= ~(1L << k);
                    }
                }
            }
            result.add(g);
        }
        return result;
    }
}
