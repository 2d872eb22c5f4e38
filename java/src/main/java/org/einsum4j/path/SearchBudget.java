package org.einsum4j.path;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * Bounds on the exhaustive searches ({@link Optimal}, {@link BranchBound} with all branches), whose cost grows
 * factorially (or as 3^n) with the operand count: {@code optimal} takes 0.2 s at 16 operands and does not end in
 * 60 s at 20. Two guards, both ending in a {@link SearchLimitException} that names the alternatives:
 * <ul>
 *   <li>an operand limit per search, checked before any work (measured on a ring of 3-index operands, each extra
 *       operand costs about 4× in the depth-first searches: 11 operands take 0.5 s, so 12 is ~2 s);</li>
 *   <li>an optional deadline (cotengra's {@code max_time}), set by the {@link Planner} for the calling thread from
 *       {@code ContractOptions.maxSearchTime()} and polled by the searches every few thousand nodes.</li>
 * </ul>
 * The deadline lives in a thread-local so that {@link PathOptimizer}'s one signature stays opt_einsum's.
 */
final class SearchBudget {
    /** {@link SubsetSearch}'s 3^n pairs: 3^16 ≈ 43 M takes about 0.2 s; 3^20 takes minutes. */
    static final int SUBSET_MAX_OPERANDS = SubsetSearch.MAX_OPERANDS;
    /** The depth-first searches ({@code optimal} with a memory limit, {@code branch-all}). */
    static final int DEPTH_FIRST_MAX_OPERANDS = 12;

    private static final ThreadLocal<long[]> DEADLINE = new ThreadLocal<>();
    /** How many search nodes pass between two reads of the clock. */
    private static final int POLL_EVERY = 4096;

    private SearchBudget() {
    }

    /** Runs {@code search} with a deadline of {@code maxTime} from now on this thread ({@code null}: none). */
    static <T> T within(Duration maxTime, Supplier<T> search) {
        if (maxTime == null) {
            return search.get();
        }
        long[] saved = DEADLINE.get();
        long start = System.nanoTime();
        long nanos = maxTime.toNanos();
        DEADLINE.set(new long[] {start + nanos, nanos, 0});
        try {
            return search.get();
        } finally {
            if (saved == null) {
                DEADLINE.remove();
            } else {
                DEADLINE.set(saved);
            }
        }
    }

    /** Refuses a network with more than {@code max} operands for the exhaustive search {@code name}. */
    static void checkOperands(String name, int operands, int max) {
        if (operands > max) {
            throw new SearchLimitException(name + ": " + operands + " operands is more than this exhaustive search "
                    + "handles (at most " + max + "; its time grows factorially with the operand count); use "
                    + alternatives());
        }
    }

    /** A clock for one search: {@link #tick} is called once per node and throws once the deadline has passed. */
    static Clock clock(String name) {
        long[] d = DEADLINE.get();
        return d == null ? null : new Clock(name, d[0], d[1]);
    }

    static String alternatives() {
        return "greedy or dp (fast, near-optimal), or auto-hq (chooses by operand count)";
    }

    static final class Clock {
        private final String name;
        private final long deadline;
        private final long allowed;
        private int count;

        private Clock(String name, long deadline, long allowed) {
            this.name = name;
            this.deadline = deadline;
            this.allowed = allowed;
        }

        /** Polls the clock every {@link #POLL_EVERY} calls. */
        void tick() {
            if (++count >= POLL_EVERY) {
                count = 0;
                if (System.nanoTime() - deadline > 0) {
                    throw new SearchLimitException(name + ": the path search ran past its time limit of "
                            + Duration.ofNanos(allowed).toMillis() + " ms (max search time); use "
                            + alternatives() + ", or allow more time");
                }
            }
        }
    }
}
