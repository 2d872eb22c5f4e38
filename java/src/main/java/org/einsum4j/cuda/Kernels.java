package org.einsum4j.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * einsum4j's own CUDA kernels (native/*.cu), compiled at build time by nvcc into one fatbin (SASS for sm_80 and
 * sm_90, PTX for compute_90) and packed in the jar as {@value #RESOURCE}. The CUDA backend loads it with
 * {@code cuModuleLoadData}. The fatbin is absent when the jar was built without nvcc on the PATH.
 */
public final class Kernels {
    /** Classpath location of the fatbin. */
    public static final String RESOURCE = "org/einsum4j/cuda/kernels.fatbin";

    /** First four bytes of every fatbin, read little-endian. */
    public static final int FATBIN_MAGIC = 0xBA55ED50;

    /** Why {@link #fatbin()} is empty, for the CUDA backend's error message. */
    public static final String NOT_BUILT = "the CUDA kernels (" + RESOURCE + ") are not in this build of einsum4j: "
            + "nvcc was not on the PATH when it was built; rebuild with CUDA 13's nvcc on the PATH";

    private Kernels() {
    }

    private static final class Holder {
        static final byte[] FATBIN = load();
    }

    /** The fatbin's bytes (a fresh copy), or empty when the kernels were not built. */
    public static Optional<byte[]> fatbin() {
        byte[] f = Holder.FATBIN;
        return f == null ? Optional.empty() : Optional.of(f.clone());
    }

    /** True when the jar holds the kernels. */
    public static boolean available() {
        return Holder.FATBIN != null;
    }

    private static byte[] load() {
        try (InputStream in = Kernels.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE + " from the classpath", e);
        }
    }
}
