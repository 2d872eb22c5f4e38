package org.einsum4j.cuda;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.einsum4j.Backend;
import org.einsum4j.Einsum4jException;
import org.einsum4j.gradsample.SamplerKernels;
import org.einsum4j.nn.NnKernels;
import org.einsum4j.plan.GemmOperands;
import org.einsum4j.plan.GemmOperands.MatrixLayout;
import org.einsum4j.plan.ProductOperands;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.HalfFloats;
import org.einsum4j.tensor.HostAccess;
import org.einsum4j.tensor.Tensor;

/**
 * The CUDA backend: device tensors from the {@link CudaAllocator}, every GEMM-shaped step one
 * {@code cublasGemmStridedBatchedEx} (a 4-d r-split step r of them, beta 1 after the first) except the memory-bound
 * small-depth ones (per-sample outer products), which are one fused {@code outer_*} launch, and einsum4j's own
 * kernels (native/*.cu, launch rules in native/KERNELS.md) for copies, fills, scaling, sums and the grad samplers.
 * All work of a thread goes to one stream: the device's stream by default, a stream of the run pool during an
 * expression run ({@link #openRun}), or a user's {@link CudaStream} while it is in use on that thread; nothing here
 * synchronizes except copies to the host and the few documented read-backs of the grad samplers' kernels. TF32 only
 * when {@link #allowTf32} was set. FLOAT16 and BFLOAT16 run on the kernels' 16-bit variants and on cuBLAS with
 * float32 compute: storage in 16 bits, arithmetic and accumulation in float32, one rounding per result.
 *
 * <p>Everything reaches the GPU through a {@link CudaDriver}, so the same class runs on the real driver and, in the
 * tests, on a recording fake.
 */
final class CudaBackend implements Backend {
    static final int BLOCK = 256;
    private static final long GRID_CAP = 1L << 20;
    /** Bytes of each of the two pinned staging buffers for host copies. */
    static final long STAGING = 8L << 20;

    private final Device device;
    private final CudaDriver driver;
    private final CudaAllocator allocator;
    private final long module;
    private final long defaultStream;
    private final Map<String, Long> functions = new ConcurrentHashMap<>();
    private final ThreadLocal<Long> userStream = new ThreadLocal<>();
    private final AtomicLong hostCopies = new AtomicLong();
    private final AtomicLong readBacks = new AtomicLong();
    private final CudaSamplerKernels samplerKernels = new CudaSamplerKernels(this);
    private final CudaNnKernels nnKernels = new CudaNnKernels(this);
    private volatile boolean tf32;
    private long[] staging;
    private long[] stagingEvents;
    private final boolean[] stagingBusy = new boolean[2];

