package org.einsum4j.cuda;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;

/**
 * A recording fake of the driver layer, for tests on machines without a GPU: device memory is host memory (so
 * host-device copies, device-device copies and memsets really happen and round-trip), kernel launches and GEMMs
 * are recorded with all their parameters but not executed, and every call is counted. A capacity makes
 * allocations beyond it fail as the device would (CUDA_ERROR_OUT_OF_MEMORY), and {@link #memGetInfo} reports it.
 */
final class RecordingDriver implements CudaDriver {
    record Launch(String kernel, Dim3 grid, Dim3 block, int sharedBytes, long stream, KernelArgs args) {
    }

    record Gemm(GemmCall call, long stream) {
    }

    final List<Launch> launches = Collections.synchronizedList(new ArrayList<>());
    final List<Gemm> gemms = Collections.synchronizedList(new ArrayList<>());
    final List<String> freeThreads = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong hostToDevice = new AtomicLong();
    final AtomicLong deviceToHost = new AtomicLong();
    final AtomicLong deviceToDevice = new AtomicLong();
    final AtomicLong memsets = new AtomicLong();
    final AtomicLong mallocs = new AtomicLong();
    final AtomicLong frees = new AtomicLong();
    final AtomicLong syncs = new AtomicLong();
    final AtomicLong deviceSyncs = new AtomicLong();
    /** What a test lets a kernel do when launched (e.g. write the offsets a scan would), by kernel name. */
    final Map<String, java.util.function.Consumer<KernelArgs>> effects = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Long, Long> live = new HashMap<>();
    private final AtomicLong handles = new AtomicLong(0x1000);
    private volatile long capacity = 1L << 40;
    private long used;

    /** Device memory the fake pretends to have. */
    void capacity(long bytes) {
        capacity = bytes;
    }

    synchronized long usedBytes() {
        return used;
    }

    /** Writes int64 values at a (host-backed) device address, as a kernel would. */
    static void writeLongs(long devicePtr, long... values) {
        try (org.bytedeco.javacpp.LongPointer p = new org.bytedeco.javacpp.LongPointer(values)) {
            Pointer.memcpy(new JavaCppDriver.Addr(devicePtr), p, 8L * values.length);
        }
    }

    void clearRecords() {
        launches.clear();
        gemms.clear();
        hostToDevice.set(0);
        deviceToHost.set(0);
        deviceToDevice.set(0);
        memsets.set(0);
    }

    List<Launch> launches(String kernelPrefix) {
        synchronized (launches) {
            return launches.stream().filter(l -> l.kernel().startsWith(kernelPrefix)).toList();
        }
    }

    @Override
    public synchronized long malloc(long bytes) {
        if (used + bytes > capacity) {
            throw new DeviceOutOfMemory("cuMemAlloc(" + bytes + ") failed: CUDA_ERROR_OUT_OF_MEMORY (fake)");
        }
        long p = Pointer.malloc(Math.max(1, bytes)).address();
        if (p == 0) {
            throw new DeviceOutOfMemory("host malloc of " + bytes + " failed (fake)");
        }
        live.put(p, bytes);
        used += bytes;
        mallocs.incrementAndGet();
        return p;
    }

    @Override
    public synchronized void free(long devicePtr) {
        Long b = live.remove(devicePtr);
        if (b == null) {
            throw new CudaException("cuMemFree of an unknown pointer " + devicePtr + " (fake)");
        }
        used -= b;
        frees.incrementAndGet();
        freeThreads.add(Thread.currentThread().getName());
        Pointer.free(new JavaCppDriver.Addr(devicePtr));
    }

    @Override
    public long mallocHost(long bytes) {
        return Pointer.malloc(bytes).address();
    }

    @Override
    public void freeHost(long hostPtr) {
        Pointer.free(new JavaCppDriver.Addr(hostPtr));
    }

    private void memcpy(long dst, long src, long bytes) {
        if (bytes > 0) {
            Pointer.memcpy(new JavaCppDriver.Addr(dst), new JavaCppDriver.Addr(src), bytes);
        }
    }

    @Override
    public void copyHostToDevice(long dst, long hostSrc, long bytes, long stream) {
        hostToDevice.incrementAndGet();
        memcpy(dst, hostSrc, bytes);
    }

    @Override
    public void copyDeviceToHost(long hostDst, long src, long bytes, long stream) {
        deviceToHost.incrementAndGet();
        memcpy(hostDst, src, bytes);
    }

    @Override
    public void copyDeviceToDevice(long dst, long src, long bytes, long stream) {
        deviceToDevice.incrementAndGet();
        memcpy(dst, src, bytes);
    }

    @Override
    public void memset(long dst, byte value, long bytes, long stream) {
        memsets.incrementAndGet();
        if (bytes > 0) {
            Pointer.memset(new JavaCppDriver.Addr(dst), value, bytes);
        }
    }

    @Override
    public long loadModule(byte[] image) {
        return handles.incrementAndGet();
    }

    @Override
    public long function(long module, String name) {
        return handles.incrementAndGet();
    }

    @Override
    public void launch(long function, String name, Dim3 grid, Dim3 block, int sharedBytes, long stream,
                       KernelArgs args) {
        launches.add(new Launch(name, grid, block, sharedBytes, stream, args));
        java.util.function.Consumer<KernelArgs> effect = effects.get(name);
        if (effect != null) {
            effect.accept(args);
        }
    }

    @Override
    public void gemmStridedBatched(GemmCall call, long stream) {
        gemms.add(new Gemm(call, stream));
    }

    @Override
    public void synchronizeDevice() {
        deviceSyncs.incrementAndGet();
    }

    @Override
    public long streamCreate() {
        return handles.incrementAndGet();
    }

    @Override
    public void streamSynchronize(long stream) {
        syncs.incrementAndGet();
    }

    @Override
    public void streamDestroy(long stream) {
    }

    @Override
    public long eventCreate() {
        return handles.incrementAndGet();
    }

    @Override
    public void eventRecord(long event, long stream) {
    }

    @Override
    public void eventSynchronize(long event) {
    }

    @Override
    public float eventElapsedMillis(long start, long end) {
        return 0.5f;
    }

    @Override
    public void eventDestroy(long event) {
    }

    @Override
    public synchronized MemInfo memGetInfo() {
        return new MemInfo(capacity - used, capacity);
    }

    @Override
    public String deviceName() {
        return "recording fake";
    }
}
