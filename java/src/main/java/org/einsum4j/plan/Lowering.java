package org.einsum4j.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.einsum4j.Backend;
import org.einsum4j.Einsum4jException;
import org.einsum4j.path.PathInfo;
import org.einsum4j.spec.Contraction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Shape;

/**
 * Lowers a contraction path to a {@link Plan}: the one place where label groups, GEMM shapes, copies, r-splits,
 * sums and lifetimes are decided. It follows the path's steps and their kept labels as the planner reported
 * them ({@link PathInfo.Step#result()}), so the planner and the plan never disagree on what a step keeps; a step
 * over three or more operands becomes pairs, smallest result first, so its intermediates stay as small as pairs
 * allow. Operand layouts are known (compiled strides), so every view and copy is decided here.
 */
final class Lowering {
    /** A value during lowering: the slot holding it, its labels (distinct), dims and strides. */
    private record Term(int slot, int[] labels, int[] dims, long[] strides, boolean owned) {
        long numel() {
            long n = 1;
            for (int d : dims) {
                n *= d;
            }
            return n;
        }
    }

    private final Contraction c;
    private final DType dtype;
    private final long[][] strides;
    private final Backend backend;
    private final int n;
    private final List<Step> steps = new ArrayList<>();
    private int slots;
    /** Bytes of each live intermediate slot (0 when free or an operand). */
    private final List<Long> slotBytes = new ArrayList<>();
    private long live;
    private long peak;
    private long workspace;
    /** The product of the sizes of summed labels no operand varies along: the result is multiplied by it. */
    private double scale = 1;

    Lowering(Contraction c, DType dtype, long[][] strides, Backend backend) {
        this.c = c;
        this.dtype = dtype;
        this.backend = backend;
        this.n = c.numInputs();
        this.strides = new long[n][];
        for (int i = 0; i < n; i++) {
            long[] s = strides == null ? null : strides[i];
            this.strides[i] = s == null ? contiguous(c.shape(i)) : s.clone();
        }
    }

    Plan lower(PathInfo path) {
        int[] output = c.output();
        int[] outDims = new int[output.length];
        for (int i = 0; i < output.length; i++) {
            outDims[i] = (int) c.size(output[i]);
        }
        int[][] opDims = c.shapes();
        Plan.Prepared[] prepared = new Plan.Prepared[n];
        List<Term> terms = new ArrayList<>();
        boolean[][] drops = broadcastDrops();
        for (int i = 0; i < n; i++) {
            prepared[i] = prepare(i, drops[i]);
            terms.add(new Term(i, prepared[i].labels(), prepared[i].dims(), prepared[i].strides(), false));
            slotBytes.add(0L);
        }
        slots = n;
        for (int l = 0; l < c.numLabels(); l++) {
            if (c.size(l) == 0) {
                return new Plan(backend, dtype, opDims, this.strides, prepared, new Step[0], n, outDims, true, 0,
                        Math.multiplyExact((long) dtype.byteSize(), numel(outDims)), 1);
            }
        }
        List<PathInfo.Step> pathSteps = path.steps();
        for (int si = 0; si < pathSteps.size(); si++) {
            PathInfo.Step step = pathSteps.get(si);
            int[] pos = step.positions().clone();
            Arrays.sort(pos);
            List<Term> picked = new ArrayList<>();
            for (int p : pos) {
                picked.add(terms.get(p));
            }
            for (int q = pos.length - 1; q >= 0; q--) {
                terms.remove(pos[q]);
            }
            terms.add(fold(picked, mask(step.result()), si == pathSteps.size() - 1 ? output : null));
        }
        if (terms.size() != 1) {
            throw new Einsum4jException("path " + path.path().size() + " steps leave " + terms.size()
                    + " operands; it must end with one");
        }
        Term last = sumAway(terms.get(0), mask(output));
        int[] perm = new int[output.length];
        boolean identity = true;
        for (int i = 0; i < output.length; i++) {
            perm[i] = position(last.labels, output[i]); // -1: no operand varies along it, broadcast
            identity &= perm[i] == i;
        }
        boolean inPlace = identity && last.owned && last.labels.length == output.length;
        long[] ps = new long[perm.length];
        for (int i = 0; i < perm.length; i++) {
            ps[i] = perm[i] < 0 ? 0 : last.strides[perm[i]];
        }
        if (!inPlace) {
            note(bytes(outDims));
        }
        steps.add(new Step.Output(last.slot, outDims, ps, inPlace, last.owned && !inPlace ? new int[] {last.slot}
                : new int[0]));
        return new Plan(backend, dtype, opDims, this.strides, prepared, steps.toArray(new Step[0]), slots, outDims,
                false, workspace, peak, scale);
    }