    CudaBackend(Device device, CudaDriver driver, byte[] fatbin) {
        this.device = device;
        this.driver = driver;
        this.allocator = new CudaAllocator(driver, device.toString());
        this.module = driver.loadModule(fatbin);
        this.defaultStream = driver.streamCreate();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public String name() {
        return "cuda";
    }

    CudaDriver driver() {
        return driver;
    }

    CudaAllocator allocator() {
        return allocator;
    }

    /** The stream this thread's work goes to. */
    long stream() {
        Long s = userStream.get();
        return s == null ? defaultStream : s;
    }

    long defaultStream() {
        return defaultStream;
    }

    /** Makes {@code stream} this thread's stream until the returned scope is closed (then the previous one). */
    RunScope useStream(long stream) {
        Long previous = userStream.get();
        userStream.set(stream);
        return () -> {
            if (previous == null) {
                userStream.remove();
            } else {
                userStream.set(previous);
            }
        };
    }

    /**
     * One stream per expression run: a stream from this backend's pool (created once, reused by later runs; the
     * pool grows to the number of runs in flight at once) becomes the thread's stream for the run. The run's stream
     * waits for an event recorded on the caller's stream (the operands' producers are done first), and the caller's
     * stream waits for an event recorded on the run's stream at the end (whatever the caller queues next sees the
     * result): no host waits, and runs of different threads overlap on the GPU. Inside a user's {@link CudaStream}
     * or an enclosing run, the run uses that stream and nothing is recorded. Blocks the run's work shares with the
     * caller's stream are kept from early reuse by the allocator ({@link CudaAllocator.Block#recordUse}).
     */
    @Override
    public RunScope openRun() {
        if (userStream.get() != null) {
            return RunScope.NONE;
        }
        long caller = defaultStream;
        long run;
        long event;
        synchronized (pools) {
            run = pools.streams.isEmpty() ? driver.streamCreate() : pools.streams.pop();
            event = pools.events.isEmpty() ? driver.eventCreate() : pools.events.pop();
        }
        waitFor(run, caller, event);
        RunScope scope = useStream(run);
        return () -> {
            scope.close();
            try {
                // the wait above took the event's first record: recording it again now is safe
                driver.eventRecord(event, run);
                driver.streamWaitEvent(caller, event);
            } finally {
                synchronized (pools) {
                    pools.streams.push(run);
                    pools.events.push(event);
                }
            }
        };
    }

    /** Later work on {@code waiting} waits for all work queued on {@code on} so far, through {@code event}. */
    private void waitFor(long waiting, long on, long event) {
        driver.eventRecord(event, on);
        driver.streamWaitEvent(waiting, event);
    }

    /**
     * Later work on {@code stream} (a user's) waits for everything queued so far on this thread's current stream:
     * operands copied in or computed before a {@link CudaStream#call} are complete when its work reads them.
     */
    void forkFromCurrent(long stream) {
        long event;
        synchronized (pools) {
            event = pools.events.isEmpty() ? driver.eventCreate() : pools.events.pop();
        }
        try {
            waitFor(stream, stream(), event);
        } finally {
            synchronized (pools) {
                pools.events.push(event);
            }
        }
    }

    /** The pooled run streams and fork/join events. */
    private static final class Pools {
        final java.util.ArrayDeque<Long> streams = new java.util.ArrayDeque<>();
        final java.util.ArrayDeque<Long> events = new java.util.ArrayDeque<>();
    }

    private final Pools pools = new Pools();

    /** Streams in the run pool now (tests: runs reuse them). */
    int pooledStreams() {
        synchronized (pools) {
            return pools.streams.size();
        }
    }

    void allowTf32(boolean allow) {
        tf32 = allow;
    }

    boolean tf32() {
        return tf32;
    }

    /** Tensor copies between the host and this device so far ({@link #copy} with one side on the host). */
    long hostCopies() {
        return hostCopies.get();
    }

    /** Small device-to-host reads the grad samplers' kernels need (index check status, sparse offsets). */
    long readBacks() {
        return readBacks.get();
    }

    void synchronize() {
        driver.streamSynchronize(stream());
    }

    // ------------------------------------------------------------------ memory

    @Override
    public Tensor empty(DType dtype, int... dims) {
        long bytes = bytes(dtype, dims);
        CudaAllocator.Block b = allocator.allocate(bytes, stream());
        try {
            return Tensor.onDevice(new CudaStorage(device, allocator, b, bytes), dtype, dims);
        } catch (RuntimeException e) {
            allocator.release(b);
            throw e;
        }
    }

    private static long bytes(DType dtype, int[] dims) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new Einsum4jException("negative size in " + Arrays.toString(dims));
            }
            n = Math.multiplyExact(n, (long) d);
        }
        return Math.multiplyExact(n, (long) dtype.byteSize());
    }

    @Override
    public Tensor zeros(DType dtype, int... dims) {
        Tensor t = empty(dtype, dims);
        long bytes = t.numel() * dtype.byteSize();
        if (bytes > 0) {
            driver.memset(ptr(t), (byte) 0, bytes, stream());
        }
        return t;
    }

    /**
     * Device address of element [0, …, 0] of a tensor on this device, for work about to be queued on this thread's
     * stream: every operand of every launch, GEMM and copy passes here, so this is where a block's use on a stream
     * other than its own is recorded for the allocator.
     */
    long ptr(Tensor t) {
        if (!t.device().equals(device)) {
            throw new Einsum4jException("the CUDA backend of " + device + " got a tensor on " + t.device() + ": " + t);
        }
        CudaStorage s = (CudaStorage) t.deviceStorage();
        s.block().recordUse(stream());
        return s.pointer() + t.offset() * t.dtype().byteSize();
    }

    // ------------------------------------------------------------------ launches

    private long function(String name) {
        return functions.computeIfAbsent(name, n -> driver.function(module, n));
    }

    void launch(String kernel, CudaDriver.Dim3 grid, CudaDriver.Dim3 block, KernelArgs args) {
        driver.launch(function(kernel), kernel, grid, block, 0, stream(), args);
    }

    /** KERNELS.md's 1-D grid-stride rule G1 over {@code n} items. */
    static CudaDriver.Dim3 gridStride(long n) {
        return CudaDriver.Dim3.of(Math.max(1, Math.min((n + BLOCK - 1) / BLOCK, GRID_CAP)));
    }

    /** KERNELS.md's warp-per-item rule GW. */
    static CudaDriver.Dim3 warpPerItem(long items) {
        return gridStride(items * 32);
    }

    /** KERNELS.md's block-per-item rule GB. */
    static CudaDriver.Dim3 blockPerItem(long items) {
        return CudaDriver.Dim3.of(Math.max(1, Math.min(items, 65535)));
    }

    static final CudaDriver.Dim3 BLOCK_1D = CudaDriver.Dim3.of(BLOCK);

    /** The kernels' type suffix; INT64 moves as f64 bit patterns (copies only). */
    static String suffix(DType t) {
        return switch (t) {
            case FLOAT32 -> "f32";
            case FLOAT64, INT64 -> "f64";
            case FLOAT16 -> "f16";
            case BFLOAT16 -> "bf16";
        };
    }

    /**
     * A kernel's scalar argument in the type its arithmetic uses (KERNELS.md's S and A): double for FLOAT64, float
     * for FLOAT32 and the 16-bit types (which compute in float32).
     */
    static KernelArgs scalar(KernelArgs a, DType t, double v) {
        return t == DType.FLOAT64 ? a.f64(v) : a.f32((float) v);
    }

    static String floatSuffix(DType t, String what) {
        if (!t.isFloating()) {
            throw new Einsum4jException(what + " on CUDA needs FLOAT32 or FLOAT64, got " + t);
        }
        return suffix(t);
    }

    private static void requireContiguous(Tensor t, String what) {
        if (!t.isContiguous()) {
            throw new Einsum4jException(what + ": needs a contiguous tensor, got " + t);
        }
    }

    // ------------------------------------------------------------------ fill, scale

    @Override
    public void fill(Tensor out, double value) {
        requireContiguous(out, "fill");
        long n = out.numel();
        if (n == 0) {
            return;
        }
        if (value == 0 && Double.doubleToRawLongBits(value) == 0) {
            driver.memset(ptr(out), (byte) 0, n * out.dtype().byteSize(), stream());
            return;
        }
        String s = floatSuffix(out.dtype(), "fill with " + value);
        KernelArgs a = new KernelArgs().ptr(ptr(out)).i64(n);
        // fill's value is of the storage type T: the 16-bit pattern for FLOAT16 and BFLOAT16
        launch("fill_" + s, gridStride(n), BLOCK_1D, out.dtype().isHalf()
                ? a.i16(HalfFloats.narrowDouble(out.dtype(), value)) : scalar(a, out.dtype(), value));
    }

    @Override
    public void scale(Tensor t, double alpha) {
        requireContiguous(t, "scale");
        long n = t.numel();
        if (n == 0) {
            return;
        }
        String s = floatSuffix(t.dtype(), "scale");
        KernelArgs a = new KernelArgs().ptr(ptr(t)).i64(n);
        launch("scale_" + s, gridStride(n), BLOCK_1D, scalar(a, t.dtype(), alpha));
    }

    /** {@code divide_*}: a true division in place (the MEAN K-reduction). */
    void divide(Tensor t, int k) {
        requireContiguous(t, "divide");
        long n = t.numel();
        if (n == 0) {
            return;
        }
        String s = floatSuffix(t.dtype(), "divide");
        KernelArgs a = new KernelArgs().ptr(ptr(t)).i64(n);
        launch("divide_" + s, gridStride(n), BLOCK_1D, scalar(a, t.dtype(), k));
    }

    // ------------------------------------------------------------------ copies

    @Override
    public void copy(Tensor src, Tensor dst) {
        if (!Arrays.equals(src.dims(), dst.dims()) || !dst.isContiguous()) {
            throw new Einsum4jException("copy: source " + src + " and destination " + dst
                    + " need the same dims and a contiguous destination");
        }
        boolean fromHost = src.device().isHost();
        boolean toHost = dst.device().isHost();
        if (fromHost && toHost) {
            Backend.cpu().copy(src, dst);
            return;
        }
        if (fromHost) {
            hostCopies.incrementAndGet();
            toDevice(src, dst);
        } else if (toHost) {
            hostCopies.incrementAndGet();
            toHost(src, dst);
        } else {
            deviceCopy(src, dst);
        }
    }

    /** Device to device on this device: a block copy when both are contiguous of one dtype, else copy_S_D. */
    private void deviceCopy(Tensor src, Tensor dst) {
        long n = dst.numel();
        if (n == 0) {
            return;
        }
        DType from = src.dtype();
        DType to = dst.dtype();
        if (from == to && src.isContiguous()) {
            driver.copyDeviceToDevice(ptr(dst), ptr(src), n * to.byteSize(), stream());
            return;
        }
        if (from != to && (!from.isFloating() || !to.isFloating())) {
            convertThroughHost(src, dst);
            return;
        }
        if (from.isHalf() && to.isHalf() && from != to) {
            // no copy_f16_bf16 kernel: through float32, which holds every value of both exactly
            try (Tensor mid = empty(DType.FLOAT32, src.dims())) {
                deviceCopy(src, mid);
                deviceCopy(mid, dst);
            }
            return;
        }
        Layouts.Dims d = Layouts.merge(src.dims(), src.strides(), dst.strides());
        if (d.rank() == 0) {
            d = new Layouts.Dims(new long[] {1}, new long[][] {{0}, {0}});
        }
        if (from == to && transpose(d, ptr(src), ptr(dst), to)) {
            return;
        }
        launch("copy_" + suffix(from) + "_" + suffix(to), gridStride(n), BLOCK_1D,
                new KernelArgs().ptr(ptr(src)).ptr(ptr(dst)).struct(Layouts.pair(d)).i64(n));
    }

    /**
     * INT64 ↔ float conversions have no kernel: they go through the host (two counted host copies, so a test that a
     * contraction or sampler makes no host copy would catch any use inside one). Indices are converted rarely, and
     * never by the executor or the samplers.
     */
    private void convertThroughHost(Tensor src, Tensor dst) {
        try (Tensor h = Tensor.empty(src.dtype(), src.dims()); Tensor c = Tensor.empty(dst.dtype(), dst.dims())) {
            copy(src, h);
            Backend.cpu().copy(h, c);
            copy(c, dst);
        }
    }

    /**
     * {@code batched_transpose_*} (tiled through shared memory, coalesced on both sides) when the copy is a batch of
     * 2-D transposes: dst contiguous [B, X, Y] from a contiguous [B, Y, X] source. False when it is not.
     */
    private boolean transpose(Layouts.Dims d, long src, long dst, DType t) {
        int r = d.rank();
        if (r < 2 || r > 3) {
            return false;
        }
        long[] sz = d.sizes();
        long[] sa = d.strides()[0];
        long x = sz[r - 2];
        long y = sz[r - 1];
        long batch = r == 3 ? sz[0] : 1;
        boolean transposed = sa[r - 2] == 1 && sa[r - 1] == x && (r == 2 || sa[0] == x * y);
        if (!transposed || batch > 65535 || x > Integer.MAX_VALUE || y > Integer.MAX_VALUE) {
            return false;
        }
        // out[b][c][r] = in[b][r][c] with in [B, rows = Y, cols = X]
        launch("batched_transpose_" + suffix(t), CudaDriver.Dim3.of((x + 31) / 32, (y + 31) / 32, batch),
                CudaDriver.Dim3.of(32, 8), new KernelArgs().ptr(src).ptr(dst).i32((int) y).i32((int) x));
        return true;
    }

    /** Host → device: the host side made contiguous in dst's dtype by the CPU backend, then staged through pinned memory. */
    private void toDevice(Tensor src, Tensor dst) {
        long n = dst.numel();
        if (n == 0) {
            return;
        }
        if (src.dtype() != dst.dtype() || !src.isContiguous()) {
            try (Tensor h = Tensor.empty(dst.dtype(), dst.dims())) {
                Backend.cpu().copy(src, h);
                stageIn(HostAccess.address(h), ptr(dst), n * dst.dtype().byteSize());
            }
            return;
        }
        stageIn(HostAccess.address(src), ptr(dst), n * dst.dtype().byteSize());
    }

    /** Device → host: the device side made contiguous (in dst's dtype where the kernels convert), staged out, then converted on the host if still needed. */
    private void toHost(Tensor src, Tensor dst) {
        long n = dst.numel();
        if (n == 0) {
            return;
        }
        DType from = src.dtype();
        DType to = dst.dtype();
        boolean deviceConverts = from == to || (from.isFloating() && to.isFloating());
        if (from == to && src.isContiguous()) {
            stageOut(ptr(src), HostAccess.address(dst), n * to.byteSize());
            return;
        }
        DType mid = deviceConverts ? to : from;
        try (Tensor c = empty(mid, src.dims())) {
            deviceCopy(src, c);
            if (mid == to) {
                stageOut(ptr(c), HostAccess.address(dst), n * to.byteSize());
            } else {
                try (Tensor h = Tensor.empty(mid, src.dims())) {
                    stageOut(ptr(c), HostAccess.address(h), n * mid.byteSize());
                    Backend.cpu().copy(h, dst);
                }
            }
        }
    }

    /** The two pinned staging buffers of {@value #STAGING} bytes and their events, made on first use. */
    private void stagingBuffers() {
        if (staging == null) {
            long a = driver.mallocHost(STAGING);
            long b = driver.mallocHost(STAGING);
            staging = new long[] {a, b};
            stagingEvents = new long[] {driver.eventCreate(), driver.eventCreate()};
        }
    }

    /** Waits (on the host) until the last copy queued on staging buffer k has finished with it. */
    private void awaitBuffer(int k) {
        if (stagingBusy[k]) {
            driver.eventSynchronize(stagingEvents[k]);
            stagingBusy[k] = false;
        }
    }

    /** Marks staging buffer k in use by the copy just queued on stream s. */
    private void queuedOnBuffer(int k, long s) {
        driver.eventRecord(stagingEvents[k], s);
        stagingBusy[k] = true;
    }

    /**
     * Host memory → device through the two pinned staging buffers, double-buffered: chunk i is copied (by the host)
     * into buffer i mod 2 while the asynchronous copy of chunk i − 1 from the other buffer runs; a buffer is refilled
     * only after the event recorded behind its last copy. Returns once the host memory has been read (it may be freed
     * then); the device copies complete in stream order, before any later work on the stream.
     */
    private synchronized void stageIn(long host, long dev, long bytes) {
        stagingBuffers();
        long s = stream();
        int i = 0;
        for (long off = 0; off < bytes; off += STAGING, i++) {
            long len = Math.min(STAGING, bytes - off);
            int k = i & 1;
            awaitBuffer(k);
            driver.hostCopy(staging[k], host + off, len);
            driver.copyHostToDevice(dev + off, staging[k], len, s);
            queuedOnBuffer(k, s);
        }
    }

    /**
     * Device → host memory through the two pinned staging buffers, double-buffered: the copies of the first two chunks
     * are queued at once, then while the host copies chunk i out of its buffer the device copies chunk i + 1 into the
     * other, and the buffer just emptied takes chunk i + 2. Synchronous: the data is on the host on return.
     */
    private synchronized void stageOut(long dev, long host, long bytes) {
        stagingBuffers();
        long s = stream();
        int chunks = (int) ((bytes + STAGING - 1) / STAGING);
        for (int i = 0; i < Math.min(2, chunks); i++) {
            queueOut(i, dev, bytes, s);
        }
        for (int i = 0; i < chunks; i++) {
            int k = i & 1;
            awaitBuffer(k);
            long off = i * STAGING;
            driver.hostCopy(host + off, staging[k], Math.min(STAGING, bytes - off));
            if (i + 2 < chunks) {
                queueOut(i + 2, dev, bytes, s);
            }
        }
    }

    private void queueOut(int i, long dev, long bytes, long s) {
        int k = i & 1;
        awaitBuffer(k);
        long off = i * STAGING;
        driver.copyDeviceToHost(staging[k], dev + off, Math.min(STAGING, bytes - off), s);
        queuedOnBuffer(k, s);
    }

    /** Reads {@code count} int64 values at a device address (a kernel's status or sizes); counted in {@link #readBacks()}. */
    long[] readLongs(long dev, int count) {
        readBacks.incrementAndGet();
        long[] out = new long[count];
        if (count == 0) {
            return out;
        }
        try (org.bytedeco.javacpp.LongPointer h = new org.bytedeco.javacpp.LongPointer(count)) {
            stageOut(dev, h.address(), 8L * count);
            h.get(out);
        }
        return out;
    }

    /** Writes int64 values to a device address through the staging buffer (a few bytes of sizes, not a tensor). */
    void writeLongs(long dev, long[] values) {
        if (values.length == 0) {
            return;
        }
        try (org.bytedeco.javacpp.LongPointer h = new org.bytedeco.javacpp.LongPointer(values)) {
            stageIn(h.address(), dev, 8L * values.length);
        }
    }

    // ------------------------------------------------------------------ GEMM

    @Override
    public void gemm(Tensor a, Tensor b, Tensor c, double beta) {
        GemmOperands g = GemmOperands.check(a, b, c, beta);
        if (g.trivial(this, c, beta)) {
            return;
        }
        a = g.a();
        b = g.b();
        DType dt = a.dtype();
        int batch = g.batch();
        int r = g.r();
        int m = g.m();
        int k = g.k();
        int n = g.n();
        if ((long) r * k <= OUTER_MAX_DEPTH) {
            outer(a, b, c, beta);
            return;
        }
        Tensor ac = null;
        Tensor bc = null;
        try {
            MatrixLayout la = MatrixLayout.of(m, k, a.stride(2), a.stride(3));
            if (la == null) {
                ac = contiguousCopy(a);
                a = ac;
                la = MatrixLayout.of(m, k, a.stride(2), a.stride(3));
            }
            MatrixLayout lb = MatrixLayout.of(k, n, b.stride(2), b.stride(3));
            if (lb == null) {
                bc = contiguousCopy(b);
                b = bc;
                lb = MatrixLayout.of(k, n, b.stride(2), b.stride(3));
            }
            long pa = ptr(a);
            long pb = ptr(b);
            long pc = ptr(c);
            int es = dt.byteSize();
            for (int j = 0; j < r; j++) {
                // row-major C = A·B is column-major Cᵀ = Bᵀ·Aᵀ: cuBLAS's A is our B
                driver.gemmStridedBatched(new GemmCall(lb.trans(), la.trans(), n, m, k, 1.0,
                        pb + j * b.stride(1) * es, lb.ld(), b.stride(0),
                        pa + j * a.stride(1) * es, la.ld(), a.stride(0),
                        j == 0 ? beta : 1.0, pc, n, (long) m * n, batch, dt, tf32 && dt == DType.FLOAT32), stream());
            }
        } finally {
            if (ac != null) {
                ac.close();
            }
            if (bc != null) {
                bc.close();
            }
        }
    }

    /**
     * The depth (r·k) up to which a GEMM runs as the fused {@code outer_*} kernel instead of cuBLAS: per-sample outer
     * products ({@code ni,nj->nij}) and their K-folded form are memory-bound, where cuBLAS with a tiny k is weak
     * (DESIGN.md "Backends"). Any strides, no copy. A tuning choice, to be confirmed on the GPU.
     */
    static final int OUTER_MAX_DEPTH = 16;

    /** {@code outer_*}: out[n, i, j] = Σ_r Σ_k x[n, r, k, i]·y[n, r, k, j] (+ beta·out), x = A (i = m), y = B (j = n). */
    private void outer(Tensor a, Tensor b, Tensor c, double beta) {
        DType dt = a.dtype();
        long batch = a.dim(0);
        long m = a.dim(2);
        long n = b.dim(3);
        int w = 16 / dt.byteSize();
        long vectors = (n + w - 1) / w;
        int bx = Integer.highestOneBit((int) Math.max(1, Math.min(vectors, BLOCK)));
        if (bx < Math.min(vectors, BLOCK)) {
            bx <<= 1;
        }
        int by = BLOCK / bx;
        KernelArgs args = new KernelArgs().ptr(ptr(a)).ptr(ptr(b)).ptr(ptr(c)).i64(batch).i64(a.dim(1)).i64(a.dim(3))
                .i64(m).i64(n).i64(a.stride(0)).i64(a.stride(1)).i64(a.stride(3)).i64(a.stride(2))
                .i64(b.stride(0)).i64(b.stride(1)).i64(b.stride(2)).i64(b.stride(3));
        launch("outer_" + suffix(dt),
                CudaDriver.Dim3.of((vectors + bx - 1) / bx, Math.min((batch * m + by - 1) / by, 65535)),
                CudaDriver.Dim3.of(bx, by), scalar(args, dt, beta));
    }

    // ------------------------------------------------------------------ broadcast products

    /**
     * {@code mul_broadcast_*} (G1 over the iteration space, any strides, 0 broadcasts) straight into out when nothing
     * is reduced; with a reduction, the product goes into a contiguous workspace of the iteration space (a backend
     * temporary, freed before return) which {@link #sum} then reduces.
     */
    @Override
    public void multiply(Tensor a, Tensor b, boolean[] reduce, Tensor out) {
        ProductOperands.check(a, b, reduce, out);
        if (out.numel() == 0) {
            return;
        }
        boolean reduces = false;
        for (boolean r : reduce) {
            reduces |= r;
        }
        if (!reduces) {
            mulBroadcast(a, b, out);
            return;
        }
        if (a.numel() == 0) {
            fill(out, 0);
            return;
        }
        try (Tensor product = empty(a.dtype(), a.dims())) {
            mulBroadcast(a, b, product);
            sum(product, reduce, out);
        }
    }

    /** {@code out = a · b} element-wise over a's dims, out contiguous: one {@code mul_broadcast_*} launch. */
    private void mulBroadcast(Tensor a, Tensor b, Tensor out) {
        long n = out.numel();
        Layouts.Dims d = Layouts.merge(a.dims(), a.strides(), b.strides());
        if (d.rank() == 0) {
            d = new Layouts.Dims(new long[] {1}, new long[][] {{0}, {0}});
        }
        launch("mul_broadcast_" + floatSuffix(a.dtype(), "multiply"), gridStride(n), BLOCK_1D,
                new KernelArgs().ptr(ptr(a)).ptr(ptr(b)).ptr(ptr(out)).struct(Layouts.pair(d)).i64(n));
    }

    // ------------------------------------------------------------------ sums

    @Override
    public void sum(Tensor t, boolean[] reduce, Tensor out) {
        int rank = t.rank();
        if (reduce.length != rank) {
            throw new Einsum4jException("sum: " + reduce.length + " flags for a tensor of rank " + rank);
        }
        int kept = 0;
        for (boolean x : reduce) {
            kept += x ? 0 : 1;
        }
        int[] keptDims = new int[kept];
        long[] keptStrides = new long[kept];
        int[] redDims = new int[rank - kept];
        long[] redStrides = new long[rank - kept];
        for (int i = 0, j = 0, q = 0; i < rank; i++) {
            if (reduce[i]) {
                redDims[q] = t.dim(i);
                redStrides[q++] = t.stride(i);
            } else {
                keptDims[j] = t.dim(i);
                keptStrides[j++] = t.stride(i);
            }
        }
        if (!Arrays.equals(out.dims(), keptDims) || !out.isContiguous() || out.dtype() != t.dtype()) {
            throw new Einsum4jException("sum: output " + out + " is not a contiguous " + t.dtype()
                    + Arrays.toString(keptDims));
        }
        String s = floatSuffix(t.dtype(), "sum");
        long outputs = out.numel();
        if (outputs == 0) {
            return;
        }
        if (t.numel() == 0) {
            fill(out, 0);
            return;
        }
        Layouts.Dims kd = Layouts.merge(keptDims, keptStrides);
        Layouts.Dims rd = Layouts.merge(redDims, redStrides);
        long reduced = rd.numel();
        byte[] layout = Layouts.reduce(kd, rd);
        boolean innerContiguous = rd.rank() > 0 && rd.strides()[0][rd.rank() - 1] == 1;
        KernelArgs args = new KernelArgs().ptr(ptr(t)).ptr(ptr(out)).struct(layout).i64(outputs).i64(reduced);
        if (outputs < 1024 && reduced >= 4096 && outputs <= 65535) {
            // few outputs, long reductions: one block per output, one pass (chunk = reduced)
            launch("sum_axes_block_" + s, CudaDriver.Dim3.of(1, outputs), BLOCK_1D, args.i64(reduced));
        } else if (innerContiguous && reduced >= 32) {
            launch("sum_axes_warp_" + s, warpPerItem(outputs), BLOCK_1D, args);
        } else {
            launch("sum_axes_thread_" + s, gridStride(outputs), BLOCK_1D, args);
        }
    }

    /**
     * The smallest summed depth worth a separate GEMM step: every r-split slice is its own cuBLAS call on the GPU, so
     * shallow ones are folded by a copy instead, as on the CPU.
     */
    @Override
    public int minSplitDepth() {
        return 16;
    }

    /** The device's free memory (cuMemGetInfo) plus the blocks the allocator holds for reuse. */
    @Override
    public long availableBytes() {
        return driver.memGetInfo().free() + allocator.cachedBytes();
    }

    @Override
    public SamplerKernels samplerKernels() {
        return samplerKernels;
    }

    @Override
    public NnKernels nnKernels() {
        return nnKernels;
    }

    @Override
    public String toString() {
        return "CudaBackend(" + device + ", " + driver + ")";
    }
}
