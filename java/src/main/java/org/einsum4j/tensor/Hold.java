package org.einsum4j.tensor;

import java.util.List;

/**
 * Internal, for the entry points ({@code Einsum.contract}, {@code ContractExpression}, {@code GradSampler}):
 * holds the memory of a call's operands until the call ends. A {@link Tensor#close()} from another thread during
 * the call makes the tensor unusable at once but frees its memory only when this hold is closed, so a kernel
 * that already reads it never sees a block the allocator has handed to someone else: the call gives the right
 * result or a {@link TensorClosedException}, never a wrong one.
 *
 * <pre>{@code try (Hold h = Hold.of(operands)) { ... run the call ... }}</pre>
 */
public final class Hold implements AutoCloseable {
    private final Storage[] held;
    private int count;

    private Hold(int n) {
        held = new Storage[n];
    }

    /** Holds every operand's memory; a closed operand gives a {@link TensorClosedException} naming it. */
    public static Hold of(Tensor... operands) {
        Hold h = new Hold(operands.length);
        for (int i = 0; i < operands.length; i++) {
            h.add(operands[i], i);
        }
        return h;
    }

    /** As {@link #of(Tensor...)} for a list. */
    public static Hold of(List<Tensor> operands) {
        Hold h = new Hold(operands.size());
        for (int i = 0; i < operands.size(); i++) {
            h.add(operands.get(i), i);
        }
        return h;
    }

    private void add(Tensor t, int index) {
        Storage s = t.storage();
        for (int i = 0; i < count; i++) {
            if (held[i] == s) {
                return; // views of one storage: held once
            }
        }
        if (t.isClosed() || !s.pin()) {
            close();
            throw new TensorClosedException("operand " + index + " (" + t + ") is closed");
        }
        held[count++] = s;
    }

    /** Lets the operands go; memory closed during the call is freed now. */
    @Override
    public void close() {
        for (int i = 0; i < count; i++) {
            held[i].unpin();
            held[i] = null;
        }
        count = 0;
    }
}
