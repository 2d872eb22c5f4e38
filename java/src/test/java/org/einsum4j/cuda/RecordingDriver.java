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
    /**
     * Every stream-ordered call in order, one line each: {@code launch NAME s=S}, {@code gemm s=S}, {@code h2d s=S
     * BYTES}, {@code d2h s=S BYTES}, {@code d2d s=S}, {@code memset s=S}, {@code host BYTES} (a host copy into or out of
     * a staging buffer), {@code record E s=S}, {@code wait s=S E}, {@code sync E}, {@code syncstream S}.
     */
    final List<String> log = Collections.synchronizedList(new ArrayList<>());
    /** Streams whose work the fake treats as still running: events recorded on them are not complete. */
    private final java.util.Set<Long> busyStreams = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final Map<Long, Long> eventStream = new java.util.concurrent.ConcurrentHashMap<>();
    private final java.util.Set<Long> incomplete = java.util.concurrent.ConcurrentHashMap.newKeySet();
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

    /** From now on, work on {@code stream} counts as running: events recorded there stay incomplete. */
    void busy(long stream) {
        busyStreams.add(stream);
    }

    /** The work on {@code stream} is done: its events complete. */
    void finish(long stream) {
        busyStreams.remove(stream);
        eventStream.forEach((e, s) -> {
            if (s == stream) {
                incomplete.remove(e);
            }
        });
    }

    /** The log lines starting with one of the prefixes, in order. */
    List<String> log(String... prefixes) {
        synchronized (log) {
            return log.stream().filter(l -> java.util.Arrays.stream(prefixes).anyMatch(l::startsWith)).toList();
        }
    }

    void clearRecords() {
        log.clear();
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
        log.add("h2d s=" + stream + " " + bytes);
        hostToDevice.incrementAndGet();
        memcpy(dst, hostSrc, bytes);
    }

    @Override
    public void copyDeviceToHost(long hostDst, long src, long bytes, long stream) {
        log.add("d2h s=" + stream + " " + bytes);
        deviceToHost.incrementAndGet();
        memcpy(hostDst, src, bytes);
    }

    @Override
    public void copyDeviceToDevice(long dst, long src, long bytes, long stream) {
        log.add("d2d s=" + stream);
        deviceToDevice.incrementAndGet();
        memcpy(dst, src, bytes);
    }

    @Override
    public void memset(long dst, byte value, long bytes, long stream) {
        log.add("memset s=" + stream);
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
        log.add("launch " + name + " s=" + stream);
        launches.add(new Launch(name, grid, block, sharedBytes, stream, args));
        java.util.function.Consumer<KernelArgs> effect = effects.get(name);
        if (effect != null) {
            effect.accept(args);
        }
    }

    @Override
    public void gemmStridedBatched(GemmCall call, long stream) {
        log.add("gemm s=" + stream);
        gemms.add(new Gemm(call, stream));
    }

    @Override
    public void synchronizeDevice() {
        deviceSyncs.incrementAndGet();
        for (Long s : List.copyOf(busyStreams)) {
            finish(s);
        }
    }

    @Override
    public long streamCreate() {
        return handles.incrementAndGet();
    }

    @Override
    public void streamSynchronize(long stream) {
        log.add("syncstream " + stream);
        syncs.incrementAndGet();
        finish(stream);
    }

    @Override
    public void hostCopy(long dst, long src, long bytes) {
        log.add("host " + bytes);
        memcpy(dst, src, bytes);
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
        log.add("record " + event + " s=" + stream);
        eventStream.put(event, stream);
        if (busyStreams.contains(stream)) {
            incomplete.add(event);
        } else {
            incomplete.remove(event);
        }
    }

    @Override
    public void eventSynchronize(long event) {
        log.add("sync " + event);
        Long s = eventStream.get(event);
        if (s != null) {
            finish(s);
        }
    }

    @Override
    public boolean eventQuery(long event) {
        return !incomplete.contains(event);
    }

    @Override
    public void streamWaitEvent(long stream, long event) {
        log.add("wait s=" + stream + " " + event);
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
