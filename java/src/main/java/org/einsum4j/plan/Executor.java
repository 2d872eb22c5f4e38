package org.einsum4j.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.einsum4j.Backend;
import org.einsum4j.Einsum4jException;
import org.einsum4j.spec.Contraction;
import org.einsum4j.tensor.Tensor;

/**
 * Runs a contraction path on a {@link Backend}. Each pairwise step is one batched GEMM
 * {@code C[b, m, n] = Σ_k A[b, m, k] B[b, k, n]} (b: labels both operands keep, k: labels both sum away, m / n:
 * labels of one side only), after single-operand pre-steps (diagonals as strided views, broadcast dimensions
 * dropped, labels no one else needs summed away). Operands are viewed as 3-d without copying when their strides
 * allow; otherwise the backend copies them.
 */
public final class Executor {
    private Executor() {
    }

    /** An operand during execution: a view, its labels (one per dim, distinct), and what to close after use. */
    private record Term(Tensor view, int[] labels, Tensor owner) {
        void release() {
            if (owner != null) {
                owner.close();
            }
        }
    }

    /**
     * Contracts {@code operands} (already checked against {@code c}: shapes and one common float dtype) along
     * {@code path} (opt_einsum's format; steps may name one, two or more operands). Returns a new tensor.
     */
    public static Tensor run(Contraction c, List<int[]> path, Backend backend, Tensor[] operands) {
        int[] output = c.output();
        int[] outDims = new int[output.length];
        for (int i = 0; i < output.length; i++) {
            outDims[i] = (int) c.size(output[i]);
        }
        for (int l = 0; l < c.numLabels(); l++) {
            if (c.size(l) == 0) {
                return backend.zeros(operands[0].dtype(), outDims);
            }
        }
        List<Term> terms = new ArrayList<>();
        for (int i = 0; i < operands.length; i++) {
            terms.add(prepare(c, i, operands[i]));
        }
        try {
            for (int[] step : path) {
                int[] pos = step.clone();
                Arrays.sort(pos);
                List<Term> picked = new ArrayList<>();
                for (int p : pos) {
                    if (p < 0 || p >= terms.size()) {
                        throw new Einsum4jException("path step " + Arrays.toString(step) + " names operand " + p
                                + " but only " + terms.size() + " remain");
                    }
                    picked.add(terms.get(p));
                }
                for (int q = pos.length - 1; q >= 0; q--) {
                    terms.remove(pos[q]);
                }
                BitSet keep = labelsOf(terms);
                for (int l : output) {
                    keep.set(l);
                }
                terms.add(fold(picked, keep, backend));
            }
            if (terms.size() > 1) {
                List<Term> all = new ArrayList<>(terms);
                terms.clear();
                BitSet keep = new BitSet();
                for (int l : output) {
                    keep.set(l);
                }
                terms.add(fold(all, keep, backend));
            }
            Term last = terms.remove(0);
            return finish(last, output, outDims, backend);
        } catch (RuntimeException e) {
            for (Term t : terms) {
                t.release();
            }
            throw e;
        }
    }

    private static BitSet labelsOf(List<Term> terms) {
        BitSet b = new BitSet();
        for (Term t : terms) {
            for (int l : t.labels) {
                b.set(l);
            }
        }
        return b;
    }

    /** Diagonals as views (strides of repeated labels added up) and broadcast dims (size 1 < label size) dropped. */
    private static Term prepare(Contraction c, int operand, Tensor t) {
        int[] labels = c.input(operand);
        int[] shape = c.shape(operand);
        long[] strides = t.strides();
        List<Integer> order = new ArrayList<>();
        long[] acc = new long[c.numLabels()];
        boolean[] present = new boolean[c.numLabels()];
        for (int d = 0; d < labels.length; d++) {
            int l = labels[d];
            if (shape[d] == 1 && c.size(l) > 1) {
                continue; // broadcast: this operand does not vary along l
            }
            if (!present[l]) {
                present[l] = true;
                order.add(l);
            }
            acc[l] += strides[d];
        }
        int[] nl = new int[order.size()];
        int[] nd = new int[order.size()];
        long[] ns = new long[order.size()];
        for (int i = 0; i < nl.length; i++) {
            nl[i] = order.get(i);
            nd[i] = (int) c.size(nl[i]);
            ns[i] = acc[nl[i]];
        }
        return new Term(t.asStrided(nd, ns, t.offset()), nl, null);
    }

