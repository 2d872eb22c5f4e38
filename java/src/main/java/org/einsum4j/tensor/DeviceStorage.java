package org.einsum4j.tensor;

import org.einsum4j.Einsum4jException;

/**
 * Memory that a backend owns on a device: a size, the device and an opaque handle the backend understands
 * (a CUDA device pointer, a wrapped buffer). einsum4j never reads it from the host; a backend extends this
 * class, makes tensors over it with {@link Tensor#onDevice} and gets it back with {@link Tensor#deviceStorage}.
 * {@link #free()} is called once: when the owning tensor is closed, or when the last call holding the memory
 * ends if it was closed during one.
 */
public abstract non-sealed class DeviceStorage implements Storage {
    private final Device device;
    private final long bytes;
    private volatile boolean released;
    /** Running calls holding this memory; guarded by this. */
    private int pins;
    private boolean freed;

    protected DeviceStorage(Device device, long bytes) {
        if (device == null || device.isHost()) {
            throw new Einsum4jException("device storage needs a non-host device, got " + device);
        }
        if (bytes < 0) {
            throw new Einsum4jException("cannot allocate a negative number of bytes: " + bytes);
        }
        this.device = device;
        this.bytes = bytes;
    }

    @Override
    public final Device device() {
        return device;
    }

    @Override
    public final long bytes() {
        return bytes;
    }

    /** The backend's handle to the memory (for example a device pointer). */
    public abstract Object handle();

    @Override
    public final boolean isReleased() {
        return released;
    }

    @Override
    public final synchronized void release() {
        released = true;
        freeIfUnused();
    }

    @Override
    public final synchronized boolean pin() {
        if (released) {
            return false;
        }
        pins++;
        return true;
    }

    @Override
    public final synchronized void unpin() {
        pins--;
        freeIfUnused();
    }

    private void freeIfUnused() {
        if (released && pins == 0 && !freed) {
            freed = true;
            free();
        }
    }

    /** Gives the memory back to the device; called at most once. */
    protected abstract void free();
}
