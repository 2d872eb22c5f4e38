package org.einsum4j.tensor;

/**
 * The memory behind a tensor and its views: host memory ({@link HostStorage}, which the CPU backend and
 * BLAS read by address) or memory a backend owns on a device ({@link DeviceStorage}). Closed, so every
 * piece of code that may touch raw host memory can tell which one it holds.
 */
sealed interface Storage permits HostStorage, DeviceStorage {
    Device device();

    long bytes();

    boolean isReleased();

    void release();
}