    /** Contracts the picked terms pairwise, left to right, keeping the labels in {@code keep}. */
    private static Term fold(List<Term> picked, BitSet keep, Backend backend) {
        if (picked.size() == 1) {
            return sumAway(picked.get(0), keep, backend);
        }
        // A step over three or more operands (opt_einsum's "contract the rest at once", e.g. under a memory
        // limit) runs as pairs, smallest result first, so its intermediates stay as small as pairs allow.
        List<Term> live = new ArrayList<>(picked);
        try {
            while (live.size() > 1) {
                int bi = 0;
                int bj = 1;
                double best = Double.MAX_VALUE;
                for (int i = 0; i < live.size(); i++) {
                    for (int j = i + 1; j < live.size(); j++) {
                        double size = resultSize(live.get(i), live.get(j), keepFor(live, i, j, keep));
                        if (size < best) {
                            best = size;
                            bi = i;
                            bj = j;
                        }
                    }
                }
                BitSet k = keepFor(live, bi, bj, keep);
                Term b = live.remove(bj); // bj > bi
                Term a = live.remove(bi);
                live.add(pair(a, b, k, backend)); // pair releases a and b, also when it throws
            }
            return live.get(0);
        } catch (RuntimeException e) {
            for (Term t : live) {
                t.release();
            }
            throw e;
        }
    }

    /** The labels a pair (i, j) of {@code live} must keep: {@code keep} and those of the other live terms. */
    private static BitSet keepFor(List<Term> live, int i, int j, BitSet keep) {
        BitSet k = (BitSet) keep.clone();
        for (int q = 0; q < live.size(); q++) {
            if (q != i && q != j) {
                for (int l : live.get(q).labels) {
                    k.set(l);
                }
            }
        }
        return k;
    }

    /** Elements of the result of contracting a and b keeping {@code keep}. */
    private static double resultSize(Term a, Term b, BitSet keep) {
        BitSet seen = new BitSet();
        double size = 1;
        for (Term t : List.of(a, b)) {
            for (int d = 0; d < t.labels.length; d++) {
                int l = t.labels[d];
                if (keep.get(l) && !seen.get(l)) {
                    seen.set(l);
                    size *= t.view.dim(d);
                }
            }
        }
        return size;
    }

    /**
     * Sums away the labels of {@code t} not in {@code keep}. When a sum is needed, t's memory (if it owned any) is
     * released, whether the sum succeeds or not.
     */
    private static Term sumAway(Term t, BitSet keep, Backend backend) {
        boolean[] reduce = new boolean[t.labels.length];
        int kept = 0;
        for (int i = 0; i < reduce.length; i++) {
            reduce[i] = !keep.get(t.labels[i]);
            if (!reduce[i]) {
                kept++;
            }
        }
        if (kept == t.labels.length) {
            return t;
        }
        int[] nl = new int[kept];
        for (int i = 0, j = 0; i < reduce.length; i++) {
            if (!reduce[i]) {
                nl[j++] = t.labels[i];
            }
        }
        Tensor s;
        try {
            s = backend.sum(t.view, reduce);
        } finally {
            t.release();
        }
        return new Term(s, nl, s);
    }

    private static Term pair(Term a, Term b, BitSet keep, Backend backend) {
        BitSet inB = bits(b.labels);
        BitSet inA = bits(a.labels);
        BitSet keepA = (BitSet) keep.clone();
        keepA.or(inB);
        BitSet keepB = (BitSet) keep.clone();
        keepB.or(inA);
        try {
            a = sumAway(a, keepA, backend); // releases the old a, also when it throws
        } catch (RuntimeException e) {
            b.release();
            throw e;
        }
        try {
            b = sumAway(b, keepB, backend);
        } catch (RuntimeException e) {
            a.release();
            throw e;
        }
        try {
            return gemm(a, b, keep, backend);
        } finally {
            a.release();
            b.release();
        }
    }

