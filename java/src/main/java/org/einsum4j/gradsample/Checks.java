package org.einsum4j.gradsample;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.InvalidOperandException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/** Input validation and result assembly shared by the samplers; every failure names the layer and the values. */
final class Checks {
    private Checks() {
    }

    /** Exactly {@code n} tensors in {@code ts}. */
    static void count(Layer layer, List<Tensor> ts, int n, String what, String names) {
        if (ts.size() != n) {
            throw new GradSampleException(layer.kind() + ": expected " + n + " " + what + " (" + names + "), got "
                    + ts.size());
        }
    }

    /** A FLOAT32 or FLOAT64 tensor (the 16-bit storage types are for contractions only). */
    static void floating(Layer layer, Tensor t, String what) {
        if (!t.dtype().isFloating() || t.dtype().isHalf()) {
            throw new InvalidOperandException(layer.kind() + ": " + what + " must be FLOAT32 or FLOAT64, got "
                    + t.dtype() + " " + t.shape());
        }
    }

    /** Both floating and of the same dtype. */
    static void sameFloating(Layer layer, Tensor a, String aName, Tensor b, String bName) {
        floating(layer, a, aName);
        floating(layer, b, bName);
        if (a.dtype() != b.dtype()) {
            throw new InvalidOperandException(layer.kind() + ": dtype mismatch: " + aName + " is " + a.dtype()
                    + " but " + bName + " is " + b.dtype());
        }
    }

    /** Rank at least {@code min}. */
    static void minRank(Layer layer, Tensor t, String what, int min, String layout) {
        if (t.rank() < min) {
            throw new LayerShapeException(layer.kind() + ": " + what + " expected shape " + layout + " (rank >= "
                    + min + "), got " + t.shape());
        }
    }

    /** Exact rank. */
    static void rank(Layer layer, Tensor t, String what, int rank, String layout) {
        if (t.rank() != rank) {
            throw new LayerShapeException(layer.kind() + ": " + what + " expected shape " + layout + " (rank "
                    + rank + "), got " + t.shape());
        }
    }

    /** Size of one dim. */
    static void dim(Layer layer, Tensor t, String what, int axis, int expected, String meaning) {
        if (t.dim(axis) != expected) {
            throw new LayerShapeException(layer.kind() + ": " + what + " dim " + axis + " (" + meaning
                    + ") expected " + expected + ", got " + t.dim(axis) + " (shape " + t.shape() + ")");
        }
    }

