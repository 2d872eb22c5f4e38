package org.einsum4j.cuda;

/**
 * The thin layer between the CUDA backend and the CUDA driver and cuBLAS: every call the backend makes to the GPU
 * goes through here, with device pointers, streams, events, modules and functions as plain {@code long} handles.
 * Two implementations: {@link JavaCppDriver} (the real one, through JavaCPP's CUDA 13 bindings) and, in the tests,
 * a recording fake whose memory is host memory and whose launches are recorded, not executed, so the backend's
 * every launch (grid, block, arguments) and GEMM can be checked on a machine without a GPU.
 *
 * <p>Failures are {@link CudaException}s naming the call and the status; an allocation the device cannot serve is
 * a {@link DeviceOutOfMemory} (the allocator then empties its cache and retries once). Stream 0 is the legacy
 * default stream. All copies and memsets are asynchronous on their stream; {@link #streamSynchronize} waits.
 */
interface CudaDriver {
    /** Device memory, or {@link DeviceOutOfMemory} when the device has no room. */
    long malloc(long bytes);

    void free(long devicePtr);

    /** Page-locked host memory for staging copies (its address). */
    long mallocHost(long bytes);

    void freeHost(long hostPtr);

    void copyHostToDevice(long dst, long hostSrc, long bytes, long stream);

    /**
     * A plain host memcpy (into or out of the pinned staging buffers). Not a CUDA call: it is here so the recording
     * fake sees, in order, when the host fills or drains a staging buffer against the asynchronous copies.
     */
    default void hostCopy(long dst, long src, long bytes) {
        org.bytedeco.javacpp.Pointer.memcpy(new JavaCppDriver.Addr(dst), new JavaCppDriver.Addr(src), bytes);
    }

    void copyDeviceToHost(long hostDst, long src, long bytes, long stream);

    void copyDeviceToDevice(long dst, long src, long bytes, long stream);

    /** Sets {@code bytes} bytes at {@code dst} to {@code value}. */
    void memset(long dst, byte value, long bytes, long stream);

    /** Loads a module image (a fatbin) into the device's context. */
    long loadModule(byte[] image);

    /** A kernel of a loaded module by its (extern "C") name. */
    long function(long module, String name);

    /** {@code cuLaunchKernel}: the launch is checked (configuration, launch status). */
    void launch(long function, String name, Dim3 grid, Dim3 block, int sharedBytes, long stream, KernelArgs args);

    /** {@code cublasGemmStridedBatchedEx} with this thread's cuBLAS handle for the device, on {@code stream}. */
    void gemmStridedBatched(GemmCall call, long stream);

    /** Waits for all work on the device (every stream): before cached blocks are freed. */
    void synchronizeDevice();

    long streamCreate();

    void streamSynchronize(long stream);

    void streamDestroy(long stream);

    long eventCreate();

    void eventRecord(long event, long stream);

    void eventSynchronize(long event);

    /** {@code cuEventQuery}: true when the work the event captured has completed (CUDA_ERROR_NOT_READY: false). */
    boolean eventQuery(long event);

    /** {@code cuStreamWaitEvent}: later work on {@code stream} waits for the work {@code event} captured (no host wait). */
    void streamWaitEvent(long stream, long event);

    /** Milliseconds between two recorded events. */
    float eventElapsedMillis(long start, long end);

    void eventDestroy(long event);

    /** {@code cuMemGetInfo}: free and total device memory in bytes. */
    MemInfo memGetInfo();

    /** A short description of the device, e.g. {@code NVIDIA H200 (sm_90, 139 GiB)}. */
    String deviceName();

    /** A kernel launch's grid or block size. */
    record Dim3(int x, int y, int z) {
        public Dim3 {
            if (x < 1 || y < 1 || z < 1) {
                throw new CudaException("launch dimension (" + x + ", " + y + ", " + z + ") has a size below 1");
            }
        }

        static Dim3 of(long x) {
            return new Dim3(Math.toIntExact(x), 1, 1);
        }

        static Dim3 of(long x, long y) {
            return new Dim3(Math.toIntExact(x), Math.toIntExact(y), 1);
        }

        static Dim3 of(long x, long y, long z) {
            return new Dim3(Math.toIntExact(x), Math.toIntExact(y), Math.toIntExact(z));
        }
    }

    /** Free and total device memory, bytes. */
    record MemInfo(long free, long total) {
    }

    /** The device cannot serve an allocation (CUDA_ERROR_OUT_OF_MEMORY); internal, the allocator reports it. */
    final class DeviceOutOfMemory extends CudaException {
        DeviceOutOfMemory(String message) {
            super(message);
        }
    }
}