    private static BitSet bits(int[] labels) {
        BitSet s = new BitSet();
        for (int l : labels) {
            s.set(l);
        }
        return s;
    }

    private static Term gemm(Term a, Term b, BitSet keep, Backend backend) {
        BitSet inA = bits(a.labels);
        BitSet inB = bits(b.labels);
        // shared groups are ordered by the larger operand's memory order, so that operand needs no copy
        Term ref = a.view.numel() >= b.view.numel() ? a : b;
        int[] refOrder = memoryOrder(ref);
        List<Integer> batch = new ArrayList<>();
        List<Integer> kk = new ArrayList<>();
        for (int ax : refOrder) {
            int l = ref.labels[ax];
            if (inA.get(l) && inB.get(l)) {
                (keep.get(l) ? batch : kk).add(l);
            }
        }
        List<Integer> m = new ArrayList<>();
        for (int ax : memoryOrder(a)) {
            if (!inB.get(a.labels[ax])) {
                m.add(a.labels[ax]);
            }
        }
        List<Integer> n = new ArrayList<>();
        for (int ax : memoryOrder(b)) {
            if (!inA.get(b.labels[ax])) {
                n.add(b.labels[ax]);
            }
        }
        View3d a3 = null;
        View3d b3 = null;
        try {
            a3 = viewGroups(a, List.of(batch, m, kk), false);
            b3 = viewGroups(b, List.of(batch, kk, n), false);
            if (a3 == null || b3 == null) {
                // no copy-free 3-d view: split leading summed labels off into an accumulated loop dimension
                // (C += A_r B_r), as long as the GEMMs stay deep enough; otherwise copy.
                for (int split = 1; split < kk.size() && (a3 == null || b3 == null); split++) {
                    List<Integer> r = kk.subList(0, split);
                    List<Integer> rest = kk.subList(split, kk.size());
                    if (product(a, b, rest) < 16) {
                        break;
                    }
                    View3d a4 = viewGroups(a, List.of(batch, r, m, rest), false);
                    View3d b4 = viewGroups(b, List.of(batch, r, rest, n), false);
                    if (a4 != null && b4 != null) {
                        a3 = a4;
                        b3 = b4;
                    }
                }
            }
            if (a3 == null) {
                a3 = viewGroups(a, List.of(batch, m, kk), true);
            }
            if (b3 == null) {
                b3 = viewGroups(b, List.of(batch, kk, n), true);
            }
            Tensor c = backend.batchedGemm(a3.view(), b3.view());
            int[] labels = new int[batch.size() + m.size() + n.size()];
            int[] dims = new int[labels.length];
            int p = 0;
            for (List<Integer> g : List.of(batch, m, n)) {
                for (int l : g) {
                    labels[p] = l;
                    dims[p++] = sizeOf(a, b, l);
                }
            }
            Tensor r = c.reshapeTakingOwnership(dims);
            return new Term(r, labels, r);
        } finally {
            if (a3 != null) {
                a3.release();
            }
            if (b3 != null) {
                b3.release();
            }
        }
    }

    private static int sizeOf(Term a, Term b, int label) {
        for (int i = 0; i < a.labels.length; i++) {
            if (a.labels[i] == label) {
                return a.view.dim(i);
            }
        }
        for (int i = 0; i < b.labels.length; i++) {
            if (b.labels[i] == label) {
                return b.view.dim(i);
            }
        }
        throw new IllegalStateException("label " + label + " in neither operand");
    }

    private static long product(Term a, Term b, List<Integer> labels) {
        long p = 1;
        for (int l : labels) {
            p *= sizeOf(a, b, l);
        }
        return p;
    }