    /** Same sizes on dims {@code from} (inclusive) to {@code to} (exclusive) of both tensors. */
    static void sameDims(Layer layer, Tensor a, String aName, Tensor b, String bName, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a.dim(i) != b.dim(i)) {
                throw new LayerShapeException(layer.kind() + ": " + aName + " " + a.shape() + " and " + bName + " "
                        + b.shape() + " disagree on dim " + i + ": " + a.dim(i) + " vs " + b.dim(i));
            }
        }
    }

    /** B = rows / K, where rows is the size of {@code axis}; rejects rows not divisible by K. */
    static int samples(Layer layer, Tensor t, String what, int axis, int k) {
        if (k < 1) {
            // samplers may be called directly, not only through GradSampler
            throw new MultiplicityException(layer.kind() + ": augmentation multiplicity K must be >= 1, got " + k);
        }
        int rows = t.dim(axis);
        if (rows % k != 0) {
            throw new MultiplicityException(layer.kind() + ": " + what + " has " + rows + " rows (dim " + axis
                    + " of " + t.shape() + "), not divisible by K = " + k
                    + " (rows must be B*K, sample-major)");
        }
        return rows / k;
    }

    /** Product of dims {@code from} (inclusive) to {@code to} (exclusive). */
    static int prod(int[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            p *= dims[i];
        }
        if (p > Integer.MAX_VALUE) {
            throw new LayerShapeException("dims " + Arrays.toString(Arrays.copyOfRange(dims, from, to))
                    + " have more than 2^31-1 elements");
        }
        return (int) p;
    }

    /** {@code [b, *shape]}. */
    static int[] withBatch(int b, int[] shape) {
        int[] out = new int[shape.length + 1];
        out[0] = b;
        System.arraycopy(shape, 0, out, 1, shape.length);
        return out;
    }

    /**
     * The device of the {@link GradSampler#compute} call running on this thread: the samplers' signature
     * carries no device, and the only result they make without an operand to copy it from (the empty batch)
     * must still land on their operands' device. Set only for the duration of one call.
     */
    private static final ThreadLocal<Device> CALL_DEVICE = new ThreadLocal<>();

    /** Runs {@code call} with {@code device} as the device of empty-batch results. */
    static <T> T onDevice(Device device, java.util.function.Supplier<T> call) {
        Device outer = CALL_DEVICE.get();
        CALL_DEVICE.set(device);
        try {
            return call.get();
        } finally {
            if (outer == null) {
                CALL_DEVICE.remove();
            } else {
                CALL_DEVICE.set(outer);
            }
        }
    }

    /** Zero-filled {@code [0, *param.shape]} results for an empty batch, on the call's device. */
    static Map<String, Tensor> emptyBatch(Layer layer, DType dtype) {
        Device device = CALL_DEVICE.get() == null ? Device.CPU : CALL_DEVICE.get();
        Results r = new Results();
        try {
            for (Map.Entry<String, int[]> e : layer.parameterShapes().entrySet()) {
                r.put(e.getKey(), Tensor.zeros(device, dtype, withBatch(0, e.getValue())));
            }
            return r.done();
        } catch (RuntimeException e) {
            r.closeAll();
            throw e;
        }
    }

    /** Collects result tensors in parameter order; closes them all if the call fails part way. */
    static final class Results {
        private final Map<String, Tensor> map = new LinkedHashMap<>();

        Tensor put(String name, Tensor t) {
            map.put(name, t);
            return t;
        }

        Map<String, Tensor> done() {
            return java.util.Collections.unmodifiableMap(map);
        }

        void closeAll() {
            for (Tensor t : map.values()) {
                t.close();
            }
            map.clear();
        }
    }

    /**
     * A lower bound, from the shapes alone, of the bytes a call makes: the per-sample results (B = rows of the
     * first backprops / K, times every parameter's size) and, for convolutions, the unfolded input
     * ({@code B·K·L × in·Πkernel}). 0 when the shapes are not yet known to be consistent (the sampler's own
     * checks then say why); saturated at 2^61.
     */
    static long bytesNeeded(Layer layer, int[] backpropsShape, DType dtype, int k) {
        if (backpropsShape.length == 0 || k < 1) {
            return 0;
        }
        long rows = backpropsShape[0];
        if (rows % k != 0) {
            return 0;
        }
        double b = rows / k;
        double elements = 0;
        for (int[] shape : layer.parameterShapes().values()) {
            elements += b * org.einsum4j.tensor.Shape.numel(shape);
        }
        if (layer instanceof ConvLayer c) {
            double window = c.in();
            for (int x : c.kernel()) {
                window *= x;
            }
            double g = 1;
            for (int d : backpropsShape) {
                g *= d;
            }
            elements += g / c.out() * window;
        }
        double bytes = elements * dtype.byteSize();
        return bytes >= 0x1p61 ? 1L << 61 : (long) bytes;
    }

    // ------------------------------------------------------------------ layer hyperparameters (record constructors)

    static void positive(String what, int v) {
        if (v < 1) {
            throw new GradSampleException(what + " must be >= 1, got " + v);
        }
    }

    static int[] perDim(String what, int[] v, int dims) {
        if (v == null || (v.length != 1 && v.length != dims)) {
            throw new GradSampleException("Conv" + dims + "d " + what + " " + Arrays.toString(v) + ": expected 1 or "
                    + dims + " numbers");
        }
        int[] out = new int[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = v.length == 1 ? v[0] : v[i];
            if (out[i] < 1) {
                throw new GradSampleException("Conv" + dims + "d " + what + " " + Arrays.toString(v)
                        + " must be >= 1");
            }
        }
        return out;
    }
}
