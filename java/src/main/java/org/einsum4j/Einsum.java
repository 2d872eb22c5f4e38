package org.einsum4j;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.einsum4j.path.PathInfo;
import org.einsum4j.path.Planner;
import org.einsum4j.spec.Contraction;
import org.einsum4j.spec.EinsumSpec;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/**
 * The facade: {@code Einsum.contract("ij,jk->ik", a, b)}. Results are new tensors owned by the caller.
 *
 * <p>Compiled expressions are cached by (spec, shapes, dtype, options) in a bounded, synchronized LRU map, so
 * repeated calls with the same shapes skip parsing and path search.
 */
public final class Einsum {
    private static final int CACHE_SIZE = 512;
    private static final ContractOptions DEFAULTS = ContractOptions.defaults();
    private static final Map<Key, ContractExpression> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, ContractExpression> e) {
            return size() > CACHE_SIZE;
        }
    };

    /**
     * The expression cache's key: everything a compiled expression depends on, arrays compared by content, the
     * hash computed once. {@code device} is where the expression runs (its backend's device).
     */
    private record Key(String spec, int[][] shapes, DType dtype, String optimize, long memoryLimit, Device device,
                       int[][] path, int hash) {
        Key(String spec, int[][] shapes, DType dtype, String optimize, long memoryLimit, Device device, int[][] path) {
            this(spec, shapes, dtype, optimize, memoryLimit, device, path,
                    Objects.hash(spec, Arrays.deepHashCode(shapes), dtype, optimize, memoryLimit, device,
                            Arrays.deepHashCode(path)));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && hash == k.hash && memoryLimit == k.memoryLimit && dtype == k.dtype
                    && spec.equals(k.spec) && Arrays.deepEquals(shapes, k.shapes) && Objects.equals(optimize, k.optimize)
                    && Objects.equals(device, k.device) && Arrays.deepEquals(path, k.path);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private Einsum() {
    }

    /**
     * Contracts the operands as {@code spec} says, with the default options (planner {@code auto}), on the device
     * the operands live on (all on one; the result lives there too).
     */
    public static Tensor contract(String spec, Tensor... operands) {
        return contract(spec, DEFAULTS, operands);
    }

    /** Contracts the operands as {@code spec} says, with the given options. */
    public static Tensor contract(String spec, ContractOptions options, Tensor... operands) {
        checkArguments(spec, options);
        DType dtype = checkOperands(operands);
        // checked here once: the expression's shapes and dtype are the ones just read from these operands
        return expression(spec, options, dtype, shapesOf(operands), device(options, operands)).run(operands);
    }

    /**
     * Contracts into the caller's {@code out} (opt_einsum's {@code out=}) and returns out: out must be open, of the
     * operands' dtype, device and the result's shape, dense (contiguous, or a transposed view of a contiguous
     * tensor), and share no memory with an operand, all checked before any work.
     */
    public static Tensor contractInto(String spec, Tensor out, Tensor... operands) {
        DType dtype = checkOperands(operands);
        ContractExpression e = expression(spec, DEFAULTS, dtype, shapesOf(operands), device(DEFAULTS, operands));
        e.checkOut(out, operands);
        return e.run(operands, out);
    }

    /**
     * Opens a scope, on this thread, in which identical sub-contractions on the same operand objects are computed
     * once (opt_einsum's {@code shared_intermediates}); use with try-with-resources. See {@link SharedIntermediates}.
     */
    public static SharedIntermediates sharedIntermediates() {
        return SharedIntermediates.open();
    }

    /**
     * numpy's interleaved form: operands with int sublists ({@link EinsumSpec#ELLIPSIS} for {@code ...});
     * {@code output} null for the implicit output.
     */
    public static Tensor contract(List<Tensor> operands, List<int[]> sublists, int[] output) {
        Tensor[] ops = operands.toArray(new Tensor[0]);
        DType dtype = checkOperands(ops);
        EinsumSpec s = EinsumSpec.ofSublists(sublists, output);
        Contraction c = s.bind(shapesOf(ops));
        return compile(c.toSpecString(), c, DEFAULTS, dtype, device(DEFAULTS, ops)).run(ops);
    }

    /**
     * Compiles {@code spec} for these shapes and dtype (cached), for the device the options' backend names (the
     * host when they name none). Needs no data.
     */
    public static ContractExpression expression(String spec, ContractOptions options, DType dtype, int[]... shapes) {
        checkArguments(spec, options);
        Device device = options.backend() == null ? Device.CPU : Backend.named(options.backend()).device();
        return expression(spec, options, dtype, device, shapes);
    }

    /** Compiles {@code spec} for these shapes and dtype on {@code device} (cached per device). Needs no data. */
    public static ContractExpression expression(String spec, ContractOptions options, DType dtype, Device device,
                                                int[]... shapes) {
        checkArguments(spec, options);
        if (shapes == null) {
            throw new Einsum4jException("shapes is null (one int[] per operand)");
        }
        // copies: the cache key keeps the shapes, and the caller may change its arrays afterwards
        int[][] own = new int[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            own[i] = shapes[i] == null ? null : shapes[i].clone();
        }
        return expression(spec, options, dtype, own, device);
    }

    /**
     * The device of a call: the operands' (all on one, else an exception naming each); a backend named in the
     * options must be that device's (no silent copies).
     */
    private static Device device(ContractOptions options, Tensor[] operands) {
        Device d = Backends.commonDevice(operands);
        if (options.backend() != null) {
            Device named = Backend.named(options.backend()).device();
            if (!named.equals(d)) {
                throw new InvalidOperandException("the options ask for backend " + named + " but the operands live on "
                        + d + "; move them with Tensor.to(Device)");
            }
        }
        return d;
    }

    private static ContractExpression expression(String spec, ContractOptions options, DType dtype, int[][] shapes,
                                                 Device device) {
        if (dtype == null || !dtype.isFloating()) {
            throw new InvalidOperandException("contractions take FLOAT32, FLOAT64, FLOAT16 or BFLOAT16, not " + dtype);
        }
        if (options.optimizer() != null) {
            // a user optimizer may answer differently each time: plan afresh, never from the cache
            return compile(spec, EinsumSpec.parse(spec).bind(shapes), options, dtype, device);
        }
        Key key = new Key(spec, shapes, dtype, options.optimize(), options.memoryLimit(), device,
                options.path() == null ? null : options.path().toArray(new int[0][]));
        ContractExpression e;
        synchronized (CACHE) {
            e = CACHE.get(key);
        }
        if (e != null) {
            return e;
        }
        Contraction c = EinsumSpec.parse(spec).bind(shapes);
        e = compile(spec, c, options, dtype, device);
        synchronized (CACHE) {
            CACHE.put(key, e);
        }
        return e;
    }

    private static ContractExpression compile(String spec, Contraction c, ContractOptions options, DType dtype,
                                              Device device) {
        Backend backend = Backend.forDevice(device);
        return new ContractExpression(spec, c, Planner.plan(c, options), dtype, backend);
    }

    private static int[][] shapesOf(Tensor[] operands) {
        int[][] s = new int[operands.length][];
        for (int i = 0; i < operands.length; i++) {
            s[i] = operands[i].dims();
        }
        return s;
    }

    /** Checks operands before any work: non-null, open, floating, one dtype. Returns the dtype. */
    static DType checkOperands(Tensor[] operands) {
        if (operands == null || operands.length == 0) {
            throw new InvalidOperandException("no operands given");
        }
        DType dtype = null;
        for (int i = 0; i < operands.length; i++) {
            Tensor t = operands[i];
            if (t == null) {
                throw new InvalidOperandException("operand " + i + " is null");
            }
            if (t.isClosed()) {
                throw new InvalidOperandException("operand " + i + " (" + t + ") is closed");
            }
            if (!t.dtype().isFloating()) {
                throw new InvalidOperandException("operand " + i + " is " + t.dtype()
                        + "; contractions take FLOAT32, FLOAT64, FLOAT16 or BFLOAT16");
            }
            if (dtype == null) {
                dtype = t.dtype();
            } else if (t.dtype() != dtype) {
                throw new InvalidOperandException("operand " + i + " is " + t.dtype() + " but operand 0 is " + dtype
                        + "; convert with Tensor.to(DType) first (no silent mixing)");
            }
        }
        return dtype;
    }

    /**
     * The contraction path for {@code spec} on operands of these shapes, with the default options (optimizer
     * {@code auto}, no memory limit), as opt_einsum's {@code contract_path(..., shapes=True)}: no data needed.
     */
    public static PathInfo contractPath(String spec, int[]... shapes) {
        return contractPath(spec, ContractOptions.defaults(), shapes);
    }

    /** The contraction path for {@code spec} on operands of these shapes, as {@code options} say. */
    public static PathInfo contractPath(String spec, ContractOptions options, int[]... shapes) {
        checkArguments(spec, options);
        return Planner.plan(EinsumSpec.parse(spec).bind(shapes), options);
    }

    /** A null spec or options is a library exception naming the argument, not a NullPointerException. */
    private static void checkArguments(String spec, ContractOptions options) {
        if (spec == null) {
            throw new Einsum4jException("spec is null");
        }
        if (options == null) {
            throw new Einsum4jException("options is null (use ContractOptions.defaults())");
        }
    }
}