    /** Axes of t sorted by decreasing stride (row-major memory order), stable. */
    private static int[] memoryOrder(Term t) {
        long[] st = t.view.strides();
        Integer[] ax = new Integer[st.length];
        for (int i = 0; i < ax.length; i++) {
            ax[i] = i;
        }
        Arrays.sort(ax, (x, y) -> Long.compare(st[y], st[x]));
        int[] r = new int[ax.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = ax[i];
        }
        return r;
    }

    /**
     * t viewed as [Π g0, …, Π g_last] (one dimension per group), or, if its strides do not allow and
     * {@code allowCopy}, copied. When the next-to-last group's labels lie inside the last group's in memory, the
     * view is built with those two swapped and then transposed, so that a needed copy keeps t's inner runs.
     * Returns null when no view exists and copying is not allowed.
     */
    private static View3d viewGroups(Term t, List<List<Integer>> groups, boolean allowCopy) {
        int ng = groups.size();
        boolean swap = minStride(t, groups.get(ng - 2)) < minStride(t, groups.get(ng - 1));
        List<List<Integer>> order = new ArrayList<>(groups);
        if (swap) {
            order.set(ng - 2, groups.get(ng - 1));
            order.set(ng - 1, groups.get(ng - 2));
        }
        int[] perm = new int[t.labels.length];
        int p = 0;
        int[] sizes = new int[ng];
        int gi = 0;
        for (List<Integer> g : order) {
            long size = 1;
            for (int l : g) {
                int ax = indexOf(t.labels, l);
                perm[p++] = ax;
                size *= t.view.dim(ax);
            }
            if (size > Integer.MAX_VALUE) {
                throw new Einsum4jException("a GEMM dimension of " + size + " exceeds the 2^31-1 BLAS limit");
            }
            sizes[gi++] = (int) size;
        }
        Tensor permuted = t.view.permute(perm);
        Tensor r = permuted.viewAs(sizes).orElse(null);
        Tensor copy = null;
        if (r == null) {
            if (!allowCopy) {
                return null;
            }
            copy = permuted.copy().reshapeTakingOwnership(sizes);
            r = copy;
        }
        if (swap) {
            int[] tp = new int[ng];
            for (int i = 0; i < ng; i++) {
                tp[i] = i;
            }
            tp[ng - 2] = ng - 1;
            tp[ng - 1] = ng - 2;
            r = r.permute(tp);
        }
        return new View3d(r, copy);
    }

    /** A 3-d operand view and, when one had to be made, the copy it views (to close after the GEMM). */
    private record View3d(Tensor view, Tensor copy) {
        void release() {
            if (copy != null) {
                copy.close();
            }
        }
    }

    /** The smallest stride among the group's dimensions of size > 1 (Long.MAX_VALUE when there are none). */
    private static long minStride(Term t, List<Integer> group) {
        long min = Long.MAX_VALUE;
        for (int l : group) {
            int ax = indexOf(t.labels, l);
            if (t.view.dim(ax) > 1) {
                min = Math.min(min, t.view.stride(ax));
            }
        }
        return min;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new IllegalStateException("label " + v + " not in " + Arrays.toString(a));
    }

    /** Sums what the output does not keep, permutes to the output order, and returns a new owned tensor. */
    private static Tensor finish(Term t, int[] output, int[] outDims, Backend backend) {
        BitSet keep = bits(output);
        t = sumAway(t, keep, backend);
        int[] perm = new int[output.length];
        boolean identity = true;
        for (int i = 0; i < output.length; i++) {
            perm[i] = indexOf(t.labels, output[i]);
            identity &= perm[i] == i;
        }
        if (identity && t.owner != null && t.view.isContiguous() && t.owner.numel() == t.view.numel()
                && t.view.offset() == t.owner.offset()) {
            return t.owner.reshapeTakingOwnership(outDims);
        }
        try {
            return backend.contiguousCopy(t.view.permute(perm));
        } finally {
            t.release();
        }
    }
}