    /**
     * The labels each operand does not vary along although it has them with size > 1 (stride 0: a broadcast
     * view), which {@link #prepare} drops, so no step ever reads, sums or copies a stride-0 dimension. Exact: a
     * factor that does not depend on a label factors out of the sum over it; a summed label no operand varies
     * along is a multiplication by its size ({@link #scale}); an output label no operand varies along is
     * broadcast (stride 0) by the final copy.
     */
    private boolean[][] broadcastDrops() {
        int nl = c.numLabels();
        boolean[] varies = new boolean[nl];
        boolean[][] flat = new boolean[n][nl];
        for (int i = 0; i < n; i++) {
            long[] acc = new long[nl];
            boolean[] has = new boolean[nl];
            int[] labels = c.input(i);
            for (int d = 0; d < labels.length; d++) {
                has[labels[d]] = true;
                acc[labels[d]] += strides[i][d];
            }
            for (int l = 0; l < nl; l++) {
                if (has[l] && c.size(l) > 1) {
                    flat[i][l] = acc[l] == 0 && !sizeOneIn(i, l);
                    varies[l] |= !flat[i][l] && !sizeOneIn(i, l);
                }
            }
        }
        boolean[] inOutput = mask(c.output());
        for (int l = 0; l < nl; l++) {
            if (!varies[l] && !inOutput[l] && c.size(l) > 1) {
                for (int i = 0; i < n; i++) {
                    if (flat[i][l]) {
                        scale *= c.size(l);
                        break;
                    }
                }
            }
        }
        return flat;
    }

    /** True when operand i has label l only as size-1 dimensions (numpy broadcasting, dropped as before). */
    private boolean sizeOneIn(int i, int l) {
        int[] labels = c.input(i);
        int[] shape = c.shape(i);
        for (int d = 0; d < labels.length; d++) {
            if (labels[d] == l && shape[d] != 1) {
                return false;
            }
        }
        return true;
    }

    /**
     * Diagonals as views (strides of repeated labels added up), broadcast dims (size 1 < label size) dropped, and
     * the stride-0 dims {@link #broadcastDrops} names dropped.
     */
    private Plan.Prepared prepare(int operand, boolean[] drop) {
        int[] labels = c.input(operand);
        int[] shape = c.shape(operand);
        long[] st = strides[operand];
        int[] order = new int[labels.length];
        int count = 0;
        long[] acc = new long[c.numLabels()];
        boolean[] present = new boolean[c.numLabels()];
        for (int d = 0; d < labels.length; d++) {
            int l = labels[d];
            if (shape[d] == 1 && c.size(l) > 1) {
                continue; // broadcast: this operand does not vary along l
            }
            if (drop[l]) {
                continue; // stride 0: the operand does not vary along l either
            }
            if (!present[l]) {
                present[l] = true;
                order[count++] = l;
            }
            acc[l] += st[d];
        }
        int[] nl = Arrays.copyOf(order, count);
        int[] nd = new int[count];
        long[] ns = new long[count];
        for (int i = 0; i < count; i++) {
            nd[i] = (int) c.size(nl[i]);
            ns[i] = acc[nl[i]];
        }
        boolean identity = Arrays.equals(nd, shape) && Arrays.equals(ns, st);
        return new Plan.Prepared(nl, nd, ns, identity);
    }

