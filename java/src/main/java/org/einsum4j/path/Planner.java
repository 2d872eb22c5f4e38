package org.einsum4j.path;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum4jException;
import org.einsum4j.spec.Contraction;

/**
 * The planning entry point: chooses a path for a bound contraction as {@link ContractOptions} say (a named
 * optimizer, a user {@link PathOptimizer}, or an explicit path; and the memory limit) and reports it as a
 * {@link PathInfo}. With two or fewer inputs no search runs. Every path returned respects the memory limit: no
 * intermediate (any step's result but the last) has more elements than the limit.
 */
public final class Planner {
    private Planner() {
    }

    /** Plans {@code c} as {@code options} say (optimizer, explicit path or user optimizer; memory limit). */
    public static PathInfo plan(Contraction c, ContractOptions options) {
        if (c == null || options == null) {
            throw new Einsum4jException((c == null ? "contraction" : "options") + " is null");
        }
        long limit = resolveMemoryLimit(c, options.memoryLimit());
        if (options.path() != null) {
            return report(c, options.path(), "explicit", 0);
        }
        if (options.optimizer() != null) {
            return SearchBudget.within(options.maxSearchTime(),
                    () -> search(c, options.optimizer(), "custom", limit));
        }
        String name = options.optimize() == null ? "auto" : options.optimize();
        PathOptimizer optimizer = PathOptimizers.get(name);
        return SearchBudget.within(options.maxSearchTime(),
                () -> search(c, optimizer, name.toLowerCase(java.util.Locale.ROOT), limit));
    }

    /** Plans with the named optimizer and a memory limit ({@link ContractOptions#NO_LIMIT}, N, or MAX_INPUT). */
    public static PathInfo plan(Contraction c, String optimize, long memoryLimit) {
        return plan(c, ContractOptions.defaults().withOptimize(optimize).withMemoryLimit(memoryLimit));
    }

    /** Reports an explicit path. */
    public static PathInfo plan(Contraction c, List<int[]> explicitPath) {
        return report(c, explicitPath, "explicit", 0);
    }

    /** The limit in elements, or -1: {@code MAX_INPUT} is the largest input or output size. */
    static long resolveMemoryLimit(Contraction c, long memoryLimit) {
        if (memoryLimit == ContractOptions.MAX_INPUT) {
            long[] sizes = c.sizes();
            BigInteger max = Costs.sizeOf(c.output(), sizes);
            for (int i = 0; i < c.numInputs(); i++) {
                max = max.max(Costs.sizeOf(c.input(i), sizes));
            }
            return max.bitLength() < 63 ? max.longValue() : Long.MAX_VALUE;
        }
        return memoryLimit < 0 ? PathOptimizer.NO_LIMIT : memoryLimit;
    }

    private static PathInfo search(Contraction c, PathOptimizer optimizer, String name, long limit) {
        int n = c.numInputs();
        long t0 = System.nanoTime();
        List<int[]> path;
        if (n <= 2) {
            path = Searches.allAtOnce(n);
        } else {
            int[][] inputs = c.inputs();
            int[] output = c.output();
            long[] sizes = c.sizes();
            path = optimizer.optimize(inputs, output, sizes, limit);
            if (path == null) {
                throw new Einsum4jException("path optimizer '" + name + "' returned no path");
            }
            validate(path, n, name);
            if (limit >= 0) {
                path = Searches.evaluate(inputs, output, sizes, path, limit).path();
            }
        }
        long t1 = System.nanoTime();
        return report(c, path, name, t1 - t0);
    }

    /** Checks that a path's steps name existing, distinct positions and end with one operand. */
    static void validate(List<int[]> path, int numInputs, String what) {
        int count = numInputs;
        for (int k = 0; k < path.size(); k++) {
            int[] step = path.get(k);
            if (step == null || step.length == 0) {
                throw new InvalidPathException(what + ": step " + k + " is empty");
            }
            int[] s = step.clone();
            Arrays.sort(s);
            for (int q = 0; q < s.length; q++) {
                if (s[q] < 0 || s[q] >= count) {
                    throw new InvalidPathException(what + ": step " + k + " " + Arrays.toString(step)
                            + " names position " + s[q] + " but only " + count + " operands are there");
                }
                if (q > 0 && s[q] == s[q - 1]) {
                    throw new InvalidPathException(what + ": step " + k + " " + Arrays.toString(step)
                            + " names position " + s[q] + " twice");
                }
            }
            count = count - s.length + 1;
        }
        if (count != 1 && !(numInputs == 0 && path.isEmpty())) {
            throw new InvalidPathException(what + ": path " + Paths.format(path) + " leaves " + count
                    + " operands of " + numInputs + "; it must end with one");
        }
    }

