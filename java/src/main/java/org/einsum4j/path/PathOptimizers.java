package org.einsum4j.path;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.einsum4j.Einsum4jException;

/**
 * The optimizers by name (case-insensitive), as opt_einsum names them: {@code auto, auto-hq, optimal, branch-all,
 * branch-2, branch-1, greedy} (alias {@code eager}, {@code opportunistic}), {@code random-greedy,
 * random-greedy-128, dp} (alias {@code dynamic-programming}); {@code dp-size}, {@code dp-write},
 * {@code dp-combo}, {@code dp-limit} (and {@code dp-combo-256} etc.) choose dp's objective. User optimizers can be
 * registered under new names. The registry is thread-safe.
 */
public final class PathOptimizers {
    private static final Map<String, PathOptimizer> REGISTRY = new ConcurrentHashMap<>();

    static {
        REGISTRY.put("auto", new Auto(false));
        REGISTRY.put("auto-hq", new Auto(true));
        REGISTRY.put("optimal", new Optimal());
        REGISTRY.put("branch-all", new BranchBound(0));
        REGISTRY.put("branch-2", new BranchBound(2));
        REGISTRY.put("branch-1", new BranchBound(1));
        PathOptimizer greedy = new Greedy();
        REGISTRY.put("greedy", greedy);
        REGISTRY.put("eager", greedy);
        REGISTRY.put("opportunistic", greedy);
        REGISTRY.put("random-greedy", new RandomGreedy(32));
        REGISTRY.put("random-greedy-128", new RandomGreedy(128));
        PathOptimizer dp = new DynamicProgramming("flops");
        REGISTRY.put("dp", dp);
        REGISTRY.put("dynamic-programming", dp);
    }

    private PathOptimizers() {
    }

    /** The optimizer of this name; throws {@link Einsum4jException} naming the valid ones. */
    public static PathOptimizer get(String name) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        PathOptimizer o = REGISTRY.get(key);
        if (o != null) {
            return o;
        }
        if (key.startsWith("dp-")) {
            try {
                return new DynamicProgramming(key.substring(3));
            } catch (IllegalArgumentException e) {
                throw new Einsum4jException("unknown path optimizer '" + name + "': " + e.getMessage());
            }
        }
        throw new Einsum4jException("unknown path optimizer '" + name + "'; valid: " + names());
    }

    /** The registered names, sorted. */
    public static Set<String> names() {
        return new TreeSet<>(REGISTRY.keySet());
    }

    /** Registers a user optimizer; names are case-insensitive and may not replace an existing one. */
    public static void register(String name, PathOptimizer optimizer) {
        String key = name.trim().toLowerCase(Locale.ROOT);
        if (key.isEmpty()) {
            throw new Einsum4jException("a path optimizer needs a non-empty name");
        }
        if (REGISTRY.putIfAbsent(key, optimizer) != null) {
            throw new Einsum4jException("path optimizer '" + name + "' already exists");
        }
    }

    /**
     * opt_einsum's {@code DynamicProgramming(minimize=...)} with its defaults (iterated cost cap, no outer
     * products): flops (default), size, write, combo, limit, or combo-N / limit-N (α = N). The registry's
     * {@code dp} / {@code dp-size} … differ in one way: they also search outer products inside components of up to
     * 10 operands, which makes {@code dp} as good as {@code optimal} there.
     */
    public static PathOptimizer dp(String minimize) {
        return new DynamicProgramming(minimize, -1, false);
    }

    /** dp with all its options (opt_einsum's DynamicProgramming): costCap < 0 for the iterated cap (default),
     * 0 for none, else an explicit cap; searchOuter to consider outer products. */
    public static PathOptimizer dp(String minimize, long costCap, boolean searchOuter) {
        return new DynamicProgramming(minimize, costCap, searchOuter);
    }
}
