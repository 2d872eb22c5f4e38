package org.einsum4j.cuda;

import static org.bytedeco.cuda.global.cublas.CUBLAS_COMPUTE_32F;
import static org.bytedeco.cuda.global.cublas.CUBLAS_COMPUTE_32F_FAST_TF32;
import static org.bytedeco.cuda.global.cublas.CUBLAS_COMPUTE_64F;
import static org.bytedeco.cuda.global.cublas.CUBLAS_GEMM_DEFAULT;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_N;
import static org.bytedeco.cuda.global.cublas.CUBLAS_OP_T;
import static org.bytedeco.cuda.global.cublas.CUBLAS_STATUS_SUCCESS;
import static org.bytedeco.cuda.global.cublas.cublasCreate_v2;
import static org.bytedeco.cuda.global.cublas.cublasGemmStridedBatchedEx;
import static org.bytedeco.cuda.global.cublas.cublasGetStatusString;
import static org.bytedeco.cuda.global.cublas.cublasSetStream_v2;
import static org.bytedeco.cuda.global.cudart.CUDA_ERROR_OUT_OF_MEMORY;
import static org.bytedeco.cuda.global.cudart.CUDA_R_16BF;
import static org.bytedeco.cuda.global.cudart.CUDA_R_16F;
import static org.bytedeco.cuda.global.cudart.CUDA_R_32F;
import static org.bytedeco.cuda.global.cudart.CUDA_R_64F;
import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.CU_EVENT_DEFAULT;
import static org.bytedeco.cuda.global.cudart.CU_STREAM_NON_BLOCKING;

import java.nio.ByteBuffer;
import org.bytedeco.cuda.cublas.cublasContext;
import org.bytedeco.cuda.cudart.CUctx_st;
import org.bytedeco.cuda.cudart.CUevent_st;
import org.bytedeco.cuda.cudart.CUfunc_st;
import org.bytedeco.cuda.cudart.CUmod_st;
import org.bytedeco.cuda.cudart.CUstream_st;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.einsum4j.tensor.DType;

/**
 * The real {@link CudaDriver}: the CUDA driver API and cuBLAS through JavaCPP's CUDA 13 bindings, on one device's
 * primary context (made current on each calling thread before its first call). Every status other than success
 * becomes a {@link CudaException} naming the call. One cuBLAS handle per thread (cuBLAS handles are not
 * thread-safe), created on the thread's first GEMM.
 */
final class JavaCppDriver implements CudaDriver {
    private final int ordinal;
    private final CUctx_st context = new CUctx_st();
    private final String name;
    private final ThreadLocal<Boolean> bound = ThreadLocal.withInitial(() -> false);
    private final ThreadLocal<Long> blasStream = ThreadLocal.withInitial(() -> -1L);
    private final ThreadLocal<cublasContext> handles = new ThreadLocal<>();

    /** Opens device {@code ordinal}: the bindings must have loaded ({@link CudaRuntime}). */
    JavaCppDriver(int ordinal) {
        this.ordinal = ordinal;
        check(cudart.cuInit(0), "cuInit");
        int[] count = new int[1];
        check(cudart.cuDeviceGetCount(count), "cuDeviceGetCount");
        if (ordinal >= count[0]) {
            throw new CudaException("no CUDA device " + ordinal + ": " + count[0] + " device(s) present");
        }
        int[] dev = new int[1];
        check(cudart.cuDeviceGet(dev, ordinal), "cuDeviceGet");
        check(cudart.cuDevicePrimaryCtxRetain(context, dev[0]), "cuDevicePrimaryCtxRetain");
        bind();
        byte[] n = new byte[256];
        check(cudart.cuDeviceGetName(n, n.length, dev[0]), "cuDeviceGetName");
        int len = 0;
        while (len < n.length && n[len] != 0) {
            len++;
        }
        int[] major = new int[1];
        int[] minor = new int[1];
        check(cudart.cuDeviceGetAttribute(major, cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, dev[0]),
                "cuDeviceGetAttribute");
        check(cudart.cuDeviceGetAttribute(minor, cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, dev[0]),
                "cuDeviceGetAttribute");
        MemInfo m = memGetInfo();
        this.name = new String(n, 0, len, java.nio.charset.StandardCharsets.US_ASCII) + " (sm_" + major[0] + minor[0]
                + ", " + (m.total() >> 30) + " GiB)";
    }