    /**
     * Contracts the picked terms pairwise, smallest result first, keeping the labels in {@code keep}; the last pair
     * aims at the {@code target} label order (null: any).
     */
    private Term fold(List<Term> picked, boolean[] keep, int[] target) {
        if (picked.size() == 1) {
            return sumAway(picked.get(0), keep);
        }
        List<Term> live = new ArrayList<>(picked);
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
            boolean[] k = keepFor(live, bi, bj, keep);
            Term b = live.remove(bj); // bj > bi
            Term a = live.remove(bi);
            live.add(pair(a, b, k, live.isEmpty() ? target : null));
        }
        return live.get(0);
    }

    /** The labels a pair (i, j) of {@code live} must keep: {@code keep} and those of the other live terms. */
    private static boolean[] keepFor(List<Term> live, int i, int j, boolean[] keep) {
        boolean[] k = keep.clone();
        for (int q = 0; q < live.size(); q++) {
            if (q != i && q != j) {
                for (int l : live.get(q).labels) {
                    k[l] = true;
                }
            }
        }
        return k;
    }

    /** Elements of the result of contracting a and b keeping {@code keep}. */
    private static double resultSize(Term a, Term b, boolean[] keep) {
        boolean[] seen = new boolean[keep.length];
        double size = 1;
        for (Term t : new Term[] {a, b}) {
            for (int d = 0; d < t.labels.length; d++) {
                int l = t.labels[d];
                if (keep[l] && !seen[l]) {
                    seen[l] = true;
                    size *= t.dims[d];
                }
            }
        }
        return size;
    }

    private Term pair(Term a, Term b, boolean[] keep, int[] target) {
        boolean[] keepA = keep.clone();
        for (int l : b.labels) {
            keepA[l] = true;
        }
        boolean[] keepB = keep.clone();
        for (int l : a.labels) {
            keepB[l] = true;
        }
        Term sa = sumAway(a, keepA);
        Term sb = sumAway(b, keepB);
        return productStep(sa, sb, keep, target) ? multiply(sa, sb, keep, target) : gemm(sa, sb, keep, target);
    }

    /**
     * Whether a · b is a {@link Step.Multiply} rather than a GEMM: no summed label and m or n empty (an element-wise
     * or broadcast product), or m and n empty with summed labels that are not a unit-stride dimension of both
     * operands (those are the row dots of the GEMM path). Outer products (no summed label, m and n both non-empty)
     * stay GEMMs for the fused outer kernel unless they are the last step and neither orientation gives the output
     * order, where the GEMM's result would need a final permuting copy and the Multiply writes the output order at
     * once ({@code ij,jk->ijk} 256×256 by 256×64: 1.32 ms through the GEMM and the copy, numpy 0.68 ms). FLOAT32 and
     * FLOAT64 only: the 16-bit types keep the GEMM path, which widens its operands once rather than a broadcast
     * iteration space.
     */
    private boolean productStep(Term a, Term b, boolean[] keep, int[] target) {
        if (dtype != DType.FLOAT32 && dtype != DType.FLOAT64) {
            return false;
        }
        int[][] g = groups(a, b, keep);
        boolean mEmpty = g[1].length == 0;
        boolean nEmpty = g[3].length == 0;
        if (g[2].length == 0) {
            if (mEmpty || nEmpty) {
                return true;
            }
            if (target == null) {
                return false;
            }
            int[][] sw = groups(b, a, keep);
            return !Arrays.equals(concat(g[0], concat(g[1], g[3])), target)
                    && !Arrays.equals(concat(sw[0], concat(sw[1], sw[3])), target);
        }
        if (!mEmpty || !nEmpty) {
            return false;
        }
        Step.Operand oa = viewGroups(a, new int[][] {g[0], g[1], g[2]}, false);
        Step.Operand ob = viewGroups(b, new int[][] {g[0], g[2], g[3]}, false);
        boolean rowDots = oa != null && ob != null && oa.strides()[2] == 1 && ob.strides()[1] == 1;
        return !rowDots;
    }

    /**
     * The {@link Step.Multiply} of a and b: the result's labels in {@code target} order when it has exactly them
     * (the last step: no final copy), else in the memory order of the operand that has them all (the larger, when
     * both do), so that it is read in order and the next step finds the same layout.
     */
    private Term multiply(Term a, Term b, boolean[] keep, int[] target) {
        Term ref = a.numel() >= b.numel() ? a : b;
        Term other = ref == a ? b : a;
        boolean[] inRef = mask(ref.labels);
        IntList keptLabels = new IntList();
        IntList summed = new IntList();
        for (int ax : memoryOrder(ref)) {
            (keep[ref.labels[ax]] ? keptLabels : summed).add(ref.labels[ax]);
        }
        for (int ax : memoryOrder(other)) {
            if (!inRef[other.labels[ax]]) {
                keptLabels.add(other.labels[ax]); // a label of the smaller operand only: never summed here
            }
        }
        int[] labels = keptLabels.toArray();
        if (target != null && target.length == labels.length && Arrays.equals(sorted(target), sorted(labels))) {
            labels = target.clone();
        }
        int[] space = concat(labels, summed.toArray());
        int[] sizes = new int[space.length];
        long[] strA = new long[space.length];
        long[] strB = new long[space.length];
        boolean[] reduce = new boolean[space.length];
        for (int i = 0; i < space.length; i++) {
            sizes[i] = sizeOf(a, b, space[i]);
            strA[i] = strideOf(a, space[i]);
            strB[i] = strideOf(b, space[i]);
            reduce[i] = i >= labels.length;
        }
        int[] dims = Arrays.copyOf(sizes, labels.length);
        int dst = allocate(dims, 0);
        int[] free = concat(release(a), release(b));
        steps.add(new Step.Multiply(a.slot, b.slot, sizes, strA, strB, reduce, labels, dims, dst, free));
        return new Term(dst, labels, dims, contiguous(dims), true);
    }

    /** t's stride along label l, 0 when t lacks it (a broadcast). */
    private static long strideOf(Term t, int l) {
        int ax = position(t.labels, l);
        return ax < 0 ? 0 : t.strides[ax];
    }

    private static int[] sorted(int[] x) {
        int[] s = x.clone();
        Arrays.sort(s);
        return s;
    }

    /** Sums away the labels of {@code t} not in {@code keep} (a Sum step), or returns t when all are kept. */
    private Term sumAway(Term t, boolean[] keep) {
        boolean[] reduce = new boolean[t.labels.length];
        int kept = 0;
        for (int i = 0; i < reduce.length; i++) {
            reduce[i] = !keep[t.labels[i]];
            if (!reduce[i]) {
                kept++;
            }
        }
        if (kept == t.labels.length) {
            return t;
        }
        int[] nl = new int[kept];
        int[] nd = new int[kept];
        for (int i = 0, j = 0; i < reduce.length; i++) {
            if (!reduce[i]) {
                nl[j] = t.labels[i];
                nd[j++] = t.dims[i];
            }
        }
        int dst = allocate(nd, 0);
        steps.add(new Step.Sum(t.slot, reduce, nl, nd, dst, release(t)));
        return new Term(dst, nl, nd, contiguous(nd), true);
    }

    /**
     * The GEMM of a and b. With a {@code target} label order (the output's, for the last GEMM), the operands are
     * swapped when that makes the result come out in that order ({@code Cᵀ = Bᵀ Aᵀ}), sparing the final copy.
     */
    private Term gemm(Term a, Term b, boolean[] keep, int[] target) {
        int[][] g = groups(a, b, keep);
        int[][] swapped = groups(b, a, keep);
        boolean swap;
        boolean targetAB = target != null && Arrays.equals(concat(g[0], concat(g[1], g[3])), target);
        boolean targetBA = target != null && Arrays.equals(concat(swapped[0], concat(swapped[1], swapped[3])), target);
        if (targetAB || targetBA) {
            swap = !targetAB;
        } else {
            // the orientation that reads both operands in place; between equals, the larger operand as A, so that
            // its labels stay in front and the small operand's are appended: a chain of matrix-times-tensor steps
            // (E06's four-index transform) then rotates labels without a copy and ends in output order
            boolean inPlaceAB = viewGroups(a, new int[][] {g[0], g[1], g[2]}, false) != null
                    && viewGroups(b, new int[][] {g[0], g[2], g[3]}, false) != null;
            boolean inPlaceBA = viewGroups(b, new int[][] {swapped[0], swapped[1], swapped[2]}, false) != null
                    && viewGroups(a, new int[][] {swapped[0], swapped[2], swapped[3]}, false) != null;
            // (when both need copies, the order given stands: the copies' layouts then decide the next step's views)
            swap = inPlaceAB != inPlaceBA ? inPlaceBA : inPlaceAB && b.numel() > a.numel();
        }
        if (swap) {
            Term t = a;
            a = b;
            b = t;
            g = swapped;
        }
        int[] bt = g[0];
        int[] mt = g[1];
        int[] kt = g[2];
        int[] nt = g[3];
        Step.Operand oa = viewGroups(a, new int[][] {bt, mt, kt}, false);
        Step.Operand ob = viewGroups(b, new int[][] {bt, kt, nt}, false);
        int split = 0;
        if (oa == null || ob == null) {
            // no copy-free 3-d view: split leading summed labels off into an accumulated loop dimension
            // (C += A_r B_r), as long as the GEMMs stay deep enough for this backend; otherwise copy.
            for (int s = 1; s < kt.length; s++) {
                int[] r = Arrays.copyOfRange(kt, 0, s);
                int[] rest = Arrays.copyOfRange(kt, s, kt.length);
                if (product(a, b, rest) < backend.minSplitDepth()) {
                    break;
                }
                Step.Operand a4 = viewGroups(a, new int[][] {bt, r, mt, rest}, false);
                Step.Operand b4 = viewGroups(b, new int[][] {bt, r, rest, nt}, false);
                if (a4 != null && b4 != null) {
                    oa = a4;
                    ob = b4;
                    split = s;
                    break;
                }
            }
        }
        if (oa == null) {
            oa = viewGroups(a, new int[][] {bt, mt, kt}, true);
        }
        if (ob == null) {
            ob = viewGroups(b, new int[][] {bt, kt, nt}, true);
        }
        int[] labels = new int[bt.length + mt.length + nt.length];
        int[] dims = new int[labels.length];
        int p = 0;
        for (int[] group : new int[][] {bt, mt, nt}) {
            for (int l : group) {
                labels[p] = l;
                dims[p++] = sizeOf(a, b, l);
            }
        }
        int[] shape3 = {groupSize(a, b, bt), groupSize(a, b, mt), groupSize(a, b, nt)};
        long ws = 0;
        for (Step.Operand o : new Step.Operand[] {oa, ob}) {
            if (o.needsCopy()) {
                ws = Math.min(CAP, ws + Math.min(CAP / 8, o.copy().elements()) * dtype.byteSize());
            }
        }
        workspace = Math.max(workspace, ws);
        int dst = allocate(dims, ws);
        int[] free = concat(release(a), release(b));
        steps.add(new Step.Gemm(a.slot, b.slot, bt, mt, kt, nt, split, oa, ob, labels, dims, shape3,
                contiguous(shape3), dst, free));
        return new Term(dst, labels, dims, contiguous(dims), true);
    }

    /** The label groups {batch, m, k, n} of a · b, each in the memory order that spares copies. */
    private int[][] groups(Term a, Term b, boolean[] keep) {
        boolean[] inA = mask(a.labels);
        boolean[] inB = mask(b.labels);
        // shared groups are ordered by the larger operand's memory order, so that operand needs no copy
        Term ref = a.numel() >= b.numel() ? a : b;
        IntList batch = new IntList();
        IntList kk = new IntList();
        for (int ax : memoryOrder(ref)) {
            int l = ref.labels[ax];
            if (inA[l] && inB[l]) {
                (keep[l] ? batch : kk).add(l);
            }
        }
        IntList m = new IntList();
        for (int ax : memoryOrder(a)) {
            if (!inB[a.labels[ax]]) {
                m.add(a.labels[ax]);
            }
        }
        IntList nn = new IntList();
        for (int ax : memoryOrder(b)) {
            if (!inA[b.labels[ax]]) {
                nn.add(b.labels[ax]);
            }
        }
        return new int[][] {batch.toArray(), m.toArray(), kk.toArray(), nn.toArray()};
    }

    /** A new intermediate slot of these dims, counted live; {@code transient} workspace bytes counted in the peak. */
    private int allocate(int[] dims, long transientBytes) {
        long b = bytes(dims);
        note(Math.min(CAP, b + Math.min(CAP, transientBytes)));
        live = Math.min(CAP, live + b);
        slotBytes.add(b);
        return slots++;
    }

    private void note(long extra) {
        peak = Math.min(CAP, Math.max(peak, live + extra));
    }

    /** Frees t's slot after the step that reads it (its only use: each value is consumed once). */
    private int[] release(Term t) {
        if (!t.owned) {
            return new int[0];
        }
        live -= slotBytes.get(t.slot);
        slotBytes.set(t.slot, 0L);
        return new int[] {t.slot};
    }

    /** Bytes of a contiguous tensor of these dims, saturated at {@link #CAP} (sums of a few stay positive). */
    private long bytes(int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d != 0 && n > CAP / d) {
                return CAP;
            }
            n *= d;
        }
        return n > CAP / dtype.byteSize() ? CAP : n * dtype.byteSize();
    }

    /** Sizes beyond 2^61 bytes are all "too large": saturating there keeps the peak arithmetic from wrapping. */
    static final long CAP = 1L << 61;

    private int groupSize(Term a, Term b, int[] group) {
        long p = product(a, b, group);
        if (p > Integer.MAX_VALUE) {
            throw new Einsum4jException("a GEMM dimension of " + p + " exceeds the 2^31-1 BLAS limit");
        }
        return (int) p;
    }

    private static int sizeOf(Term a, Term b, int label) {
        for (int i = 0; i < a.labels.length; i++) {
            if (a.labels[i] == label) {
                return a.dims[i];
            }
        }
        for (int i = 0; i < b.labels.length; i++) {
            if (b.labels[i] == label) {
                return b.dims[i];
            }
        }
        throw new IllegalStateException("label " + label + " in neither operand");
    }

    private static long product(Term a, Term b, int[] labels) {
        long p = 1;
        for (int l : labels) {
            p *= sizeOf(a, b, l);
        }
        return p;
    }

    /** Axes of t sorted by decreasing stride (row-major memory order), stable. */
    private static int[] memoryOrder(Term t) {
        int[] ax = new int[t.labels.length];
        for (int i = 0; i < ax.length; i++) {
            int x = i;
            int j = i;
            while (j > 0 && t.strides[ax[j - 1]] < t.strides[x]) {
                ax[j] = ax[j - 1];
                j--;
            }
            ax[j] = x;
        }
        return ax;
    }

    /**
     * t viewed as [Π g0, …, Π g_last] (one dimension per group), or, if its strides do not allow and
     * {@code allowCopy}, copied into workspace. When the next-to-last group's labels lie inside the last group's in
     * memory, the view is built with those two swapped and then transposed, so that a needed copy keeps t's inner
     * runs. Null when no view exists and copying is not allowed.
     */
    private Step.Operand viewGroups(Term t, int[][] groups, boolean allowCopy) {
        int ng = groups.length;
        boolean swap = minStride(t, groups[ng - 2]) < minStride(t, groups[ng - 1]);
        int[][] order = groups.clone();
        if (swap) {
            order[ng - 2] = groups[ng - 1];
            order[ng - 1] = groups[ng - 2];
        }
        int rank = t.labels.length;
        int[] pd = new int[rank];
        long[] pstr = new long[rank];
        int[] sizes = new int[ng];
        long[] gs = new long[ng];
        boolean viewable = true;
        int p = 0;
        for (int g = 0; g < ng; g++) {
            long size = 1;
            long stride = -1;
            long lastStride = 0;
            for (int l : order[g]) {
                int ax = indexOf(t.labels, l);
                pd[p] = t.dims[ax];
                pstr[p++] = t.strides[ax];
                size *= t.dims[ax];
                if (t.dims[ax] != 1) {
                    // numpy's no-copy reshape: consecutive non-1 axes merge when outer = size·stride of inner
                    if (stride >= 0 && lastStride != (long) t.dims[ax] * t.strides[ax]) {
                        viewable = false;
                    }
                    stride = t.strides[ax];
                    lastStride = t.strides[ax];
                }
            }
            if (size > Integer.MAX_VALUE) {
                throw new Einsum4jException("a GEMM dimension of " + size + " exceeds the 2^31-1 BLAS limit");
            }
            sizes[g] = (int) size;
            gs[g] = stride < 0 ? 1 : stride;
        }
        Step.Copy copy = null;
        if (!viewable) {
            if (!allowCopy) {
                return null;
            }
            copy = new Step.Copy(pd, pstr);
            gs = contiguous(sizes);
        }
        if (swap) {
            int s = sizes[ng - 2];
            sizes[ng - 2] = sizes[ng - 1];
            sizes[ng - 1] = s;
            long x = gs[ng - 2];
            gs[ng - 2] = gs[ng - 1];
            gs[ng - 1] = x;
        }
        return new Step.Operand(sizes, gs, copy);
    }

    /** The smallest stride among the group's dimensions of size > 1 (Long.MAX_VALUE when there are none). */
    private static long minStride(Term t, int[] group) {
        long min = Long.MAX_VALUE;
        for (int l : group) {
            int ax = indexOf(t.labels, l);
            if (t.dims[ax] > 1) {
                min = Math.min(min, t.strides[ax]);
            }
        }
        return min;
    }

    /** The index of v in a, or -1. */
    private static int position(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        throw new IllegalStateException("label " + v + " not in " + Arrays.toString(a));
    }

    private boolean[] mask(int[] labels) {
        boolean[] m = new boolean[c.numLabels()];
        for (int l : labels) {
            m[l] = true;
        }
        return m;
    }

    private static int[] concat(int[] x, int[] y) {
        int[] r = Arrays.copyOf(x, x.length + y.length);
        System.arraycopy(y, 0, r, x.length, y.length);
        return r;
    }

    private static long numel(int[] dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return n;
    }

    private static long[] contiguous(int[] dims) {
        return Shape.of(dims).contiguousStrides();
    }

    /** A growable int list (labels of one group), without boxing. */
    private static final class IntList {
        private int[] a = new int[4];
        private int size;

        void add(int v) {
            if (size == a.length) {
                a = Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }
}
