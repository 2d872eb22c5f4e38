package org.einsum4j.path;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * {@code greedy} (opt_einsum's ssa_greedy_optimize): labels on every input count as output; inputs with identical
 * label sets are Hadamard-merged first; then the pair (sharing a non-output label) with the smallest
 * {@code size(result) − size(Li) − size(Lj)} is contracted, ties broken by SSA ids; a result whose label set
 * already exists is Hadamard-merged at once; finally disconnected pieces are joined by outer products, smallest
 * first. With a memory limit, greedy is branch-1 (as in opt_einsum).
 *
 * <p>{@link RandomGreedy} runs the same procedure with a jittered cost and a Boltzmann choice among the best
 * candidates.
 */
final class Greedy implements PathOptimizer {
    @Override
    public List<int[]> optimize(int[][] inputs, int[] output, long[] sizes, long memoryLimit) {
        if (inputs.length <= 2) {
            return Searches.allAtOnce(inputs.length);
        }
        if (memoryLimit >= 0) {
            return new BranchBound(1).optimize(inputs, output, sizes, memoryLimit);
        }
        return Paths.ssaToLinear(ssaGreedy(inputs, output, sizes, null, -1));
    }

    private record Cand(double cost, int id2, int id1, LabelSet k1, LabelSet k2, LabelSet k12)
            implements Comparable<Cand> {
        @Override
        public int compareTo(Cand o) {
            int c = Double.compare(cost, o.cost);
            if (c == 0) {
                c = Integer.compare(id2, o.id2);
            }
            if (c == 0) {
                c = Integer.compare(id1, o.id1);
            }
            return c;
        }
    }

    /**
     * The greedy SSA path. With {@code rng} non-null: jittered costs (×N(1, 0.01)) and a Boltzmann choice
     * (temperature 1 relative to |c_min|) among the best 8 candidates; with {@code limit >= 0}, candidates whose
     * result exceeds it are skipped and an oversize outer product ends the path with one step of all that
     * remains.
     */
    static List<int[]> ssaGreedy(int[][] inputs, int[] output, long[] sizes, Random rng, long limit) {
        List<int[]> ssaPath = new ArrayList<>();
        int n = inputs.length;
        if (n == 1) {
            ssaPath.add(new int[] {0});
            return ssaPath;
        }
        int words = Math.max(1, (sizes.length + 63) >>> 6);
        LabelSet[] fs = new LabelSet[n];
        for (int i = 0; i < n; i++) {
            fs[i] = LabelSet.of(inputs[i], words);
        }
        LabelSet common = fs[0];
        for (int i = 1; i < n; i++) {
            common = common.and(fs[i]);
        }
        final LabelSet out = LabelSet.of(output, words).or(common);
        boolean pushAll = rng != null || limit >= 0;

        Map<LabelSet, Integer> remaining = new LinkedHashMap<>();
        int[] nextId = {n};
        for (int i = 0; i < n; i++) {
            Integer prev = remaining.get(fs[i]);
            if (prev != null) {
                ssaPath.add(new int[] {prev, i});
                remaining.put(fs[i], nextId[0]++);
            } else {
                remaining.put(fs[i], i);
            }
        }
        // keys (label sets of remaining tensors) per summed label; a label sits on few keys, so lists beat sets
        @SuppressWarnings("unchecked")
        List<LabelSet>[] dimToKeys = new List[sizes.length];
        for (LabelSet key : remaining.keySet()) {
            for (int d : key.andNot(out).toArray()) {
                if (dimToKeys[d] == null) {
                    dimToKeys[d] = new ArrayList<>(4);
                }
                addOnce(dimToKeys[d], key);
            }
        }
        long[] rc2 = new long[words];
        long[] rc3 = new long[words];
        for (int d = 0; d < dimToKeys.length; d++) {
            int c = dimToKeys[d] == null ? 0 : dimToKeys[d].size();
            if (c >= 2) {
                rc2[d >>> 6] |= 1L << (d & 63);
            }
            if (c >= 3) {
                rc3[d >>> 6] |= 1L << (d & 63);
            }
        }
        Map<LabelSet, Long> footprints = new HashMap<>();
        for (LabelSet key : remaining.keySet()) {
            footprints.put(key, key.size(sizes));
        }
        PriorityQueue<Cand> queue = new PriorityQueue<>();
        for (List<LabelSet> keysOfDim : dimToKeys) {
            if (keysOfDim == null) {
                continue;
            }
            List<LabelSet> keys = new ArrayList<>(keysOfDim);
            keys.sort((a, b) -> Integer.compare(remaining.get(a), remaining.get(b)));
            for (int i = 0; i + 1 < keys.size(); i++) {
                push(out, sizes, remaining, footprints, rc2, rc3, keys.get(i), keys.subList(i + 1, keys.size()),
                        queue, pushAll, rng, limit);
            }
        }

        while (!queue.isEmpty()) {
            Cand con = rng == null ? simpleChoose(queue, remaining, sizes, limit)
                    : thermalChoose(queue, remaining, rng, sizes, limit);
            if (con == null) {
                continue;
            }
            LabelSet k1 = con.k1;
            LabelSet k2 = con.k2;
            LabelSet k12 = con.k12;
            int ssa1 = remaining.remove(k1);
            int ssa2 = remaining.remove(k2);
            for (int d : k1.andNot(out).toArray()) {
                dimToKeys[d].remove(k1);
            }
            for (int d : k2.andNot(out).toArray()) {
                dimToKeys[d].remove(k2);
            }
            ssaPath.add(new int[] {ssa1, ssa2});
            Integer existing = remaining.get(k12);
            if (existing != null) {
                ssaPath.add(new int[] {existing, nextId[0]++});
            } else {
                for (int d : k12.andNot(out).toArray()) {
                    if (dimToKeys[d] == null) {
                        dimToKeys[d] = new ArrayList<>(4);
                    }
                    addOnce(dimToKeys[d], k12);
                }
            }
            remaining.put(k12, nextId[0]++);
            for (int d : k1.or(k2).andNot(out).toArray()) {
                List<LabelSet> ks = dimToKeys[d];
                int c = ks == null ? 0 : ks.size();
                long bit = 1L << (d & 63);
                if (c <= 1) {
                    rc2[d >>> 6] &= ~bit;
                    rc3[d >>> 6] &= ~bit;
                } else if (c == 2) {
                    rc2[d >>> 6] |= bit;
                    rc3[d >>> 6] &= ~bit;
                } else {
                    rc2[d >>> 6] |= bit;
                    rc3[d >>> 6] |= bit;
                }
            }
            footprints.put(k12, k12.size(sizes));
            List<LabelSet> k2s = new ArrayList<>();
            for (int d : k12.toArray()) {
                List<LabelSet> ks = dimToKeys[d];
                if (ks != null) {
                    for (LabelSet k : ks) {
                        if (!k.equals(k12)) {
                            addOnce(k2s, k);
                        }
                    }
                }
            }
            if (!k2s.isEmpty()) {
                push(out, sizes, remaining, footprints, rc2, rc3, k12, k2s, queue, pushAll, rng, limit);
            }
        }

        // outer products of what remains, smallest first
        record Item(long size, int id, LabelSet key) implements Comparable<Item> {
            @Override
            public int compareTo(Item o) {
                int c = Long.compare(size, o.size);
                return c != 0 ? c : Integer.compare(id, o.id);
            }
        }
        PriorityQueue<Item> fq = new PriorityQueue<>();
        for (Map.Entry<LabelSet, Integer> e : remaining.entrySet()) {
            fq.add(new Item(e.getKey().and(out).size(sizes), e.getValue(), e.getKey()));
        }
        Item a = fq.poll();
        while (!fq.isEmpty()) {
            Item b = fq.poll();
            LabelSet k12 = a.key.or(b.key).and(out);
            long cost = k12.size(sizes);
            if (limit >= 0 && cost > limit && !fq.isEmpty()) {
                int[] all = new int[fq.size() + 2];
                all[0] = a.id;
                all[1] = b.id;
                int q = 2;
                for (Item it : fq) {
                    all[q++] = it.id;
                }
                java.util.Arrays.sort(all);
                ssaPath.add(all);
                return ssaPath;
            }
            ssaPath.add(new int[] {Math.min(a.id, b.id), Math.max(a.id, b.id)});
            fq.add(new Item(cost, nextId[0]++, k12));
            a = fq.poll();
        }
        return ssaPath;
    }

    private static void addOnce(List<LabelSet> list, LabelSet key) {
        if (!list.contains(key)) {
            list.add(key);
        }
    }

    private static void push(LabelSet out, long[] sizes, Map<LabelSet, Integer> remaining,
            Map<LabelSet, Long> footprints, long[] rc2, long[] rc3, LabelSet k1, List<LabelSet> k2s,
            PriorityQueue<Cand> queue, boolean pushAll, Random rng, long limit) {
        Cand best = null;
        for (LabelSet k2 : k2s) {
            Cand c = candidate(out, sizes, remaining, footprints, rc2, rc3, k1, k2, rng);
            if (pushAll) {
                queue.add(c);
            } else if (best == null || c.compareTo(best) < 0) {
                best = c;
            }
        }
        if (!pushAll && best != null) {
            queue.add(best);
        }
    }

    private static Cand candidate(LabelSet out, long[] sizes, Map<LabelSet, Integer> remaining,
            Map<LabelSet, Long> footprints, long[] rc2, long[] rc3, LabelSet k1, LabelSet k2, Random rng) {
        // k12 = (either & output) | (two & labels on 3+ keys) | (one & labels on 2+ keys), word by word
        long[] w = new long[k1.words.length];
        for (int q = 0; q < w.length; q++) {
            long a = k1.words[q];
            long b = k2.words[q];
            long either = a | b;
            long two = a & b;
            w[q] = (either & out.words[q]) | (two & rc3[q]) | ((either & ~two) & rc2[q]);
        }
        LabelSet k12 = new LabelSet(w);
        double cost = (double) k12.size(sizes) - footprints.get(k1) - footprints.get(k2);
        if (rng != null) {
            cost *= 1.0 + 0.01 * rng.nextGaussian();
        }
        int id1 = remaining.get(k1);
        int id2 = remaining.get(k2);
        if (id1 > id2) {
            return new Cand(cost, id1, id2, k2, k1, k12);
        }
        return new Cand(cost, id2, id1, k1, k2, k12);
    }

    private static boolean valid(Cand c, Map<LabelSet, Integer> remaining, long[] sizes, long limit) {
        if (!remaining.containsKey(c.k1) || !remaining.containsKey(c.k2)) {
            return false;
        }
        return limit < 0 || c.k12.size(sizes) <= limit;
    }

    private static Cand simpleChoose(PriorityQueue<Cand> queue, Map<LabelSet, Integer> remaining, long[] sizes,
            long limit) {
        Cand c = queue.poll();
        return valid(c, remaining, sizes, limit) ? c : null;
    }

    private static Cand thermalChoose(PriorityQueue<Cand> queue, Map<LabelSet, Integer> remaining, Random rng,
            long[] sizes, long limit) {
        List<Cand> choices = new ArrayList<>(8);
        while (!queue.isEmpty() && choices.size() < 8) {
            Cand c = queue.poll();
            if (valid(c, remaining, sizes, limit)) {
                choices.add(c);
            }
        }
        if (choices.isEmpty()) {
            return null;
        }
        if (choices.size() == 1) {
            return choices.get(0);
        }
        double cmin = choices.get(0).cost;
        double temperature = Math.max(1.0, Math.abs(cmin));
        double[] w = new double[choices.size()];
        double total = 0;
        for (int k = 0; k < w.length; k++) {
            w[k] = Math.exp(-(choices.get(k).cost - cmin) / temperature);
            total += w[k];
        }
        double u = rng.nextDouble() * total;
        int chosen = w.length - 1;
        for (int k = 0; k < w.length; k++) {
            u -= w[k];
            if (u < 0) {
                chosen = k;
                break;
            }
        }
        Cand pick = choices.remove(chosen);
        queue.addAll(choices);
        return pick;
    }
}
