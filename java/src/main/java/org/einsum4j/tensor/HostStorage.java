package org.einsum4j.tensor;

import java.lang.ref.Cleaner;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.ShortPointer;
import org.bytedeco.javacpp.Pointer;
import org.einsum4j.Einsum4jException;

/**
 * Host storage: one block of off-heap host memory, allocated through JavaCPP via {@link HostAllocator} (so OpenBLAS
 * can use it without a copy), 64-byte aligned (large blocks at scattered page offsets, {@link HostAllocator#start}),
 * zero-filled on request. Released by {@link #release()} or, as a safety net, by a {@link Cleaner} once unreachable.
 */
final class HostStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

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
    /** Byte-addressed view of the block for element access and array copies (no Unsafe outside the CPU backend). */
    private BytePointer view;
    private volatile boolean released;
    /** Running calls holding this memory ({@link #pin()}); guarded by this. */
    private int pins;

    /**
     * For tests of calls racing with {@code close()}: called with this storage on every successful
     * {@link #address()} check (null, and one volatile read, in production).
     */
    static volatile java.util.function.Consumer<HostStorage> accessHook;

    HostStorage(long bytes, boolean zero) {
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
        this.address = HostAllocator.start(p, bytes);
        this.bytes = bytes;
        this.view = new BytePointer(pointer());
        if (zero) {
            Pointer.memset(view, 0, bytes);
        }
        this.cleanable = CLEANER.register(this, new Block(p, ask));
    }

    long address() {
        if (released) {
            throw new TensorClosedException("tensor memory was released (the tensor or its base was closed)");
        }
        java.util.function.Consumer<HostStorage> hook = accessHook;
        if (hook != null) {
            hook.accept(this);
        }
        return address;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public long bytes() {
        return bytes;
    }

    /** A JavaCPP pointer at the aligned start; position 0. */
    Pointer pointer() {
        address();
        return new Pointer(raw) {
            {
                address = HostStorage.this.address;
            }
        };
    }

    @Override
    public boolean isReleased() {
        return released;
    }

    @Override
    public void release() {
        synchronized (this) {
            released = true;
            if (pins > 0) {
                return; // the last unpin frees it
            }
        }
        cleanable.clean();
    }

    @Override
    public synchronized boolean pin() {
        if (released) {
            return false;
        }
        pins++;
        return true;
    }

    @Override
    public void unpin() {
        synchronized (this) {
            if (--pins > 0 || !released) {
                return;
            }
        }
        cleanable.clean();
    }

    /** The element of {@code dtype} at byte offset {@code at}, as a double. */
    double get(long at, DType dtype) {
        address();
        switch (dtype) {
            case FLOAT32: return view.getFloat(at);
            case FLOAT64: return view.getDouble(at);
            case FLOAT16: case BFLOAT16: return HalfFloats.widen(dtype, view.getShort(at));
            default: return view.getLong(at);
        }
    }

    /** Writes {@code v} converted to {@code dtype} at byte offset {@code at}. */
    void put(long at, DType dtype, double v) {
        address();
        switch (dtype) {
            case FLOAT32: view.putFloat(at, (float) v); break;
            case FLOAT64: view.putDouble(at, v); break;
            case FLOAT16: case BFLOAT16: view.putShort(at, HalfFloats.narrowDouble(dtype, v)); break;
            default: view.putLong(at, (long) v);
        }
    }

    /** Copies {@code count} elements of a float[], double[], short[] or long[] from {@code pos} to byte offset {@code at}. */
    void write(Object array, int pos, long at, int count) {
        Pointer p = at(at);
        if (array instanceof short[] h) {
            new ShortPointer(p).put(h, pos, count);
        } else if (array instanceof float[] f) {
            new FloatPointer(p).put(f, pos, count);
        } else if (array instanceof double[] d) {
            new DoublePointer(p).put(d, pos, count);
        } else {
            new LongPointer(p).put((long[]) array, pos, count);
        }
    }

    /** Copies {@code count} elements from byte offset {@code at} into a float[], double[], short[] or long[] at {@code pos}. */
    void read(long at, Object array, int pos, int count) {
        Pointer p = at(at);
        if (array instanceof short[] h) {
            new ShortPointer(p).get(h, pos, count);
        } else if (array instanceof float[] f) {
            new FloatPointer(p).get(f, pos, count);
        } else if (array instanceof double[] d) {
            new DoublePointer(p).get(d, pos, count);
        } else {
            new LongPointer(p).get((long[]) array, pos, count);
        }
    }

    private Pointer at(long byteOffset) {
        final long a = address() + byteOffset;
        return new Pointer(raw) {
            {
                address = a;
            }
        };
    }
}
