package org.einsum4j.tensor;

/**
 * The memory behind a tensor and its views: host memory ({@link HostStorage}, which the CPU backend and
 * BLAS read by address) or memory a backend owns on a device ({@link DeviceStorage}). Closed, so every
 * piece of code that may touch raw host memory can tell which one it holds.
 */
sealed interface Storage permits HostStorage, DeviceStorage {
    Device device();

    long bytes();

    /** True once {@link #release()} was called (the memory itself may still be held by a running call). */
    boolean isReleased();

    /** Releases the memory now, or when the last {@link #pin()} is undone if a call holds it. Idempotent. */
    void release();

    /**
     * Holds the memory for a running call: a {@link #release()} until the matching {@link #unpin()} is deferred.
     * False (nothing held) when the storage is already released.
     */
    boolean pin();

    /** Undoes one {@link #pin()}; frees the memory if a release was deferred and this was the last pin. */
    void unpin();
}
