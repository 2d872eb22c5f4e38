package org.einsum4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.einsum4j.path.PathInfo;
import org.einsum4j.path.Planner;
import org.einsum4j.plan.Plan;
import org.einsum4j.spec.Contraction;
import org.einsum4j.spec.OperandCountException;
import org.einsum4j.spec.ShapeMismatchException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Hold;
import org.einsum4j.tensor.Tensor;

/**
 * A spec compiled for fixed operand shapes and dtype: the bound contraction, its contraction path and the
 * compiled {@link Plan}s that run it, ready to run any number of times. Immutable in what it computes and
 * thread-safe; {@link Einsum#contract} caches these.
 *
 * <p>A plan depends on the operands' strides too (a transposed view needs other copies than a contiguous
 * operand), so the plan for contiguous operands is compiled here and plans for other layouts on first use, kept
 * per stride layout (the {@value #MAX_PLANS} most recent).
 *
 * <p>As opt_einsum's {@code contract_expression}, an expression can hold constant operands
 * ({@link #withConstants}: their sub-network contracted once, the expression then takes only the variable
 * operands), write into a caller's tensor ({@link #contractInto}), and share intermediates with other calls inside
 * a {@link SharedIntermediates} scope.
 */
public final class ContractExpression {
    /** Layouts beyond the contiguous one kept per expression; a caller cycling through more recompiles. */
    static final int MAX_PLANS = 8;

    private final String spec;
    private final Contraction contraction;
    private final PathInfo pathInfo;
    private final DType dtype;
    private final Backend backend;
    /** The shapes of the operands a caller passes (the variable ones when constants are bound). */
    private final int[][] shapes;
    /**
     * With constants: the plan's operand list, a constant (held, owned by this expression) or null where the next
     * variable operand goes; null without constants.
     */
    private final Tensor[] bound;
    /** With every operand constant: the folded result, copied out by each call; else null. */
    private final Tensor folded;
    private final int[] outShape;
    private final Plan contiguous;
    /** Plans for other stride layouts, most recently compiled first (copy on write). */
    private volatile Plan[] others = new Plan[0];

    ContractExpression(String spec, Contraction contraction, PathInfo pathInfo, DType dtype, Backend backend) {
        this(spec, contraction, pathInfo, dtype, backend, contraction.shapes(), null, null, outShapeOf(contraction));
    }

    private ContractExpression(String spec, Contraction contraction, PathInfo pathInfo, DType dtype, Backend backend,
                               int[][] shapes, Tensor[] bound, Tensor folded, int[] outShape) {
        this.spec = spec;
        this.contraction = contraction;
        this.pathInfo = pathInfo;
        this.dtype = dtype;
        this.backend = backend;
        this.shapes = shapes;
        this.bound = bound;
        this.folded = folded;
        this.outShape = outShape;
        this.contiguous = folded != null ? null : Plan.compile(contraction, pathInfo, dtype, null, backend);
    }

