package org.einsum4j.tensor;

import java.lang.ref.Cleaner;
import org.bytedeco.javacpp.Pointer;
import org.einsum4j.Einsum4jException;

/**
 * One block of off-heap host memory, allocated through JavaCPP via {@link HostAllocator} (so OpenBLAS can use it without a copy),
 * 64-byte aligned, zero-filled on request. Released by {@link #release()} or, as a safety net, by a {@link Cleaner}
 * once unreachable.
 */
final class Storage {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final int ALIGN = HostAllocator.ALIGN;

    /** Holds what the cleaner frees; must not refer to the Storage itself. */
    private static final class Block implements Runnable {
        private Pointer raw;
        private final long ask;

        Block(Pointer raw, long ask) {
            this.raw = raw;
            this.ask = ask;
        }

        @Override
        public synchronized void run() {
            if (raw != null) {
                HostAllocator.release(raw, ask);
                raw = null;
            }
        }
    }

    private final Pointer raw;
    private final long address;
    private final long bytes;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean released;

    Storage(long bytes, boolean zero) {
        if (bytes < 0) {
            throw new Einsum4jException("cannot allocate a negative number of bytes: " + bytes);
        }
        long ask = bytes;
        Pointer p = HostAllocator.allocate(ask);
        if (p == null || p.isNull()) {
            throw new Einsum4jException("out of host memory: could not allocate " + ask + " bytes ("
                    + HostAllocator.liveBytes() + " bytes held by live tensors)");
        }
        this.raw = p;
        long a = p.address();
        this.address = (a + ALIGN - 1) & -ALIGN;
        this.bytes = bytes;
        if (zero) {
            Memory.zero(address, bytes);
        }
        this.cleanable = CLEANER.register(this, new Block(p, ask));
    }

    long address() {
        if (released) {
            throw new TensorClosedException("tensor memory was released (the tensor or its base was closed)");
        }
        return address;
    }

    long bytes() {
        return bytes;
    }

    /** A JavaCPP pointer at the aligned start; position 0. */
    Pointer pointer() {
        address();
        return new Pointer(raw) {
            {
                address = Storage.this.address;
            }
        };
    }

    boolean isReleased() {
        return released;
    }

    void release() {
        released = true;
        cleanable.clean();
    }
}
