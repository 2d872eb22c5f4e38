package org.einsum4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.path.PathInfo;
import org.einsum4j.path.Planner;
import org.einsum4j.spec.Contraction;
import org.einsum4j.spec.EinsumSpec;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * The facade: {@code Einsum.contract("ij,jk->ik", a, b)}. Results are new tensors owned by the caller.
 *
 * <p>Compiled expressions are cached by (spec, shapes, dtype, options) in a bounded, synchronized LRU map, so
 * repeated calls with the same shapes skip parsing and path search.
 */
public final class Einsum {
    private static final int CACHE_SIZE = 512;
    private static final Map<String, ContractExpression> CACHE = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ContractExpression> e) {
            return size() > CACHE_SIZE;
        }
    };

    private Einsum() {
    }

    /** Contracts the operands as {@code spec} says, with the default options (planner {@code auto}, CPU). */
    public static Tensor contract(String spec, Tensor... operands) {
        return contract(spec, ContractOptions.defaults(), operands);
    }

    /** Contracts the operands as {@code spec} says, with the given options. */
    public static Tensor contract(String spec, ContractOptions options, Tensor... operands) {
        DType dtype = checkOperands(operands);
        return expression(spec, options, dtype, shapesOf(operands)).contract(operands);
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
        ContractExpression e = compile(c.toSpecString(), c, ContractOptions.defaults(), dtype);
        return e.contract(ops);
    }

    /** Compiles {@code spec} for these shapes and dtype (cached). Needs no data. */
    public static ContractExpression expression(String spec, ContractOptions options, DType dtype, int[]... shapes) {
        checkArguments(spec, options);
        if (dtype == null || !dtype.isFloating()) {
            throw new InvalidOperandException("contractions take FLOAT32 or FLOAT64, not " + dtype);
        }
        if (options.optimizer() != null) {
            // a user optimizer may answer differently each time: plan afresh, never from the cache
            return compile(spec, EinsumSpec.parse(spec).bind(shapes), options, dtype);
        }
        // explicit paths by content (the record's toString would print int[] identities)
        String key = spec + '|' + Arrays.deepToString(shapes) + '|' + dtype + '|' + options.optimize() + '|'
                + options.memoryLimit() + '|' + options.backend() + '|'
                + (options.path() == null ? "" : Arrays.deepToString(options.path().toArray()));
        synchronized (CACHE) {
            ContractExpression e = CACHE.get(key);
            if (e != null) {
                return e;
            }
        }
        Contraction c = EinsumSpec.parse(spec).bind(shapes);
        ContractExpression e = compile(spec, c, options, dtype);
        synchronized (CACHE) {
            CACHE.put(key, e);
        }
        return e;
    }

    private static ContractExpression compile(String spec, Contraction c, ContractOptions options, DType dtype) {
        Backend backend = Backend.named(options.backend());
        return new ContractExpression(spec, c, choosePath(c, options), dtype, backend);
    }

    /** The contraction path for {@code c}, as the planner chooses it (ContractOptions: optimizer, limit). */
    static List<int[]> choosePath(Contraction c, ContractOptions options) {
        return Planner.plan(c, options).path();
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
                        + "; contractions take FLOAT32 or FLOAT64");
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