    private static int[] outShapeOf(Contraction c) {
        int[] out = c.output();
        int[] d = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            d[i] = (int) c.size(out[i]);
        }
        return d;
    }

    /** Runs the contraction; the operands must have the shapes and dtype this expression was compiled for. */
    public Tensor contract(Tensor... operands) {
        checkOperands(operands);
        return run(operands, null);
    }

    /**
     * Runs the contraction into {@code out} (opt_einsum's {@code out=}) and returns out: out must be open, of this
     * expression's dtype, device and result shape, dense (contiguous, or contiguous with its axes permuted, such as
     * a transposed view), and share no memory with an operand; all of that is checked before any work. A contiguous
     * out is written by the last step itself.
     */
    public Tensor contractInto(Tensor out, Tensor... operands) {
        checkOperands(operands);
        checkOut(out, operands);
        return run(operands, out);
    }

    void checkOut(Tensor out, Tensor[] operands) {
        if (out == null) {
            throw new InvalidOperandException("out is null");
        }
        if (out.isClosed()) {
            throw new InvalidOperandException("out (" + out + ") is closed");
        }
        if (out.dtype() != dtype) {
            throw new InvalidOperandException("out is " + out.dtype() + " but the expression '" + spec + "' computes "
                    + dtype);
        }
        if (!out.device().equals(backend.device())) {
            throw new InvalidOperandException("out lives on " + out.device() + " but the expression '" + spec
                    + "' runs on " + backend.device());
        }
        if (!sameDims(out, outShape)) {
            throw new ShapeMismatchException("out has shape " + out.shape() + " but the expression '" + spec
                    + "' computes " + Arrays.toString(outShape));
        }
        if (Plan.denseOrder(out) == null) {
            throw new InvalidOperandException("out " + out + " with strides " + Arrays.toString(out.strides())
                    + " has gaps or overlaps; it must be dense (contiguous, or a permutation of a contiguous tensor)");
        }
        for (int i = 0; i < operands.length; i++) {
            if (out.sharesMemoryWith(operands[i])) {
                throw new InvalidOperandException("out shares memory with operand " + i
                        + "; the result would overwrite its own input");
            }
        }
    }

    private void checkOperands(Tensor[] operands) {
        if (operands == null || (operands.length == 0 && shapes.length > 0)) {
            throw new InvalidOperandException("no operands given");
        }
        if (operands.length != shapes.length) {
            throw new OperandCountException("expression '" + spec + "' takes " + shapes.length + " operands"
                    + (bound != null ? " (its constants bound)" : "") + ", got " + operands.length);
        }
        for (int i = 0; i < operands.length; i++) {
            Tensor t = operands[i];
            if (t == null) {
                throw new InvalidOperandException("operand " + i + " is null");
            }
            if (t.isClosed()) {
                throw new InvalidOperandException("operand " + i + " (" + t + ") is closed");
            }
            if (!t.device().equals(backend.device())) {
                throw new InvalidOperandException("operand " + i + " lives on " + t.device() + " but the expression '"
                        + spec + "' was compiled for " + backend.device() + "; move it with Tensor.to(Device)");
            }
            if (t.dtype() != dtype) {
                throw new InvalidOperandException("operand " + i + " is " + t.dtype() + " but the expression '" + spec
                        + "' was compiled for " + dtype);
            }
            if (!sameDims(t, shapes[i])) {
                throw new ShapeMismatchException("operand " + i + " has shape " + t.shape()
                        + " but the expression '" + spec + "' was compiled for " + Arrays.toString(shapes[i]));
            }
        }
    }

    /** Runs on operands {@link Einsum} has already checked against this expression (its cache key says so). */
    Tensor run(Tensor[] operands) {
        return run(operands, null);
    }

    /** Runs on checked operands, into the checked {@code out} when non-null. */
    Tensor run(Tensor[] operands, Tensor out) {
        if (folded != null) {
            if (out == null) {
                return folded.copy();
            }
            int[] order = Plan.denseOrder(out);
            backend.copy(folded.permute(order), out.permute(order));
            return out;
        }
        Tensor[] all = operands;
        if (bound != null) {
            all = bound.clone();
            for (int i = 0, v = 0; i < all.length; i++) {
                if (all[i] == null) {
                    all[i] = operands[v++];
                }
            }
        }
        // held for the call: another thread's close() then frees the memory only once the plan is done with it
        try (Backend.RunScope runScope = backend.openRun(); Hold held = Hold.of(all)) {
            SharedIntermediates scope = SharedIntermediates.current();
            if (scope != null) {
                Tensor r = scope.run(this, all);
                if (out == null) {
                    return r;
                }
                try (r) {
                    int[] order = Plan.denseOrder(out);
                    backend.copy(r.permute(order), out.permute(order));
                }
                return out;
            }
            Plan plan = planFor(all);
            // the plan knows the result, intermediate and workspace bytes: refuse what cannot fit before any work
            MemoryBudget.require("contraction '" + spec + "' (result, intermediates and workspace)",
                    plan.peakBytes(), backend);
            return plan.execute(all, out);
        }
    }

    /**
     * This expression with some operands fixed (opt_einsum's {@code contract_expression(..., constants=)}): the map
     * gives operand positions (0-based, in this expression's operand list) and their values, of this expression's
     * dtype and shapes. The path's leading steps whose operands are all constant (or results of such steps) are
     * contracted now, once, as opt_einsum does; the expression returned takes only the other operands, in their
     * order, and holds copies of the constants and the folded intermediates (freed when it is unreachable), so the
     * caller's tensors may change or be closed afterwards.
     */
    public ContractExpression withConstants(Map<Integer, Tensor> constants) {
        if (bound != null || folded != null) {
            throw new Einsum4jException("this expression already has constants bound");
        }
        if (constants == null || constants.isEmpty()) {
            return this;
        }
        int n = shapes.length;
        Tensor[] given = new Tensor[n];
        for (Map.Entry<Integer, Tensor> e : constants.entrySet()) {
            Integer pos = e.getKey();
            if (pos == null || pos < 0 || pos >= n) {
                throw new OperandCountException("constant position " + pos + " is outside the expression's " + n
                        + " operands");
            }
            Tensor t = e.getValue();
            if (t == null || t.isClosed()) {
                throw new InvalidOperandException("constant " + pos + " is " + (t == null ? "null" : "closed"));
            }
            if (t.dtype() != dtype) {
                throw new InvalidOperandException("constant " + pos + " is " + t.dtype() + " but the expression '"
                        + spec + "' was compiled for " + dtype);
            }
            if (!t.device().equals(backend.device())) {
                throw new InvalidOperandException("constant " + pos + " lives on " + t.device()
                        + " but the expression '" + spec + "' runs on " + backend.device());
            }
            if (!sameDims(t, shapes[pos])) {
                throw new ShapeMismatchException("constant " + pos + " has shape " + t.shape()
                        + " but the expression '" + spec + "' was compiled for " + Arrays.toString(shapes[pos]));
            }
            given[pos] = t;
        }
        // the operand list as the path evolves it: constants (copies) and null where a variable goes
        Tensor[] start = new Tensor[n];
        List<Tensor> owned = new ArrayList<>();
        PathWalk walk = null;
        try {
            for (int i = 0; i < n; i++) {
                if (given[i] != null) {
                    start[i] = given[i].copy();
                    owned.add(start[i]);
                }
            }
            walk = new PathWalk(contraction, start, shapes);
            List<PathInfo.Step> steps = pathInfo.steps();
            int done = 0;
            for (; done < steps.size(); done++) {
                PathInfo.Step st = steps.get(done);
                Tensor[] ops = walk.operands(st);
                if (Arrays.asList(ops).contains(null)) {
                    break;
                }
                Tensor r = PathWalk.contract(walk.sub(st), ops, dtype, backend);
                owned.add(r);
                walk.replace(st, r);
            }
            int[][] varShapes = new int[n - constants.size()][];
            for (int i = 0, v = 0; i < n; i++) {
                if (given[i] == null) {
                    varShapes[v++] = shapes[i].clone();
                }
            }
            // keep only what the expression still reads: close constants folded into intermediates
            for (Tensor t : owned) {
                if (!walk.tensors.contains(t)) {
                    t.close();
                }
            }
            owned.clear();
            if (done == steps.size() && walk.tensors.size() == 1 && walk.tensors.get(0) != null) {
                Tensor last = walk.tensors.get(0);
                try (last) {
                    return new ContractExpression(spec, contraction, pathInfo, dtype, backend, varShapes, null,
                            walk.resultCopy(), outShape);
                }
            }
            Contraction rest = PathWalk.subContraction(contraction, walk.labels.toArray(new int[0][]),
                    contraction.output(), walk.dims.toArray(new int[0][]));
            List<int[]> restPath = new ArrayList<>();
            for (int s = done; s < steps.size(); s++) {
                restPath.add(steps.get(s).positions().clone());
            }
            return new ContractExpression(spec, rest, Planner.plan(rest, restPath), dtype, backend, varShapes,
                    walk.tensors.toArray(new Tensor[0]), null, outShape);
        } catch (RuntimeException e) {
            for (Tensor t : owned) {
                if (!t.isClosed()) {
                    t.close();
                }
            }
            if (walk != null) {
                for (Tensor t : walk.tensors) {
                    if (t != null && !t.isClosed()) {
                        t.close();
                    }
                }
            }
            throw e;
        }
    }

    private static boolean sameDims(Tensor t, int[] dims) {
        if (t.rank() != dims.length) {
            return false;
        }
        for (int d = 0; d < dims.length; d++) {
            if (t.dim(d) != dims[d]) {
                return false;
            }
        }
        return true;
    }

    /** The plan compiled for these operands' strides: the contiguous one, a kept one, or a new one (then kept). */
    Plan planFor(Tensor[] operands) {
        if (contiguous.matches(operands)) {
            return contiguous;
        }
        Plan[] kept = others;
        for (Plan p : kept) {
            if (p.matches(operands)) {
                return p;
            }
        }
        Plan p = Plan.compile(contraction, pathInfo, dtype, Plan.stridesOf(operands), backend);
        synchronized (this) {
            Plan[] now = others;
            Plan[] next = new Plan[Math.min(MAX_PLANS, now.length + 1)];
            next[0] = p;
            System.arraycopy(now, 0, next, 1, next.length - 1);
            others = next;
        }
        return p;
    }

    /** Number of plans kept for non-contiguous layouts (for tests of the per-layout cache). */
    int layoutPlans() {
        return others.length;
    }

    public String spec() {
        return spec;
    }

    public Contraction contraction() {
        return contraction;
    }

    /** The contraction path, in opt_einsum's format (copies). */
    public List<int[]> path() {
        return pathInfo.path();
    }

    /** The planner's report of the path this expression runs (the same pass its plans are lowered from). */
    public PathInfo pathInfo() {
        return pathInfo;
    }

    public DType dtype() {
        return dtype;
    }

    public Backend backend() {
        return backend;
    }

    /** The device this expression runs on (its operands must live there). */
    public Device device() {
        return backend.device();
    }

    /**
     * The most bytes a call on contiguous operands holds at once (result, live intermediates, workspace), as the
     * compiled plan counts them: what {@link #contract} checks against the device's available memory first.
     */
    public long peakBytes() {
        return contiguous.peakBytes();
    }

    /** The result's shape. */
    public int[] outputShape() {
        return outShape.clone();
    }

    /** The shapes of the operands {@link #contract} takes (without the bound constants). */
    public int[][] operandShapes() {
        int[][] s = new int[shapes.length][];
        for (int i = 0; i < s.length; i++) {
            s[i] = shapes[i].clone();
        }
        return s;
    }
}
