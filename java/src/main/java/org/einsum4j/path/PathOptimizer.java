package org.einsum4j.path;

import java.util.List;

/**
 * A contraction path optimizer: opt_einsum's one signature {@code (inputs, output, sizes, memory_limit) → path},
 * so that built-in optimizers and user optimizers are interchangeable (register one with
 * {@link PathOptimizers#register}, or pass it in {@code ContractOptions.withOptimizer}).
 *
 * <p>Labels are integer ids {@code 0 … sizes.length−1}; an operand's labels may repeat (a diagonal) and their
 * order does not matter here. The path is in opt_einsum's format: each step lists positions in the current
 * operand list; those operands are removed and the result is appended at the end. Steps usually contract two
 * operands; a step may also name one operand (a reduction) or more than two.
 */
@FunctionalInterface
public interface PathOptimizer {
    /** No memory limit. */
    long NO_LIMIT = -1;

    /**
     * @param inputs      label ids of each operand
     * @param output      label ids of the result
     * @param sizes       size of each label
     * @param memoryLimit the most elements any intermediate may have, or {@link #NO_LIMIT}
     * @return the path; every intermediate (every step's result except the last) must respect the limit
     */
    List<int[]> optimize(int[][] inputs, int[] output, long[] sizes, long memoryLimit);
}
