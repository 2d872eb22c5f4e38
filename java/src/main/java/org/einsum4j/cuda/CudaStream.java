package org.einsum4j.cuda;

import java.util.function.Supplier;

/**
 * A user's CUDA stream: work called inside {@link #call} (contractions, grad samplers, copies) goes to this stream
 * instead of the device's own, so independent work can overlap; expression runs inside use it too, instead of a
 * stream of the backend's run pool. The work inside waits (on the GPU, through an event) for what was queued before
 * the call on the caller's stream, such as operands just copied in. Tensors allocated while it is in use are tied to
 * it (their memory is reused only by later work on it). Work on other streams is not ordered after it: call
 * {@link #synchronize()} before using its results outside {@link #call} (as with any CUDA stream). Close it when done:
 * it synchronizes, then destroys the stream.
 */
public final class CudaStream implements AutoCloseable {
    private final CudaBackend backend;
    private final long handle;
    private boolean closed;

    CudaStream(CudaBackend backend) {
        this.backend = backend;
        this.handle = backend.driver().streamCreate();
        backend.allocator().streamOpened(handle);
    }

    /** Runs {@code work} on this thread with this stream as its stream. */
    public <T> T call(Supplier<T> work) {
        if (closed) {
            throw new CudaException("stream is closed");
        }
        backend.forkFromCurrent(handle);
        try (org.einsum4j.Backend.RunScope scope = backend.useStream(handle)) {
            return work.get();
        }
    }

    /** Waits for all work queued on this stream. */
    public void synchronize() {
        backend.driver().streamSynchronize(handle);
    }

    long handle() {
        return handle;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            synchronize();
            backend.allocator().streamClosed(handle);
            backend.driver().streamDestroy(handle);
        }
    }
}
