package org.einsum4j.cuda;

import java.util.Optional;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.bytedeco.javacpp.Loader;

/**
 * Whether JavaCPP's CUDA bindings load here, probed once. Without a driver, loading them fails with an
 * {@link UnsatisfiedLinkError} whose real reason ({@code libcuda.so.1} or {@code libcudart.so.13} missing) is only in
 * its cause, and every later use throws {@link NoClassDefFoundError}: so the probe runs once in this holder, catches
 * both, and keeps the whole chain's messages for {@link org.einsum4j.BackendUnavailableException}.
 */
final class CudaRuntime {
    private CudaRuntime() {
    }

    private static final class Holder {
        static final String FAILURE = probe();
    }

    /** Empty when the bindings (cudart with the driver API, cuBLAS) loaded; else why not. */
    static Optional<String> loadFailure() {
        return Optional.ofNullable(Holder.FAILURE);
    }

    private static String probe() {
        try {
            Loader.load(cudart.class);
            Loader.load(cublas.class);
            int[] version = new int[1];
            int st = cudart.cuDriverGetVersion(version);
            if (st != cudart.CUDA_SUCCESS) {
                return "cuDriverGetVersion failed: " + JavaCppDriver.errorName(st);
            }
            st = cudart.cuInit(0);
            if (st != cudart.CUDA_SUCCESS) {
                return "no usable CUDA driver: cuInit failed: " + JavaCppDriver.errorName(st);
            }
            int[] count = new int[1];
            st = cudart.cuDeviceGetCount(count);
            if (st != cudart.CUDA_SUCCESS) {
                return "cuDeviceGetCount failed: " + JavaCppDriver.errorName(st);
            }
            if (count[0] == 0) {
                return "no CUDA device: the driver (version " + version[0] + ") sees none";
            }
            return null;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            return "the CUDA libraries could not be loaded (no NVIDIA driver or CUDA 13 runtime here): "
                    + causes(e);
        } catch (RuntimeException e) {
            return "the CUDA bindings failed to initialize: " + causes(e);
        }
    }

    /** The messages along a throwable's cause chain: the first says little, the last says what is missing. */
    static String causes(Throwable e) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (sb.length() > 0) {
                sb.append(" <- ");
            }
            sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage());
        }
        return sb.toString();
    }
}
