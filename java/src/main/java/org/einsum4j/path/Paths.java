package org.einsum4j.path;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Conversions between path forms, as opt_einsum's paths.py has them: SSA paths (every tensor, input or
 * intermediate, keeps one id; inputs are 0 … n−1 and each result takes the next id) and linear paths
 * (positions in the current operand list, results appended), and contraction trees to paths.
 */
public final class Paths {
    private Paths() {
    }

    /** SSA ids to linear positions, e.g. {@code [(0,3),(2,4),(1,5)] → [(0,3),(1,2),(0,1)]}. */
    public static List<int[]> ssaToLinear(List<int[]> ssaPath) {
        int n = 1;
        for (int[] s : ssaPath) {
            n += s.length - 1;
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(i);
        }
        int ssa = n;
        List<int[]> path = new ArrayList<>(ssaPath.size());
        for (int[] scon : ssaPath) {
            int[] con = new int[scon.length];
            for (int k = 0; k < scon.length; k++) {
                con[k] = bisectLeft(ids, scon[k]);
            }
            Arrays.sort(con);
            for (int k = con.length - 1; k >= 0; k--) {
                ids.remove(con[k]);
            }
            ids.add(ssa++);
            path.add(con);
        }
        return path;
    }

    private static int bisectLeft(List<Integer> a, int x) {
        int lo = 0;
        int hi = a.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a.get(mid) < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Linear positions to SSA ids, e.g. {@code [(0,3),(1,2),(0,1)] → [(0,3),(2,4),(1,5)]}. */
    public static List<int[]> linearToSsa(List<int[]> path) {
        int n = 1;
        for (int[] s : path) {
            n += s.length - 1;
        }
        List<Integer> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(i);
        }
        int next = n;
        List<int[]> ssa = new ArrayList<>(path.size());
        for (int[] step : path) {
            int[] s = new int[step.length];
            for (int k = 0; k < step.length; k++) {
                s[k] = ids.get(step[k]);
            }
            ssa.add(s);
            int[] sorted = step.clone();
            Arrays.sort(sorted);
            for (int k = sorted.length - 1; k >= 0; k--) {
                ids.remove(sorted[k]);
            }
            ids.add(next++);
        }
        return ssa;
    }

    /**
     * A contraction tree: a leaf is an input index (no operation), an inner node lists its children (a node with
     * one leaf child is a single-operand reduction).
     */
    sealed interface Tree permits Leaf, Node {
    }

    record Leaf(int index) implements Tree {
    }

    record Node(List<Tree> children) implements Tree {
        static Node of(Tree... c) {
            return new Node(List.of(c));
        }
    }

    /** opt_einsum's _tree_to_sequence: {@code ((1,2),(0,(4,5,3))) → [(1,2),(1,2,3),(0,2),(0,1)]}. */
    static List<int[]> treeToSequence(Tree tree) {
        List<int[]> s = new ArrayList<>();
        if (tree instanceof Leaf) {
            return s;
        }
        List<Node> c = new ArrayList<>();
        c.add((Node) tree);
        List<Integer> t = new ArrayList<>();
        while (!c.isEmpty()) {
            Node j = c.remove(c.size() - 1);
            List<Integer> step = new ArrayList<>();
            List<Integer> leaves = new ArrayList<>();
            for (Tree ch : j.children()) {
                if (ch instanceof Leaf l) {
                    leaves.add(l.index());
                }
            }
            leaves.sort(null);
            for (int i : leaves) {
                int pos = 0;
                for (int q : t) {
                    if (q < i) {
                        pos++;
                    }
                }
                step.add(pos);
                t.add(pos, i);
            }
            for (Tree ch : j.children()) {
                if (ch instanceof Node nd) {
                    step.add(t.size() + c.size());
                    c.add(nd);
                }
            }
            s.add(0, step.stream().mapToInt(Integer::intValue).toArray());
        }
        return s;
    }

    /** A path as opt_einsum prints it, e.g. {@code [(0, 2), (0, 1)]}. */
    public static String format(List<int[]> path) {
        StringBuilder sb = new StringBuilder("[");
        for (int k = 0; k < path.size(); k++) {
            if (k > 0) {
                sb.append(", ");
            }
            int[] step = path.get(k);
            sb.append('(');
            for (int q = 0; q < step.length; q++) {
                if (q > 0) {
                    sb.append(", ");
                }
                sb.append(step[q]);
            }
            if (step.length == 1) {
                sb.append(',');
            }
            sb.append(')');
        }
        return sb.append(']').toString();
    }
}
