package org.einsum4j;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.path.PathInfo;
import org.einsum4j.spec.Contraction;
import org.einsum4j.tensor.Tensor;

/**
 * A scope in which contractions share intermediates, as opt_einsum's {@code shared_intermediates()}: inside
 * {@code try (SharedIntermediates s = Einsum.sharedIntermediates()) { … }}, every {@link Einsum#contract} and
 * {@link ContractExpression#contract} on this thread runs its path step by step, and a step that contracts the same
 * operand objects in the same way (the same sub-contraction up to renaming of labels) as an earlier step in the
 * scope reuses that step's result instead of computing it again. Typical use: several outputs of one network
 * ({@code ab,bc,cd->a} and {@code ab,bc,cd->d} share {@code ab,bc}).
 *
 * <p>Operands are recognized by identity (the same {@link Tensor} object), not by value: changing an operand's
 * values inside the scope is not seen by later calls, as in opt_einsum. The scope owns the cached intermediates
 * and frees them on {@link #close()}; results handed to callers are their own copies. Scopes nest (the innermost
 * is used) and belong to the thread that opened them. Not thread-safe.
 */
public final class SharedIntermediates implements AutoCloseable {
    private static final ThreadLocal<SharedIntermediates> CURRENT = new ThreadLocal<>();

    /** A step: its canonical form (labels renumbered by first appearance) and its operand objects. */
    private record Key(String form, Tensor[] operands, int hash) {
        Key(String form, Tensor[] operands) {
            this(form, operands, form.hashCode() * 31 + identityHash(operands));
        }

        private static int identityHash(Tensor[] ops) {
            int h = 1;
            for (Tensor t : ops) {
                h = h * 31 + System.identityHashCode(t);
            }
            return h;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Key k) || k.hash != hash || !k.form.equals(form) || k.operands.length != operands.length) {
                return false;
            }
            for (int i = 0; i < operands.length; i++) {
                if (k.operands[i] != operands[i]) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private final SharedIntermediates outer;
    private final Thread owner;
    private final Map<Key, Tensor> cache = new HashMap<>();
    private int hits;
    private int misses;
    private boolean closed;

    private SharedIntermediates(SharedIntermediates outer) {
        this.outer = outer;
        this.owner = Thread.currentThread();
    }

    /** Opens a scope on this thread (use with try-with-resources). */
    static SharedIntermediates open() {
        SharedIntermediates s = new SharedIntermediates(CURRENT.get());
        CURRENT.set(s);
        return s;
    }

    /** The innermost open scope of this thread, or null. */
    static SharedIntermediates current() {
        return CURRENT.get();
    }

    /** Steps whose result came from the scope's cache so far. */
    public int hits() {
        return hits;
    }

    /** Steps computed (and cached) so far. */
    public int misses() {
        return misses;
    }

    /** Runs the expression's path on its (full, checked) operand list, step by step through the cache. */
    Tensor run(ContractExpression e, Tensor[] operands) {
        Contraction c = e.contraction();
        List<PathInfo.Step> steps = e.pathInfo().steps();
        if (steps.isEmpty()) {
            return e.planFor(operands).execute(operands);
        }
        PathWalk walk = new PathWalk(c, operands, dimsOf(operands));
        for (PathInfo.Step st : steps) {
            Tensor[] ops = walk.operands(st);
            Contraction sub = walk.sub(st);
            Key key = new Key(Arrays.deepToString(sub.inputs()) + "->" + Arrays.toString(sub.output()) + " "
                    + Arrays.deepToString(sub.shapes()), ops);
            Tensor r = cache.get(key);
            if (r == null) {
                r = PathWalk.contract(sub, ops, e.dtype(), e.backend());
                cache.put(key, r);
                misses++;
            } else {
                hits++;
            }
            walk.replace(st, r);
        }
        return walk.resultCopy();
    }

    private static int[][] dimsOf(Tensor[] ts) {
        int[][] d = new int[ts.length][];
        for (int i = 0; i < ts.length; i++) {
            d[i] = ts[i].dims();
        }
        return d;
    }

    /** Frees the cached intermediates and ends the scope (the enclosing one, if any, is current again). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        if (Thread.currentThread() != owner) {
            throw new IllegalStateException("a SharedIntermediates scope must be closed by the thread that opened it");
        }
        closed = true;
        for (Tensor t : cache.values()) {
            t.close();
        }
        cache.clear();
        if (outer == null) {
            CURRENT.remove();
        } else {
            CURRENT.set(outer);
        }
    }
}