    /** Builds the report of a path (opt_einsum's contract_path loop). */
    static PathInfo report(Contraction c, List<int[]> path, String optimizerName, long searchNanos) {
        int n = c.numInputs();
        validate(path, n, optimizerName);
        long[] sizes = c.sizes();
        int[] output = c.output();
        List<int[]> terms = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        List<Set<Integer>> sets = new ArrayList<>();
        Set<Integer> indices = new LinkedHashSet<>();
        int sumSetSizes = 0;
        for (int i = 0; i < n; i++) {
            int[] t = c.input(i);
            terms.add(t);
            shapes.add(c.shape(i));
            Set<Integer> s = setOf(t);
            sets.add(s);
            sumSetSizes += s.size();
            indices.addAll(s);
        }
        Set<Integer> outSet = setOf(output);
        boolean innerProduct = sumSetSizes - indices.size() > 0;
        BigInteger naive = Costs.flopCount(toArray(indices), innerProduct, n, sizes);

        List<PathInfo.Step> steps = new ArrayList<>();
        for (int cnum = 0; cnum < path.size(); cnum++) {
            int[] inds = path.get(cnum).clone();
            Arrays.sort(inds);
            reverse(inds);
            // find_contraction
            Set<Integer> idxContract = new LinkedHashSet<>();
            for (int p : inds) {
                idxContract.addAll(sets.get(p));
            }
            Set<Integer> idxRemain = new LinkedHashSet<>(outSet);
            for (int q = 0; q < sets.size(); q++) {
                if (!contains(inds, q)) {
                    idxRemain.addAll(sets.get(q));
                }
            }
            Set<Integer> newResult = new LinkedHashSet<>(idxContract);
            newResult.retainAll(idxRemain);
            Set<Integer> removed = new java.util.TreeSet<>(idxContract);
            removed.removeAll(newResult);
            for (int p : inds) {
                sets.remove(p);
            }
            sets.add(newResult);

            BigInteger cost = Costs.flopCount(toArray(idxContract), !removed.isEmpty(), inds.length, sizes);
            BigInteger size = Costs.sizeOf(toArray(newResult), sizes);

            int[][] tmpInputs = new int[inds.length][];
            int[][] tmpShapes = new int[inds.length][];
            for (int k = 0; k < inds.length; k++) {
                tmpInputs[k] = terms.remove(inds[k]);
                tmpShapes[k] = shapes.remove(inds[k]);
            }
            BlasClass blas = BlasClass.classify(tmpInputs, toArray(newResult), toArray(removed), tmpShapes);
            int[] idxResult;
            if (cnum == path.size() - 1) {
                idxResult = output.clone();
            } else {
                // tensordot order: by first appearance in the operands
                List<Integer> order = new ArrayList<>();
                for (int[] t : tmpInputs) {
                    for (int l : t) {
                        if (newResult.contains(l) && !order.contains(l)) {
                            order.add(l);
                        }
                    }
                }
                idxResult = order.stream().mapToInt(Integer::intValue).toArray();
            }
            int[] shpResult = new int[idxResult.length];
            for (int d = 0; d < idxResult.length; d++) {
                int m = 0;
                for (int k = 0; k < tmpInputs.length; k++) {
                    for (int q = 0; q < tmpInputs[k].length; q++) {
                        if (tmpInputs[k][q] == idxResult[d]) {
                            m = Math.max(m, tmpShapes[k][q]);
                            break;
                        }
                    }
                }
                shpResult[d] = m;
            }
            terms.add(idxResult);
            shapes.add(shpResult);
            StringBuilder es = new StringBuilder();
            for (int k = 0; k < tmpInputs.length; k++) {
                es.append(k > 0 ? "," : "").append(c.term(tmpInputs[k]));
            }
            es.append("->").append(c.term(idxResult));
            List<String> remaining = null;
            if (terms.size() <= 20) {
                remaining = new ArrayList<>();
                for (int[] t : terms) {
                    remaining.add(c.term(t));
                }
            }
            steps.add(new PathInfo.Step(inds, tmpInputs, idxResult, toArray(removed), cost, idxContract.size(),
                    size, blas, es.toString(), remaining == null ? null : List.copyOf(remaining)));
        }
        java.util.Map<String, Long> sizeDict = new java.util.LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            for (int l : c.input(i)) {
                sizeDict.putIfAbsent(c.symbol(l), sizes[l]);
            }
        }
        return new PathInfo(c.toSpecString(), c.term(output), sizeDict, c.shapes(), path, steps, indices.size(), naive,
                optimizerName, searchNanos);
    }

    private static Set<Integer> setOf(int[] a) {
        Set<Integer> s = new LinkedHashSet<>();
        for (int x : a) {
            s.add(x);
        }
        return s;
    }

    private static int[] toArray(Set<Integer> s) {
        return s.stream().mapToInt(Integer::intValue).toArray();
    }

    private static boolean contains(int[] a, int x) {
        for (int v : a) {
            if (v == x) {
                return true;
            }
        }
        return false;
    }

    private static void reverse(int[] a) {
        for (int i = 0, j = a.length - 1; i < j; i++, j--) {
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }
}
