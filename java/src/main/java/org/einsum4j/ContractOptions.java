package org.einsum4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.einsum4j.path.PathOptimizer;

/**
 * Options of a contraction: the path optimizer (a name as opt_einsum has them, e.g. {@code auto},
 * {@code greedy}, {@code optimal}, {@code dp}; or a user {@link PathOptimizer}; or an explicit path), the memory
 * limit in elements ({@link #NO_LIMIT}, a positive number, or {@link #MAX_INPUT}), and the backend ({@code null}:
 * the operands' device's, the default; a name such as {@code cpu} or {@code cuda:0} must match where the
 * operands live).
 *
 * <p>Which path is used: an explicit {@code path} if set, else the {@code optimizer} if set, else the optimizer
 * named by {@code optimize}.
 *
 * <p>{@code maxSearchTime} (cotengra's {@code max_time}; {@code null} for none) bounds the path search: an
 * exhaustive optimizer ({@code optimal}, {@code branch-all}) still searching then fails with a
 * {@link org.einsum4j.path.SearchLimitException} naming the faster alternatives, rather than running for hours.
 * Those optimizers also refuse, before searching, networks with more operands than they can finish.
 */
public record ContractOptions(String optimize, long memoryLimit, String backend, PathOptimizer optimizer,
        List<int[]> path, Duration maxSearchTime) {
    /** No memory limit (opt_einsum's {@code -1} / {@code None}). */
    public static final long NO_LIMIT = -1;
    /** opt_einsum's {@code "max_input"}: the largest input or output size. */
    public static final long MAX_INPUT = -2;

    public ContractOptions {
        if (memoryLimit == 0 || memoryLimit < MAX_INPUT) {
            throw new Einsum4jException("memory limit must be a positive number of elements, -1 (none) or "
                    + "max_input; was " + memoryLimit);
        }
        if (path != null) {
            List<int[]> copy = new ArrayList<>(path.size());
            for (int[] step : path) {
                copy.add(step.clone());
            }
            path = List.copyOf(copy);
        }
        if (maxSearchTime != null && (maxSearchTime.isNegative() || maxSearchTime.isZero())) {
            throw new Einsum4jException("max search time must be positive; was " + maxSearchTime);
        }
    }

    public ContractOptions(String optimize, long memoryLimit, String backend, PathOptimizer optimizer,
            List<int[]> path) {
        this(optimize, memoryLimit, backend, optimizer, path, null);
    }

    public ContractOptions(String optimize, long memoryLimit, String backend) {
        this(optimize, memoryLimit, backend, null, null, null);
    }

    public static ContractOptions defaults() {
        return new ContractOptions("auto", NO_LIMIT, null);
    }

    /** Use the optimizer of this name (case-insensitive); clears a user optimizer or explicit path. */
    public ContractOptions withOptimize(String name) {
        return new ContractOptions(name, memoryLimit, backend, null, null, maxSearchTime);
    }

    public ContractOptions withMemoryLimit(long limit) {
        return new ContractOptions(optimize, limit, backend, optimizer, path, maxSearchTime);
    }

    /** {@code "-1"} / {@code "none"}, {@code "max_input"}, or a positive number of elements. */
    public ContractOptions withMemoryLimit(String limit) {
        return withMemoryLimit(parseMemoryLimit(limit));
    }

    public ContractOptions withBackend(String name) {
        return new ContractOptions(optimize, memoryLimit, name, optimizer, path, maxSearchTime);
    }

    /** Use a user path optimizer (its name in reports: {@code custom}). */
    public ContractOptions withOptimizer(PathOptimizer userOptimizer) {
        return new ContractOptions(optimize, memoryLimit, backend, userOptimizer, null, maxSearchTime);
    }

    /** Use this explicit path (opt_einsum's format: positions in the current operand list, result appended). */
    public ContractOptions withPath(List<int[]> explicitPath) {
        return new ContractOptions(optimize, memoryLimit, backend, null, explicitPath, maxSearchTime);
    }

    /** Bounds the path search to {@code maxTime} ({@code null}: no bound); see the class comment. */
    public ContractOptions withMaxSearchTime(Duration maxTime) {
        return new ContractOptions(optimize, memoryLimit, backend, optimizer, path, maxTime);
    }

    /** Parses a memory limit as opt_einsum accepts it: {@code -1}/{@code none}, {@code max_input}, or N > 0. */
    public static long parseMemoryLimit(String s) {
        String t = s.trim().toLowerCase(java.util.Locale.ROOT);
        if (t.equals("max_input")) {
            return MAX_INPUT;
        }
        if (t.equals("-1") || t.equals("none")) {
            return NO_LIMIT;
        }
        try {
            long v;
            try {
                v = Long.parseLong(t);
            } catch (NumberFormatException notLong) {
                double d = Double.parseDouble(t); // e.g. 1e9
                if (!Double.isFinite(d) || d != Math.rint(d) || d >= 0x1p63) {
                    throw notLong;
                }
                v = (long) d;
            }
            if (v < 1) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new Einsum4jException("memory limit must be a positive number of elements, -1 (none) or "
                    + "max_input; was '" + s + "'");
        }
    }
}
