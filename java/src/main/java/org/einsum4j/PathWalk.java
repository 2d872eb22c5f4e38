package org.einsum4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.einsum4j.path.PathInfo;
import org.einsum4j.path.Planner;
import org.einsum4j.plan.Plan;
import org.einsum4j.spec.Contraction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * The operand list of a contraction as its path evolves it, one step at a time (each step removes its operands
 * and appends its result): for what runs a path step by step outside a compiled plan, constant folding
 * ({@link ContractExpression#withConstants}) and shared intermediates ({@link SharedIntermediates}). Each entry
 * has labels (ids of the contraction), dims and a tensor (null where a variable operand goes).
 */
final class PathWalk {
    private final Contraction c;
    final List<Tensor> tensors = new ArrayList<>();
    final List<int[]> labels = new ArrayList<>();
    final List<int[]> dims = new ArrayList<>();

    /** The contraction's operands: {@code tensors[i]} (null allowed) with {@code shapes[i]}. */
    PathWalk(Contraction c, Tensor[] tensors, int[][] shapes) {
        this.c = c;
        for (int i = 0; i < tensors.length; i++) {
            this.tensors.add(tensors[i]);
            labels.add(c.input(i));
            dims.add(shapes[i].clone());
        }
    }

    /** The tensors a step takes, in its positions' order. */
    Tensor[] operands(PathInfo.Step st) {
        int[] pos = st.positions();
        Tensor[] ops = new Tensor[pos.length];
        for (int q = 0; q < pos.length; q++) {
            ops[q] = tensors.get(pos[q]);
        }
        return ops;
    }

    /** The step alone as a contraction of its operands into its result (labels renumbered densely). */
    Contraction sub(PathInfo.Step st) {
        int[] pos = st.positions();
        int[][] in = new int[pos.length][];
        int[][] sh = new int[pos.length][];
        for (int q = 0; q < pos.length; q++) {
            in[q] = labels.get(pos[q]);
            sh[q] = dims.get(pos[q]);
        }
        return subContraction(c, in, st.result(), sh);
    }

    /** Runs a step's sub-contraction on its operands in one plan; a new tensor owned by the caller. */
    static Tensor contract(Contraction sub, Tensor[] ops, DType dtype, Backend backend) {
        int[] all = new int[ops.length];
        for (int q = 0; q < all.length; q++) {
            all[q] = q;
        }
        return Plan.compile(sub, Planner.plan(sub, List.of(all)), dtype, Plan.stridesOf(ops), backend).execute(ops);
    }

    /** Removes the step's operands and appends its result. */
    void replace(PathInfo.Step st, Tensor result) {
        int[] sorted = st.positions().clone();
        Arrays.sort(sorted);
        for (int q = sorted.length - 1; q >= 0; q--) {
            tensors.remove(sorted[q]);
            labels.remove(sorted[q]);
            dims.remove(sorted[q]);
        }
        tensors.add(result);
        labels.add(st.result().clone());
        dims.add(result.dims());
    }

    /** The single remaining tensor in the contraction's output label order: a new tensor (a permuted copy). */
    Tensor resultCopy() {
        if (tensors.size() != 1) {
            throw new Einsum4jException("path leaves " + tensors.size() + " operands; it must end with one");
        }
        int[] have = labels.get(0);
        int[] out = c.output();
        int[] perm = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < have.length; j++) {
                if (have[j] == out[i]) {
                    perm[i] = j;
                }
            }
        }
        return tensors.get(0).permute(perm).copy();
    }

    /**
     * A contraction over some of {@code c}'s labels: these inputs (label ids of c) and output, with the given operand
     * shapes; labels renumbered densely in order of first appearance, symbols and sizes kept.
     */
    static Contraction subContraction(Contraction c, int[][] inputs, int[] output, int[][] shapes) {
        int[] map = new int[c.numLabels()];
        Arrays.fill(map, -1);
        List<Integer> used = new ArrayList<>();
        int[][] in = new int[inputs.length][];
        for (int i = 0; i < inputs.length; i++) {
            in[i] = new int[inputs[i].length];
            for (int d = 0; d < inputs[i].length; d++) {
                in[i][d] = renumber(inputs[i][d], map, used);
            }
        }
        int[] out = new int[output.length];
        for (int d = 0; d < output.length; d++) {
            out[d] = renumber(output[d], map, used);
        }
        long[] sizes = new long[used.size()];
        String[] symbols = new String[used.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = c.size(used.get(i));
            symbols[i] = c.symbol(used.get(i));
        }
        return new Contraction(in, out, sizes, shapes, symbols);
    }

    private static int renumber(int label, int[] map, List<Integer> used) {
        if (map[label] < 0) {
            map[label] = used.size();
            used.add(label);
        }
        return map[label];
    }
}
