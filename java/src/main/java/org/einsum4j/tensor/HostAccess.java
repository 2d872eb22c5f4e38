package org.einsum4j.tensor;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Internal: raw addresses of host tensors, for the CPU backend's kernels and BLAS calls only (an
 * architecture test keeps every other package off this class). Every method checks that the tensor is open
 * and lives in host memory: a tensor on a device gives an {@link org.einsum4j.Einsum4jException}, never an
 * address the JVM would crash on.
 */
public final class HostAccess {
    private HostAccess() {
    }

    /** Address of element [0, …, 0] of a host tensor. */
    public static long address(Tensor t) {
        return t.hostAddress();
    }

    /** A JavaCPP pointer at element [0, …, 0] of a FLOAT32 host tensor, for native calls. */
    public static FloatPointer floatPointer(Tensor t) {
        t.requireDType(DType.FLOAT32);
        return new FloatPointer(pointerAt(t));
    }

    /** A JavaCPP pointer at element [0, …, 0] of a FLOAT64 host tensor, for native calls. */
    public static DoublePointer doublePointer(Tensor t) {
        t.requireDType(DType.FLOAT64);
        return new DoublePointer(pointerAt(t));
    }

    private static Pointer pointerAt(Tensor t) {
        final long a = t.hostAddress();
        return new Pointer(t.host().pointer()) {
            {
                address = a;
            }
        };
    }
}
