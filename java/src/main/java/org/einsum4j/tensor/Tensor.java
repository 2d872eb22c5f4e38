package org.einsum4j.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.einsum4j.Backend;
import org.einsum4j.Einsum4jException;

/**
 * An n-dimensional array on a {@link Device}: dtype, shape, strides (in elements, non-negative) and an
 * offset into a {@link Storage} (host memory, or memory a backend owns on a device). Views ({@link #permute}, {@link #view}, {@link #broadcastTo},
 * {@link #slice}, {@link #asStrided}) share the storage of their base without copying.
 *
 * <p>Ownership: a tensor made by a factory ({@link #of}, {@link #zeros}, {@link #copy}, {@link #reshape} …) owns
 * its memory and
 * frees it on {@link #close()}; a view never frees memory, and closing it only makes the view unusable.
 * Any use after the memory is released throws {@link TensorClosedException}. A {@link java.lang.ref.Cleaner}
 * frees unreachable storage as a safety net; do not rely on it for large tensors.
 *
 * <p>Devices: the factories without a {@link Device} make host tensors. Element access ({@link #get},
 * {@link #set}) needs host memory; {@link #toFloatArray()} and friends copy a device tensor to the host
 * explicitly (through its backend); {@link #to(Device)} copies across devices. Reading device memory from
 * the host any other way is an {@link Einsum4jException}, never a crash.
 */
public final class Tensor implements AutoCloseable {
    private final Storage storage;
    private final boolean owner;
    private final DType dtype;
    private final int[] dims;
    private final long[] strides;
    private final long offset;
    private volatile boolean closed;

    private Tensor(Storage storage, boolean owner, DType dtype, int[] dims, long[] strides, long offset) {
        this.storage = storage;
        this.owner = owner;
        this.dtype = dtype;
        this.dims = dims;
        this.strides = strides;
        this.offset = offset;
    }

    // ---------------------------------------------------------------- factories

    /** A new zero-filled contiguous host tensor. */
    public static Tensor zeros(DType dtype, int... dims) {
        return allocate(dtype, dims, true);
    }

    /** A new zero-filled contiguous tensor on {@code device} (allocated by that device's backend). */
    public static Tensor zeros(Device device, DType dtype, int... dims) {
        return device.isHost() ? zeros(dtype, dims) : Backend.forDevice(device).zeros(dtype, dims);
    }

    /** A new contiguous tensor on {@code device} whose contents are unspecified. */
    public static Tensor empty(Device device, DType dtype, int... dims) {
        return device.isHost() ? empty(dtype, dims) : Backend.forDevice(device).empty(dtype, dims);
    }

    /**
     * For backends: a new contiguous tensor of {@code dims} that owns {@code storage} (released when the tensor
     * is closed). The storage must hold at least the tensor's bytes.
     */
    public static Tensor onDevice(DeviceStorage storage, DType dtype, int... dims) {
        long need = byteSize(dtype, dims);
        if (storage.bytes() < need) {
            throw new Einsum4jException("device storage of " + storage.bytes() + " bytes is too small for "
                    + dtype + Shape.of(dims) + " (" + need + " bytes)");
        }
        return new Tensor(storage, true, dtype, dims.clone(), Shape.of(dims).contiguousStrides(), 0);
    }

