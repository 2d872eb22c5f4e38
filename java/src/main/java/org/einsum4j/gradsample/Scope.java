package org.einsum4j.gradsample;

import java.util.ArrayDeque;
import org.einsum4j.tensor.Tensor;

/**
 * Closes the temporaries of one sampler call (views, copies, workspaces) in reverse order, on success and on
 * error paths alike. Views are closed too: that only makes them unusable, never frees the caller's memory.
 */
final class Scope implements AutoCloseable {
    private final ArrayDeque<Tensor> owned = new ArrayDeque<>();

    /** Registers {@code t} to be closed with the scope and returns it. */
    Tensor add(Tensor t) {
        owned.push(t);
        return t;
    }

    /** {@code t} itself when contiguous, else a contiguous copy closed with the scope. */
    Tensor contiguous(Tensor t) {
        Tensor c = t.contiguous();
        if (c != t) {
            add(c);
        }
        return c;
    }

    /** A reshape of {@code t} (a view where the layout allows, else a copy), closed with the scope. */
    Tensor reshape(Tensor t, int... dims) {
        return add(t.viewAs(dims).orElseGet(() -> t.reshape(dims)));
    }

    @Override
    public void close() {
        RuntimeException first = null;
        while (!owned.isEmpty()) {
            try {
                owned.pop().close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
