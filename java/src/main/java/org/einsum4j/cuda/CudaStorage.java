package org.einsum4j.cuda;

import java.lang.ref.Cleaner;
import org.einsum4j.tensor.DeviceStorage;
import org.einsum4j.tensor.Device;

/**
 * A tensor's memory on a CUDA device: one block of the {@link CudaAllocator}. Closing the owning tensor files the
 * block back in the allocator's cache; if the tensor is dropped unclosed, a {@link Cleaner} does the same from its
 * own thread (filing only: the allocator frees device memory in {@code emptyCache}, never from that thread).
 */
final class CudaStorage extends DeviceStorage {
    private static final Cleaner CLEANER = Cleaner.create();

    private final long ptr;
    private final CudaAllocator.Block block;
    private final Cleaner.Cleanable cleanable;

    CudaStorage(Device device, CudaAllocator allocator, CudaAllocator.Block block, long bytes) {
        super(device, bytes);
        this.ptr = block.ptr();
        this.block = block;
        this.cleanable = CLEANER.register(this, () -> allocator.release(block));
    }

    /** The device pointer (a {@code Long}). */
    @Override
    public Object handle() {
        return ptr;
    }

    long pointer() {
        return ptr;
    }

    /** The allocator's block (its stream, and the other streams that used it). */
    CudaAllocator.Block block() {
        return block;
    }

    @Override
    protected void free() {
        cleanable.clean();
    }
}
