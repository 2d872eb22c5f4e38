package org.einsum4j.tensor;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.einsum4j.Einsum4jException;

/**
 * An n-dimensional array in off-heap host memory: dtype, shape, strides (in elements, non-negative) and an
 * offset into a {@link Storage}. Views ({@link #permute}, {@link #reshape}, {@link #broadcastTo},
 * {@link #slice}, {@link #asStrided}) share the storage of their base without copying.
 *
 * <p>Ownership: a tensor made by a factory ({@link #of}, {@link #zeros}, {@link #copy} …) owns its memory and
 * frees it on {@link #close()}; a view never frees memory, and closing it only makes the view unusable.
 * Any use after the memory is released throws {@link TensorClosedException}. A {@link java.lang.ref.Cleaner}
 * frees unreachable storage as a safety net; do not rely on it for large tensors.
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

    /** A new zero-filled contiguous tensor. */
    public static Tensor zeros(DType dtype, int... dims) {
        return allocate(dtype, dims, true);
    }

    private static Tensor allocate(DType dtype, int[] dims, boolean zero) {
        long n = Shape.numel(dims);
        long bytes;
        try {
            bytes = Math.multiplyExact(n, (long) dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new Einsum4jException("tensor of shape " + Arrays.toString(dims) + " is too large");
        }
        Storage s = new Storage(bytes, zero);
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
        Tensor t = zeros(DType.FLOAT32, dims);
        Memory.copyFromArray(data, 0, t.address(), data.length);
        return t;
    }

    /** A FLOAT64 tensor holding a copy of {@code data} (row-major), of the given shape. */
    public static Tensor of(double[] data, int... dims) {
        checkLength(data.length, dims);
        Tensor t = zeros(DType.FLOAT64, dims);
        Memory.copyFromArray(data, 0, t.address(), data.length);
        return t;
    }

    /** An INT64 tensor holding a copy of {@code data} (row-major), of the given shape. */
    public static Tensor ofLongs(long[] data, int... dims) {
        checkLength(data.length, dims);
        Tensor t = zeros(DType.INT64, dims);
        Memory.copyFromArray(data, 0, t.address(), data.length);
        return t;
    }

    /** A 0-d tensor. */
    public static Tensor scalar(double value, DType dtype) {
        Tensor t = zeros(dtype);
        t.set(value);
        return t;
    }

    /** Seeded uniform values in [-1, 1) (for INT64: integers in [0, 100)), reproducible for a seed. */
    public static Tensor random(DType dtype, long seed, int... dims) {
        Tensor t = zeros(dtype, dims);
        SplittableRandom r = new SplittableRandom(seed);
        long n = t.numel();
        long a = t.address();
        for (long i = 0; i < n; i++) {
            switch (dtype) {
                case FLOAT32: Memory.putFloat(a + 4 * i, (float) (r.nextDouble() * 2 - 1)); break;
                case FLOAT64: Memory.putDouble(a + 8 * i, r.nextDouble() * 2 - 1); break;
                default: Memory.putLong(a + 8 * i, r.nextInt(100));
            }
        }
        return t;
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

    // ---------------------------------------------------------------- raw access (for kernels)

    /** Address of element [0, …, 0]. Checks that the memory is still live. */
    public long address() {
        checkOpen();
        return storage.address() + offset * dtype.byteSize();
    }

    /** A JavaCPP pointer at element [0, …, 0], for native calls. FLOAT32 only. */
    public FloatPointer floatPointer() {
        requireDType(DType.FLOAT32);
        return new FloatPointer(rawPointer());
    }

    /** A JavaCPP pointer at element [0, …, 0], for native calls. FLOAT64 only. */
    public DoublePointer doublePointer() {
        requireDType(DType.FLOAT64);
        return new DoublePointer(rawPointer());
    }

    private Pointer rawPointer() {
        final long a = address();
        return new Pointer(storage.pointer()) {
            {
                address = a;
            }
        };
    }

    private void requireDType(DType want) {
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

    /** The element at these indices, as a double (any dtype). */
    public double get(int... index) {
        long o = elementOffset(index);
        checkOpen();
        long a = storage.address() + o * dtype.byteSize();
        switch (dtype) {
            case FLOAT32: return Memory.getFloat(a);
            case FLOAT64: return Memory.getDouble(a);
            default: return Memory.getLong(a);
        }
    }

    /** Sets the element at these indices (converted to the dtype). */
    public void set(double value, int... index) {
        long o = elementOffset(index);
        checkOpen();
        long a = storage.address() + o * dtype.byteSize();
        switch (dtype) {
            case FLOAT32: Memory.putFloat(a, (float) value); break;
            case FLOAT64: Memory.putDouble(a, value); break;
            default: Memory.putLong(a, (long) value);
        }
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
     * The same elements in row-major order under a new shape: a view when the layout allows, else a contiguous
     * copy (which the caller owns). One size may be -1 (inferred).
     */
    public Tensor reshape(int... newDims) {
        int[] nd = newDims.clone();
        long n = numel();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < nd.length; i++) {
            if (nd[i] == -1) {
                if (infer >= 0) {
                    throw new Einsum4jException("reshape: more than one -1 in " + Arrays.toString(newDims));
                }
                infer = i;
            } else if (nd[i] < 0) {
                throw new Einsum4jException("reshape: negative size in " + Arrays.toString(newDims));
            } else {
                known *= nd[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || n % known != 0) {
                throw new Einsum4jException("reshape: cannot infer -1 in " + Arrays.toString(newDims)
                        + " for " + n + " elements of shape " + shape());
            }
            nd[infer] = (int) (n / known);
        }
        if (Shape.numel(nd) != n) {
            throw new Einsum4jException("reshape: shape " + shape() + " (" + n + " elements) cannot become "
                    + Shape.of(nd) + " (" + Shape.numel(nd) + " elements)");
        }
        long[] ns = viewStrides(nd);
        if (ns != null) {
            return asStrided(nd, ns, offset);
        }
        return contiguousCopy().reshapeOwned(nd);
    }

    /** The same elements under a new shape as a view, or empty when the strides do not allow one (no copy). */
    public java.util.Optional<Tensor> viewAs(int... newDims) {
        if (Shape.numel(newDims) != numel()) {
            throw new Einsum4jException("viewAs: shape " + shape() + " (" + numel() + " elements) cannot become "
                    + Shape.of(newDims));
        }
        long[] ns = viewStrides(newDims);
        return ns == null ? java.util.Optional.empty() : java.util.Optional.of(asStrided(newDims, ns, offset));
    }

    private Tensor reshapeOwned(int[] nd) {
        return new Tensor(storage, true, dtype, nd, Shape.of(nd).contiguousStrides(), offset);
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

    /** A new contiguous tensor with the same values, owned by the caller. */
    public Tensor copy() {
        return contiguousCopy();
    }

    private Tensor contiguousCopy() {
        return convert(dtype);
    }

    /** A new contiguous tensor of another dtype, owned by the caller. */
    public Tensor to(DType target) {
        return convert(target);
    }

    private Tensor convert(DType target) {
        checkOpen();
        Tensor out = empty(target, dims);
        long n = out.numel();
        if (n == 0) {
            return out;
        }
        long dst = out.address();
        if (target == dtype && isContiguous()) {
            Memory.copy(address(), dst, n * dtype.byteSize());
            return out;
        }
        int rank = dims.length;
        if (rank == 0) {
            writeConverted(storage.address() + offset * dtype.byteSize(), dst, target);
            return out;
        }
        // one row (the last dimension) at a time; rows with unit stride and no conversion are block copies
        int inner = dims[rank - 1];
        long innerStride = strides[rank - 1];
        int es = dtype.byteSize();
        int ts = target.byteSize();
        long rows = n / inner;
        int[] idx = new int[rank];
        long src = storage.address();
        long so = offset;
        long da = dst;
        for (long r = 0; r < rows; r++) {
            long sa = src + so * es;
            if (target == dtype) {
                if (innerStride == 1) {
                    Memory.copy(sa, da, (long) inner * es);
                } else if (es == 4) {
                    long step = innerStride * 4;
                    for (int i = 0; i < inner; i++, sa += step, da += 4) {
                        Memory.putInt(da, Memory.getInt(sa));
                    }
                    da -= (long) inner * 4;
                } else {
                    long step = innerStride * 8;
                    for (int i = 0; i < inner; i++, sa += step, da += 8) {
                        Memory.putLong(da, Memory.getLong(sa));
                    }
                    da -= (long) inner * 8;
                }
            } else {
                long step = innerStride * es;
                for (int i = 0; i < inner; i++, sa += step) {
                    writeConverted(sa, da + (long) i * ts, target);
                }
            }
            da += (long) inner * ts;
            for (int k = rank - 2; k >= 0; k--) {
                if (++idx[k] < dims[k]) {
                    so += strides[k];
                    break;
                }
                so -= (long) (dims[k] - 1) * strides[k];
                idx[k] = 0;
            }
        }
        return out;
    }

    private void writeConverted(long sa, long da, DType target) {
        if (target == DType.FLOAT32) {
            Memory.putFloat(da, (float) read(sa));
        } else if (target == DType.FLOAT64) {
            Memory.putDouble(da, read(sa));
        } else {
            Memory.putLong(da, dtype == DType.INT64 ? Memory.getLong(sa) : (long) read(sa));
        }
    }

    private double read(long a) {
        switch (dtype) {
            case FLOAT32: return Memory.getFloat(a);
            case FLOAT64: return Memory.getDouble(a);
            default: return Memory.getLong(a);
        }
    }

    /** All elements in row-major order, converted to float. */
    public float[] toFloatArray() {
        long n = checkArraySize();
        float[] out = new float[(int) n];
        try (Tensor c = dtype == DType.FLOAT32 && isContiguous() ? null : convert(DType.FLOAT32)) {
            Memory.copyToArray(c == null ? address() : c.address(), out, 0, n);
        }
        return out;
    }

    /** All elements in row-major order, converted to double. */
    public double[] toDoubleArray() {
        long n = checkArraySize();
        double[] out = new double[(int) n];
        try (Tensor c = dtype == DType.FLOAT64 && isContiguous() ? null : convert(DType.FLOAT64)) {
            Memory.copyToArray(c == null ? address() : c.address(), out, 0, n);
        }
        return out;
    }

    /** All elements in row-major order, converted to long. */
    public long[] toLongArray() {
        long n = checkArraySize();
        long[] out = new long[(int) n];
        try (Tensor c = dtype == DType.INT64 && isContiguous() ? null : convert(DType.INT64)) {
            Memory.copyToArray(c == null ? address() : c.address(), out, 0, n);
        }
        return out;
    }

    private long checkArraySize() {
        checkOpen();
        long n = numel();
        if (n > Integer.MAX_VALUE - 8) {
            throw new Einsum4jException("tensor " + describe() + " has too many elements for a Java array");
        }
        return n;
    }

    /** Sum of all elements in float64 (the command line's checksum). */
    public double sum() {
        double s = 0;
        for (double v : toDoubleArray()) {
            s += v;
        }
        return s;
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
