package org.einsum4j.cuda;

import java.util.Optional;
import java.util.function.Supplier;
import org.einsum4j.Backend;
import org.einsum4j.BackendUnavailableException;
import org.einsum4j.Einsum4jException;
import org.einsum4j.tensor.Device;

/**
 * CUDA-specific controls beside the device-neutral {@link Backend}: whether CUDA works here, the caching
 * allocator's figures and {@link #emptyCache}, TF32 opt-in, user streams and GPU timing with CUDA events.
 * Every method takes the device (e.g. {@code Device.cuda(0)}) and opens its backend if needed.
 */
public final class Cuda {
    private Cuda() {
    }

    /** The allocator's and the device's memory figures, bytes. */
    public record MemoryStats(long allocated, long peakAllocated, long reserved, long cached, long deviceFree,
                              long deviceTotal) {
    }

    /** Empty when CUDA device 0 can be used here; else why not (no driver, no device, kernels not built). */
    public static Optional<String> unavailableReason() {
        try {
            Backend.forDevice(Device.cuda(0));
            return Optional.empty();
        } catch (BackendUnavailableException e) {
            return Optional.of(e.getMessage());
        }
    }

    static CudaBackend backend(Device device) {
        if (Backend.forDevice(device) instanceof CudaBackend c) {
            return c;
        }
        throw new Einsum4jException(device + " is not a CUDA device");
    }

    /** Frees the device memory the caching allocator holds for reuse (live tensors keep theirs). */
    public static void emptyCache(Device device) {
        backend(device).allocator().emptyCache();
    }

    public static MemoryStats memoryStats(Device device) {
        CudaBackend b = backend(device);
        CudaAllocator a = b.allocator();
        CudaDriver.MemInfo m = b.driver().memGetInfo();
        return new MemoryStats(a.allocatedBytes(), a.peakBytes(), a.reservedBytes(), a.cachedBytes(), m.free(),
                m.total());
    }

    /** Starts a new peak: {@link MemoryStats#peakAllocated()} becomes the bytes allocated now. */
    public static void resetPeak(Device device) {
        backend(device).allocator().resetPeak();
    }

    /** FLOAT32 GEMMs on TF32 tensor cores (about 10 bits of mantissa) on this device; off by default. */
    public static void allowTf32(Device device, boolean allow) {
        backend(device).allowTf32(allow);
    }

    /** A new stream on the device; work inside {@link CudaStream#call} goes there. */
    public static CudaStream newStream(Device device) {
        return new CudaStream(backend(device));
    }

    /** Waits for the calling thread's stream on the device. */
    public static void synchronize(Device device) {
        backend(device).synchronize();
    }

    /** Copies between the host and the device made through the backend so far (tests: none inside a call). */
    public static long hostCopies(Device device) {
        return backend(device).hostCopies();
    }

    /** A result and the GPU time its work took on the thread's stream (CUDA events around it), milliseconds. */
    public record Timed<T>(T value, double gpuMillis) {
    }

    /** Runs {@code work} between two CUDA events on the calling thread's stream and waits for the second. */
    public static <T> Timed<T> time(Device device, Supplier<T> work) {
        CudaBackend b = backend(device);
        CudaDriver d = b.driver();
        long start = d.eventCreate();
        long end = d.eventCreate();
        try {
            d.eventRecord(start, b.stream());
            T v = work.get();
            d.eventRecord(end, b.stream());
            d.eventSynchronize(end);
            return new Timed<>(v, d.eventElapsedMillis(start, end));
        } finally {
            d.eventDestroy(start);
            d.eventDestroy(end);
        }
    }

    /** The device's name as the driver gives it, e.g. {@code NVIDIA H200 (sm_90, 139 GiB)}. */
    public static String deviceName(Device device) {
        return backend(device).driver().deviceName();
    }
}
