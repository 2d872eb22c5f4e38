package org.einsum4j;

import java.util.Arrays;
import java.util.List;
import org.einsum4j.path.PathInfo;
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
 */
public final class ContractExpression {
    /** Layouts beyond the contiguous one kept per expression; a caller cycling through more recompiles. */
    static final int MAX_PLANS = 8;

    private final String spec;
    private final Contraction contraction;
    private final PathInfo pathInfo;
    private final DType dtype;
    private final Backend backend;
    private final int[][] shapes;
    private final Plan contiguous;
    /** Plans for other stride layouts, most recently compiled first (copy on write). */
    private volatile Plan[] others = new Plan[0];

    ContractExpression(String spec, Contraction contraction, PathInfo pathInfo, DType dtype, Backend backend) {
        this.spec = spec;
        this.contraction = contraction;
        this.pathInfo = pathInfo;
        this.dtype = dtype;
        this.backend = backend;
        this.shapes = contraction.shapes();
        this.contiguous = Plan.compile(contraction, pathInfo, dtype, null, backend);
    }

    /** Runs the contraction; the operands must have the shapes and dtype this expression was compiled for. */
    public Tensor contract(Tensor... operands) {
        if (operands == null || operands.length == 0) {
            throw new InvalidOperandException("no operands given");
        }
        if (operands.length != shapes.length) {
            throw new OperandCountException("expression '" + spec + "' takes " + shapes.length + " operands, got "
                    + operands.length);
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
        return run(operands);
    }

    /** Runs on operands {@link Einsum} has already checked against this expression (its cache key says so). */
    Tensor run(Tensor[] operands) {
        // held for the call: another thread's close() then frees the memory only once the plan is done with it
        try (Hold held = Hold.of(operands)) {
            Plan plan = planFor(operands);
            // the plan knows the result, intermediate and workspace bytes: refuse what cannot fit before any work
            MemoryBudget.require("contraction '" + spec + "' (result, intermediates and workspace)",
                    plan.peakBytes(), backend);
            return plan.execute(operands);
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
        int[] out = contraction.output();
        int[] d = new int[out.length];
        for (int i = 0; i < out.length; i++) {
            d[i] = (int) contraction.size(out[i]);
        }
        return d;
    }
}