    /** Bytes of a contiguous tensor of this dtype and shape; a clear exception on overflow. */
    static long byteSize(DType dtype, int[] dims) {
        try {
            return Math.multiplyExact(Shape.numel(dims), (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new Einsum4jException("tensor of shape " + Arrays.toString(dims) + " is too large");
        }
    }

    private static Tensor allocate(DType dtype, int[] dims, boolean zero) {
        long bytes = byteSize(dtype, dims);
        Storage s = new HostStorage(bytes, zero);
        return new Tensor(s, true, dtype, dims.clone(), Shape.of(dims).contiguousStrides(), 0);
    }

    /**
     * A new contiguous tensor whose contents are unspecified (not zeroed): for outputs that are written in full
     * before being read, such as GEMM results.
     */
    public static Tensor empty(DType dtype, int... dims) {
        return allocate(dtype, dims, false);
    }

    public static Tensor zeros(DType dtype, Shape shape) {
        return zeros(dtype, shape.toArray());
    }

    /** A FLOAT32 tensor holding a copy of {@code data} (row-major), of the given shape. */
    public static Tensor of(float[] data, int... dims) {
        checkLength(data.length, dims);
        Tensor t = empty(DType.FLOAT32, dims);
        t.host().write(data, 0, 0, data.length);
        return t;
    }

    /** A FLOAT64 tensor holding a copy of {@code data} (row-major), of the given shape. */
    public static Tensor of(double[] data, int... dims) {
        checkLength(data.length, dims);
        Tensor t = empty(DType.FLOAT64, dims);
        t.host().write(data, 0, 0, data.length);
        return t;
    }

    /** An INT64 tensor holding a copy of {@code data} (row-major), of the given shape. */
    public static Tensor ofLongs(long[] data, int... dims) {
        checkLength(data.length, dims);
        Tensor t = empty(DType.INT64, dims);
        t.host().write(data, 0, 0, data.length);
        return t;
    }

    /** A 0-d tensor. */
    public static Tensor scalar(double value, DType dtype) {
        Tensor t = zeros(dtype);
        t.set(value);
        return t;
    }

    /**
     * Seeded uniform values in [-1, 1) (for INT64: integers in [0, 100); FLOAT16 and BFLOAT16 the FLOAT32 values
     * rounded), reproducible for a seed: drawn in a
     * Java array (the sequence is the definition), then copied in as {@link #of} does.
     */
    public static Tensor random(DType dtype, long seed, int... dims) {
        long count = Shape.numel(dims);
        if (count > Integer.MAX_VALUE - 8) {
            throw new Einsum4jException("random: shape " + Shape.of(dims) + " has too many elements");
        }
        int n = (int) count;
        SplittableRandom r = new SplittableRandom(seed);
        switch (dtype) {
            case FLOAT32: {
                float[] v = new float[n];
                for (int i = 0; i < n; i++) {
                    v[i] = (float) (r.nextDouble() * 2 - 1);
                }
                return of(v, dims);
            }
            case FLOAT64: {
                double[] v = new double[n];
                for (int i = 0; i < n; i++) {
                    v[i] = r.nextDouble() * 2 - 1;
                }
                return of(v, dims);
            }
            case FLOAT16:
            case BFLOAT16: {
                // the FLOAT32 sequence, each value rounded once to the 16-bit type
                short[] v = new short[n];
                for (int i = 0; i < n; i++) {
                    v[i] = HalfFloats.narrow(dtype, (float) (r.nextDouble() * 2 - 1));
                }
                Tensor t = empty(dtype, dims);
                t.host().write(v, 0, 0, n);
                return t;
            }
            default: {
                long[] v = new long[n];
                for (int i = 0; i < n; i++) {
                    v[i] = r.nextInt(100);
                }
                return ofLongs(v, dims);
            }
        }
    }

    private static void checkLength(int length, int[] dims) {
        long n = Shape.numel(dims);
        if (n != length) {
            throw new Einsum4jException("data has " + length + " elements but shape " + Shape.of(dims) + " needs " + n);
        }
    }

    // ---------------------------------------------------------------- properties

    public DType dtype() {
        return dtype;
    }

    /** Where the memory lives. */
    public Device device() {
        return storage.device();
    }

    public Shape shape() {
        return Shape.of(dims);
    }

    /** A copy of the sizes. */
    public int[] dims() {
        return dims.clone();
    }

    public int dim(int axis) {
        return dims[axis];
    }

    public int rank() {
        return dims.length;
    }

    public long numel() {
        return Shape.numel(dims);
    }

    /** A copy of the strides, in elements. */
    public long[] strides() {
        return strides.clone();
    }

    public long stride(int axis) {
        return strides[axis];
    }

    /** Offset of element [0, …, 0] from the start of the storage, in elements. */
    public long offset() {
        return offset;
    }

    /** True when the elements are laid out row-major without gaps (size-1 dims may have any stride). */
    public boolean isContiguous() {
        long expect = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            if (dims[i] == 1) {
                continue;
            }
            if (dims[i] == 0) {
                return true;
            }
            if (strides[i] != expect) {
                return false;
            }
            expect *= dims[i];
        }
        return true;
    }

    public boolean isClosed() {
        return closed || storage.isReleased();
    }

    /** True when this tensor owns (and {@link #close()} frees) its memory, false for views. */
    public boolean ownsMemory() {
        return owner;
    }

    /** True when both tensors view the same storage. */
    public boolean sharesMemoryWith(Tensor other) {
        return storage == other.storage;
    }

    // ---------------------------------------------------------------- raw access (internal: HostAccess)

    /**
     * For backends: the device storage under this tensor (and its views). Host tensors have none: an
     * exception.
     */
    public DeviceStorage deviceStorage() {
        checkOpen();
        if (storage instanceof DeviceStorage d) {
            return d;
        }
        throw new Einsum4jException("tensor " + describe() + " lives in host memory, not on a device");
    }

    /** The storage under this tensor and its views (for {@link Hold}). */
    Storage storage() {
        return storage;
    }

    /** The host storage, or a clear exception naming the device the memory lives on. */
    HostStorage host() {
        checkOpen();
        if (storage instanceof HostStorage h) {
            return h;
        }
        throw new Einsum4jException("tensor " + describe() + " lives on " + storage.device()
                + "; copy it to the host with to(Device.CPU)");
    }

    /** Address of element [0, …, 0] of a host tensor. Checks that the memory is still live. */
    long hostAddress() {
        return host().address() + offset * dtype.byteSize();
    }

    /** For {@link HostAccess}: the dtype must be {@code want}. */
    void requireDType(DType want) {
        if (dtype != want) {
            throw new Einsum4jException("expected a " + want + " tensor, got " + dtype);
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new TensorClosedException("tensor " + describe() + " is closed");
        }
        if (storage.isReleased()) {
            throw new TensorClosedException("tensor " + describe() + " is a view of a closed tensor");
        }
    }

    /** Storage offset (in elements) of the element at these indices. */
    public long elementOffset(int... index) {
        if (index.length != dims.length) {
            throw new Einsum4jException("index of rank " + index.length + " for a tensor of rank " + dims.length);
        }
        long o = offset;
        for (int i = 0; i < index.length; i++) {
            if (index[i] < 0 || index[i] >= dims[i]) {
                throw new Einsum4jException("index " + index[i] + " out of range for dimension " + i
                        + " of size " + dims[i]);
            }
            o += index[i] * strides[i];
        }
        return o;
    }

    /** The element at these indices, as a double (any dtype). Host tensors only. */
    public double get(int... index) {
        long o = elementOffset(index);
        return host().get(o * dtype.byteSize(), dtype);
    }

    /** Sets the element at these indices (converted to the dtype). Host tensors only. */
    public void set(double value, int... index) {
        long o = elementOffset(index);
        host().put(o * dtype.byteSize(), dtype, value);
    }

    // ---------------------------------------------------------------- views

    /**
     * A view with explicit sizes, strides (elements, non-negative) and offset over this tensor's storage; checked
     * to stay inside the storage.
     */
    public Tensor asStrided(int[] newDims, long[] newStrides, long newOffset) {
        checkOpen();
        if (newDims.length != newStrides.length) {
            throw new Einsum4jException("asStrided: " + newDims.length + " sizes but " + newStrides.length + " strides");
        }
        long n = Shape.numel(newDims);
        long max = newOffset;
        for (int i = 0; i < newDims.length; i++) {
            if (newStrides[i] < 0) {
                throw new Einsum4jException("asStrided: negative stride " + newStrides[i] + " at dimension " + i);
            }
            max += (long) Math.max(newDims[i] - 1, 0) * newStrides[i];
        }
        long capacity = storage.bytes() / dtype.byteSize();
        if (n > 0 && (newOffset < 0 || max >= capacity)) {
            throw new Einsum4jException("asStrided: view " + Arrays.toString(newDims) + " strides "
                    + Arrays.toString(newStrides) + " offset " + newOffset + " reaches element " + max
                    + " of a storage of " + capacity + " elements");
        }
        return new Tensor(storage, false, dtype, newDims.clone(), newStrides.clone(), newOffset);
    }

    /** Reorders the axes: result axis i is this tensor's axis {@code axes[i]}. */
    public Tensor permute(int... axes) {
        if (axes.length != dims.length) {
            throw new Einsum4jException("permute: " + axes.length + " axes for a tensor of rank " + dims.length);
        }
        boolean[] seen = new boolean[dims.length];
        int[] d = new int[axes.length];
        long[] s = new long[axes.length];
        for (int i = 0; i < axes.length; i++) {
            int a = axes[i];
            if (a < 0 || a >= dims.length || seen[a]) {
                throw new Einsum4jException("permute: " + Arrays.toString(axes) + " is not a permutation of 0.."
                        + (dims.length - 1));
            }
            seen[a] = true;
            d[i] = dims[a];
            s[i] = strides[a];
        }
        return asStrided(d, s, offset);
    }

    /** Swaps the last two axes (matrix transpose), as a view. */
    public Tensor transpose() {
        if (dims.length < 2) {
            return asStrided(dims, strides, offset);
        }
        int[] p = new int[dims.length];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        p[p.length - 1] = p.length - 2;
        p[p.length - 2] = p.length - 1;
        return permute(p);
    }

    /**
     * The same elements in row-major order under a new shape, as a new contiguous tensor the caller owns (always a
     * copy: it never shares memory with this tensor). One size may be -1 (inferred). For a view, use
     * {@link #view}.
     */
    public Tensor reshape(int... newDims) {
        int[] nd = resolveShape("reshape", newDims);
        return contiguousCopy().reshapeTakingOwnership(nd);
    }

    /**
     * The same elements in row-major order under a new shape, as a view sharing this tensor's memory (never a
     * copy). One size may be -1 (inferred). Throws when the strides do not allow a view (for example merging the
     * axes of a transposed matrix); {@link #viewAs} asks without throwing, {@link #reshape} copies.
     */
    public Tensor view(int... newDims) {
        int[] nd = resolveShape("view", newDims);
        long[] ns = viewStrides(nd);
        if (ns == null) {
            throw new Einsum4jException("view: " + describe() + " with strides " + Arrays.toString(strides)
                    + " cannot be viewed as " + Shape.of(nd) + " without a copy; use reshape() for a copy");
        }
        return asStrided(nd, ns, offset);
    }

    /** The same elements under a new shape as a view, or empty when the strides do not allow one (no copy). */
    public java.util.Optional<Tensor> viewAs(int... newDims) {
        int[] nd = resolveShape("viewAs", newDims);
        long[] ns = viewStrides(nd);
        return ns == null ? java.util.Optional.empty() : java.util.Optional.of(asStrided(nd, ns, offset));
    }

    /** {@code newDims} with a -1 inferred, checked to hold this tensor's element count. */
    private int[] resolveShape(String what, int[] newDims) {
        int[] nd = newDims.clone();
        long n = numel();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < nd.length; i++) {
            if (nd[i] == -1) {
                if (infer >= 0) {
                    throw new Einsum4jException(what + ": more than one -1 in " + Arrays.toString(newDims));
                }
                infer = i;
            } else if (nd[i] < 0) {
                throw new Einsum4jException(what + ": negative size in " + Arrays.toString(newDims));
            } else {
                known *= nd[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new Einsum4jException(what + ": cannot infer -1 in " + Arrays.toString(newDims)
                        + " for " + n + " elements of shape " + shape());
            }
            nd[infer] = (int) (n / known);
        }
        if (Shape.numel(nd) != n) {
            throw new Einsum4jException(what + ": shape " + shape() + " (" + n + " elements) cannot become "
                    + Shape.of(nd) + " (" + Shape.numel(nd) + " elements)");
        }
        return nd;
    }

    /** Strides for viewing this tensor as {@code nd} without a copy, or null (numpy's _attempt_nocopy_reshape). */
    private long[] viewStrides(int[] nd) {
        if (isContiguous()) {
            return Shape.of(nd).contiguousStrides();
        }
        // drop size-1 dims of the old shape, then merge runs of compatible dims
        // (a size-1 dim between two others must not hide that they are not contiguous, e.g. [3,1,2] strides [1,3,3])
        int on = 0;
        int[] od = new int[dims.length];
        long[] os = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] != 1) {
                od[on] = dims[i];
                os[on++] = strides[i];
            }
        }
        int oi = 0;
        int ni = 0;
        int nn = nd.length;
        long[] ns = new long[nn];
        while (ni < nn && oi < on) {
            long np = nd[ni];
            long op = od[oi];
            int nj = ni + 1;
            int oj = oi + 1;
            while (np != op) {
                if (np < op) {
                    np *= nd[nj++];
                } else {
                    op *= od[oj++];
                }
            }
            for (int k = oi; k < oj - 1; k++) {
                if (od[k + 1] != 1 && od[k] != 1 && os[k] != od[k + 1] * os[k + 1]) {
                    return null;
                }
            }
            ns[nj - 1] = os[oj - 1];
            for (int k = nj - 1; k > ni; k--) {
                ns[k - 1] = ns[k] * nd[k];
            }
            ni = nj;
            oi = oj;
        }
        for (int k = ni; k < nn; k++) {
            ns[k] = 1;
        }
        return ns;
    }

    /** Broadcasts to a larger shape as numpy does (size-1 and missing leading dims repeat with stride 0). */
    public Tensor broadcastTo(int... target) {
        if (target.length < dims.length) {
            throw new Einsum4jException("cannot broadcast shape " + shape() + " to " + Shape.of(target)
                    + ": fewer dimensions");
        }
        long[] s = new long[target.length];
        int lead = target.length - dims.length;
        for (int i = 0; i < target.length; i++) {
            if (i < lead) {
                s[i] = 0;
                continue;
            }
            int d = dims[i - lead];
            if (d == target[i]) {
                s[i] = strides[i - lead];
            } else if (d == 1) {
                s[i] = 0;
            } else {
                throw new Einsum4jException("cannot broadcast shape " + shape() + " to " + Shape.of(target)
                        + ": dimension " + (i - lead) + " has size " + d + ", target " + target[i]);
            }
        }
        return asStrided(target, s, offset);
    }

    /** Elements {@code start, start+step, …} below {@code end} along one axis, as a view. */
    public Tensor slice(int axis, int start, int end, int step) {
        if (axis < 0 || axis >= dims.length) {
            throw new Einsum4jException("slice: axis " + axis + " out of range for rank " + dims.length);
        }
        if (step <= 0) {
            throw new Einsum4jException("slice: step must be positive, got " + step);
        }
        if (start < 0 || end > dims[axis] || start > end) {
            throw new Einsum4jException("slice: [" + start + ", " + end + ") out of range for dimension " + axis
                    + " of size " + dims[axis]);
        }
        int[] d = dims.clone();
        long[] s = strides.clone();
        d[axis] = (end - start + step - 1) / step;
        s[axis] = strides[axis] * step;
        return asStrided(d, s, offset + (long) start * strides[axis]);
    }

    public Tensor slice(int axis, int start, int end) {
        return slice(axis, start, end, 1);
    }

    /**
     * Moves ownership of this contiguous owning tensor's memory to a new tensor of the given dims (same element
     * count); this tensor is closed. For executors handing an intermediate back as a differently shaped result.
     */
    public Tensor reshapeTakingOwnership(int... newDims) {
        checkOpen();
        if (!owner || !isContiguous() || Shape.numel(newDims) != numel()) {
            throw new Einsum4jException("reshapeTakingOwnership: needs a contiguous owning tensor of "
                    + Shape.numel(newDims) + " elements, got " + this);
        }
        Tensor t = new Tensor(storage, true, dtype, newDims.clone(), Shape.of(newDims).contiguousStrides(), offset);
        closed = true; // without releasing: the new tensor owns the storage now
        return t;
    }

    // ---------------------------------------------------------------- copies

    /** This tensor if it is already contiguous (then not owned by the caller), else a contiguous copy. */
    public Tensor contiguous() {
        return isContiguous() ? this : contiguousCopy();
    }

    /** A new contiguous tensor with the same values on the same device, owned by the caller. */
    public Tensor copy() {
        return contiguousCopy();
    }

    private Tensor contiguousCopy() {
        return convert(dtype);
    }

    /** A new contiguous tensor of another dtype on the same device, owned by the caller. */
    public Tensor to(DType target) {
        return convert(target);
    }

    /** The copy (and conversion) is the backend's kernel: the one of the device the memory lives on. */
    private Tensor convert(DType target) {
        checkOpen();
        Backend b = Backend.forDevice(device());
        return copyInto(b, b.empty(target, dims));
    }

    /** {@code b} copies this tensor into the new {@code out}, which is closed if the copy fails. */
    private Tensor copyInto(Backend b, Tensor out) {
        try {
            b.copy(this, out);
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    /**
     * A new contiguous copy on {@code target}, owned by the caller (a copy even when the device is the same).
     * The copy is made by the backend of the non-host side; between two devices it goes through the host.
     */
    public Tensor to(Device target) {
        checkOpen();
        Device here = device();
        if (here.equals(target)) {
            return copy();
        }
        if (!here.isHost() && !target.isHost()) {
            try (Tensor h = to(Device.CPU)) {
                return h.to(target);
            }
        }
        Backend b = Backend.forDevice(here.isHost() ? target : here);
        return copyInto(b, target.isHost() ? empty(dtype, dims) : b.empty(dtype, dims));
    }

    /** All elements in row-major order, converted to float (copied to the host first for a device tensor). */
    public float[] toFloatArray() {
        float[] out = new float[(int) checkArraySize()];
        readInto(DType.FLOAT32, out);
        return out;
    }

    /** All elements in row-major order, converted to double (copied to the host first for a device tensor). */
    public double[] toDoubleArray() {
        double[] out = new double[(int) checkArraySize()];
        readInto(DType.FLOAT64, out);
        return out;
    }

    /** All elements in row-major order, converted to long (copied to the host first for a device tensor). */
    public long[] toLongArray() {
        long[] out = new long[(int) checkArraySize()];
        readInto(DType.INT64, out);
        return out;
    }

    /** Fills a Java array of {@code want}'s element type from a contiguous host copy in {@code want}. */
    private void readInto(DType want, Object array) {
        int n = java.lang.reflect.Array.getLength(array);
        if (n == 0) {
            return;
        }
        if (!device().isHost()) {
            try (Tensor h = to(Device.CPU)) {
                h.readInto(want, array);
            }
            return;
        }
        if (dtype == want && isContiguous()) {
            host().read(offset * dtype.byteSize(), array, 0, n);
            return;
        }
        try (Tensor c = convert(want)) {
            c.host().read(0, array, 0, n);
        }
    }

    private long checkArraySize() {
        checkOpen();
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new Einsum4jException("tensor " + describe() + " has too many elements for a Java array");
        }
        return n;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Frees the memory if this tensor owns it; a view only becomes unusable. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (owner) {
            storage.release();
        }
    }

    private String describe() {
        return dtype + Shape.of(dims).toString();
    }

    @Override
    public String toString() {
        return "Tensor(" + dtype + ", " + Shape.of(dims) + (isClosed() ? ", closed" : "") + ")";
    }
}
