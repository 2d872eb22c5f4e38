package org.einsum4j.cuda;

/**
 * The device could not serve an allocation even after the caching allocator gave its cached blocks back: the
 * message says the size asked for, the device's free and total memory and what the cache held. The backend stays
 * usable; free tensors (or {@link Cuda#emptyCache}) and try again.
 */
public class CudaOutOfMemoryException extends CudaException {
    private final long requested;

    public CudaOutOfMemoryException(String message, long requested) {
        super(message);
        this.requested = requested;
    }

    /** Bytes asked for. */
    public long requested() {
        return requested;
    }
}