    /** Makes the device's primary context current on this thread (once per thread). */
    private void bind() {
        if (!bound.get()) {
            check(cudart.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            bound.set(true);
        }
    }

    static void check(int status, String call) {
        if (status != CUDA_SUCCESS) {
            throw new CudaException(call + " failed: " + errorName(status) + " (" + status + ")");
        }
    }

    static String errorName(int status) {
        try (PointerPointer<BytePointer> p = new PointerPointer<>(1)) {
            if (cudart.cuGetErrorName(status, p) == CUDA_SUCCESS && p.get(0) != null) {
                return p.getString(0);
            }
        } catch (RuntimeException | LinkageError e) {
            // fall through: the code alone
        }
        return "CUresult " + status;
    }

    /** A JavaCPP pointer at a raw address (device or host), for the bindings' Pointer parameters. */
    static final class Addr extends Pointer {
        Addr(long address) {
            this.address = address;
        }
    }

    private static CUstream_st stream(long s) {
        return s == 0 ? null : new CUstream_st(new Addr(s));
    }

    @Override
    public long malloc(long bytes) {
        bind();
        long[] p = new long[1];
        int st = cudart.cuMemAlloc(p, bytes);
        if (st == CUDA_ERROR_OUT_OF_MEMORY) {
            throw new DeviceOutOfMemory("cuMemAlloc(" + bytes + ") failed: CUDA_ERROR_OUT_OF_MEMORY");
        }
        check(st, "cuMemAlloc(" + bytes + ")");
        return p[0];
    }

    @Override
    public void free(long devicePtr) {
        bind();
        check(cudart.cuMemFree(devicePtr), "cuMemFree");
    }

    @Override
    public long mallocHost(long bytes) {
        bind();
        try (PointerPointer<Pointer> p = new PointerPointer<>(1)) {
            check(cudart.cuMemAllocHost(p, bytes), "cuMemAllocHost(" + bytes + ")");
            return p.get(0).address();
        }
    }

    @Override
    public void freeHost(long hostPtr) {
        bind();
        check(cudart.cuMemFreeHost(new Addr(hostPtr)), "cuMemFreeHost");
    }

    @Override
    public void copyHostToDevice(long dst, long hostSrc, long bytes, long stream) {
        bind();
        check(cudart.cuMemcpyHtoDAsync(dst, new Addr(hostSrc), bytes, stream(stream)), "cuMemcpyHtoDAsync");
    }

    @Override
    public void copyDeviceToHost(long hostDst, long src, long bytes, long stream) {
        bind();
        check(cudart.cuMemcpyDtoHAsync(new Addr(hostDst), src, bytes, stream(stream)), "cuMemcpyDtoHAsync");
    }

    @Override
    public void copyDeviceToDevice(long dst, long src, long bytes, long stream) {
        bind();
        check(cudart.cuMemcpyDtoDAsync(dst, src, bytes, stream(stream)), "cuMemcpyDtoDAsync");
    }

    @Override
    public void memset(long dst, byte value, long bytes, long stream) {
        bind();
        check(cudart.cuMemsetD8Async(dst, value, bytes, stream(stream)), "cuMemsetD8Async");
    }

    @Override
    public long loadModule(byte[] image) {
        bind();
        CUmod_st m = new CUmod_st();
        try (BytePointer img = new BytePointer(image)) {
            check(cudart.cuModuleLoadData(m, img), "cuModuleLoadData");
        }
        return m.address();
    }

    @Override
    public long function(long module, String kernel) {
        bind();
        CUfunc_st f = new CUfunc_st();
        check(cudart.cuModuleGetFunction(f, new CUmod_st(new Addr(module)), kernel),
                "cuModuleGetFunction(" + kernel + ")");
        return f.address();
    }

    @Override
    public void launch(long function, String kernel, Dim3 grid, Dim3 block, int sharedBytes, long stream,
                       KernelArgs args) {
        bind();
        ByteBuffer packed = args.pack();
        int[] offsets = args.offsets();
        try (BytePointer buf = new BytePointer(packed.capacity());
             PointerPointer<Pointer> params = new PointerPointer<>(Math.max(1, offsets.length))) {
            buf.put(packed.array());
            for (int i = 0; i < offsets.length; i++) {
                params.put(i, new Addr(buf.address() + offsets[i]));
            }
            check(cudart.cuLaunchKernel(new CUfunc_st(new Addr(function)), grid.x(), grid.y(), grid.z(), block.x(),
                    block.y(), block.z(), sharedBytes, stream(stream), params, (PointerPointer<?>) null),
                    "cuLaunchKernel(" + kernel + ", grid " + grid + ", block " + block + ")");
        }
    }

    private cublasContext handle() {
        cublasContext h = handles.get();
        if (h == null) {
            h = new cublasContext();
            checkBlas(cublasCreate_v2(h), "cublasCreate");
            handles.set(h);
        }
        return h;
    }

    static void checkBlas(int status, String call) {
        if (status != CUBLAS_STATUS_SUCCESS) {
            String s;
            try {
                s = cublasGetStatusString(status).getString();
            } catch (RuntimeException | LinkageError e) {
                s = "cublasStatus " + status;
            }
            throw new CudaException(call + " failed: " + s + " (" + status + ")");
        }
    }

    @Override
    public void gemmStridedBatched(GemmCall g, long stream) {
        bind();
        cublasContext h = handle();
        if (blasStream.get() != stream) {
            checkBlas(cublasSetStream_v2(h, stream(stream)), "cublasSetStream");
            blasStream.set(stream);
        }
        GemmTypes t = GemmTypes.of(g);
        int type = t.dataType();
        int compute = t.computeType();
        boolean f32 = t.floatScalars();
        try (Pointer alpha = f32 ? new FloatPointer((float) g.alpha()) : new DoublePointer(g.alpha());
             Pointer beta = f32 ? new FloatPointer((float) g.beta()) : new DoublePointer(g.beta())) {
            checkBlas(cublasGemmStridedBatchedEx(h, g.transA() ? CUBLAS_OP_T : CUBLAS_OP_N,
                    g.transB() ? CUBLAS_OP_T : CUBLAS_OP_N, g.m(), g.n(), g.k(), alpha, new Addr(g.a()), type, g.lda(),
                    g.strideA(), new Addr(g.b()), type, g.ldb(), g.strideB(), beta, new Addr(g.c()), type, g.ldc(),
                    g.strideC(), g.batch(), compute, CUBLAS_GEMM_DEFAULT), "cublasGemmStridedBatchedEx(" + g + ")");
        }
    }

    @Override
    public void synchronizeDevice() {
        bind();
        check(cudart.cuCtxSynchronize(), "cuCtxSynchronize");
    }

    @Override
    public long streamCreate() {
        bind();
        CUstream_st s = new CUstream_st();
        check(cudart.cuStreamCreate(s, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
        return s.address();
    }

    @Override
    public void streamSynchronize(long stream) {
        bind();
        check(cudart.cuStreamSynchronize(stream(stream)), "cuStreamSynchronize");
    }

    @Override
    public void streamDestroy(long stream) {
        bind();
        check(cudart.cuStreamDestroy(stream(stream)), "cuStreamDestroy");
    }

    @Override
    public long eventCreate() {
        bind();
        CUevent_st e = new CUevent_st();
        check(cudart.cuEventCreate(e, CU_EVENT_DEFAULT), "cuEventCreate");
        return e.address();
    }

    private static CUevent_st event(long e) {
        return new CUevent_st(new Addr(e));
    }

    @Override
    public void eventRecord(long e, long stream) {
        bind();
        check(cudart.cuEventRecord(event(e), stream(stream)), "cuEventRecord");
    }

    @Override
    public void eventSynchronize(long e) {
        bind();
        check(cudart.cuEventSynchronize(event(e)), "cuEventSynchronize");
    }

    @Override
    public boolean eventQuery(long e) {
        bind();
        int st = cudart.cuEventQuery(event(e));
        if (st == cudart.CUDA_ERROR_NOT_READY) {
            return false;
        }
        check(st, "cuEventQuery");
        return true;
    }

    @Override
    public void streamWaitEvent(long s, long e) {
        bind();
        check(cudart.cuStreamWaitEvent(stream(s), event(e), 0), "cuStreamWaitEvent");
    }

    @Override
    public float eventElapsedMillis(long start, long end) {
        bind();
        float[] ms = new float[1];
        check(cudart.cuEventElapsedTime(ms, event(start), event(end)), "cuEventElapsedTime");
        return ms[0];
    }

    @Override
    public void eventDestroy(long e) {
        bind();
        check(cudart.cuEventDestroy(event(e)), "cuEventDestroy");
    }

    @Override
    public MemInfo memGetInfo() {
        bind();
        try (SizeTPointer free = new SizeTPointer(1); SizeTPointer total = new SizeTPointer(1)) {
            check(cudart.cuMemGetInfo(free, total), "cuMemGetInfo");
            return new MemInfo(free.get(), total.get());
        }
    }

    @Override
    public String deviceName() {
        return name;
    }

    @Override
    public String toString() {
        return "cuda:" + ordinal + " " + name;
    }

    /**
     * The data and compute types of a GEMM: FLOAT32 in float32 (TF32 tensor cores only when the call opted in),
     * FLOAT64 in float64, FLOAT16 and BFLOAT16 stored as CUDA_R_16F / CUDA_R_16BF and accumulated in float32
     * (CUBLAS_COMPUTE_32F, with float alpha and beta as cuBLAS requires for that compute type).
     */
    record GemmTypes(int dataType, int computeType) {
        /** Whether alpha and beta are floats (every 32-bit compute type) rather than doubles (CUBLAS_COMPUTE_64F). */
        boolean floatScalars() {
            return computeType != CUBLAS_COMPUTE_64F;
        }

        static GemmTypes of(GemmCall g) {
            return switch (g.dtype()) {
                case FLOAT32 -> new GemmTypes(CUDA_R_32F, g.tf32() ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F);
                case FLOAT64 -> new GemmTypes(CUDA_R_64F, CUBLAS_COMPUTE_64F);
                case FLOAT16 -> new GemmTypes(CUDA_R_16F, CUBLAS_COMPUTE_32F);
                case BFLOAT16 -> new GemmTypes(CUDA_R_16BF, CUBLAS_COMPUTE_32F);
                case INT64 -> throw new CudaException("no GEMM on INT64 tensors: " + g);
            };
        }
    }
}
