package org.einsum4j.dp;

import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/**
 * The few tensor moves the DP step makes outside contractions: views (a copy only where the strides allow none),
 * small host vectors (clip factors, noise) put on the operands' device, and results handed over as owned
 * contiguous tensors.
 */
final class Tensors {
    private Tensors() {
    }

    /** {@code t} under new dims: a view where the layout allows one (no copy), else an owned contiguous copy. */
    static Tensor view(Tensor t, int... dims) {
        return t.viewAs(dims).orElseGet(() -> t.reshape(dims));
    }

    /** A host vector as a tensor of the given floating dtype on {@code device}. */
    static Tensor vector(double[] v, DType dtype, Device device) {
        return onDevice(array(v, dtype, v.length), device);
    }

    /** Host values of the given dtype and shape, moved to {@code device} (the host tensor is released). */
    static Tensor array(double[] v, DType dtype, int... dims) {
        if (dtype == DType.FLOAT32) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            return Tensor.of(f, dims);
        }
        return Tensor.of(v.clone(), dims);
    }

    /** {@code host} moved to {@code device}; {@code host} itself when that is the host. */
    static Tensor onDevice(Tensor host, Device device) {
        if (device.isHost()) {
            return host;
        }
        try (host) {
            return host.to(device);
        }
    }

    /** {@code t} (a new result) as a contiguous tensor of {@code dims} that owns its memory; consumes {@code t}. */
    static Tensor owned(Tensor t, int... dims) {
        if (t.ownsMemory() && t.isContiguous()) {
            return t.reshapeTakingOwnership(dims);
        }
        try {
            return t.copy().reshapeTakingOwnership(dims);
        } finally {
            t.close();
        }
    }

    /** A {@code [B]} result read to the host (B values) and closed. */
    static double[] host(Tensor t) {
        try (t) {
            return t.toDoubleArray();
        }
    }
}
