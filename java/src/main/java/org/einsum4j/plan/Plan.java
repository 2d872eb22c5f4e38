package org.einsum4j.plan;

import java.util.Arrays;
import java.util.List;
import org.einsum4j.Backend;
import org.einsum4j.path.PathInfo;
import org.einsum4j.spec.Contraction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * A contraction compiled for fixed operand shapes, dtype, operand strides and backend, as cuTENSOR's plan is:
 * lowered once from the {@link Contraction} and its {@link PathInfo} (see {@link Lowering}), then run any number
 * of times with only the operands' memory. It holds each operand's prepared view (diagonals and dropped broadcast
 * dimensions as strides), the {@link Step}s (pre-step sums, batched GEMMs with their label groups, shapes, copies
 * and r-splits, the final permutation), the workspace and peak intermediate bytes, and the slot each intermediate
 * lives in until its last use. Running derives nothing: no label sets, no layout decisions.
 *
 * <p>Operand strides are part of what is compiled (a transposed view needs other copies than a contiguous
 * operand): {@link #matches} says whether operands have the strides this plan was compiled for. Immutable and
 * thread-safe.
 */
public final class Plan {
    /** How an operand enters the plan: its labels (distinct) and the view with these dims and strides. */
    record Prepared(int[] labels, int[] dims, long[] strides, boolean identity) {
    }

    private final Backend backend;
    private final DType dtype;
    private final int[][] operandDims;
    private final long[][] operandStrides;
    private final Prepared[] prepared;
    private final Step[] steps;
    private final int slots;
    private final int[] outDims;
    private final boolean zeroResult;
    private final long workspaceBytes;
    private final long peakBytes;
    /** The intermediate slot the output step hands over as the result (-1: the result is a copy). */
    private final int resultSlot;
    /** Summed broadcast (stride-0) labels dropped in lowering: the result times the product of their sizes. */
    private final double scale;

    Plan(Backend backend, DType dtype, int[][] operandDims, long[][] operandStrides, Prepared[] prepared,
         Step[] steps, int slots, int[] outDims, boolean zeroResult, long workspaceBytes, long peakBytes,
         double scale) {
        this.backend = backend;
        this.dtype = dtype;
        this.operandDims = operandDims;
        this.operandStrides = operandStrides;
        this.prepared = prepared;
        this.steps = steps;
        this.slots = slots;
        this.outDims = outDims;
        this.zeroResult = zeroResult;
        this.workspaceBytes = workspaceBytes;
        this.peakBytes = peakBytes;
        int rs = -1;
        if (steps.length > 0 && steps[steps.length - 1] instanceof Step.Output o && o.inPlace()) {
            rs = o.src();
        }
        this.resultSlot = rs;
        this.scale = scale;
    }

    /**
     * Compiles {@code c} along {@code path} (its steps name the kept labels) for operands with these element
     * {@code strides} (one array per operand; null for contiguous operands).
     */
    public static Plan compile(Contraction c, PathInfo path, DType dtype, long[][] strides, Backend backend) {
        return new Lowering(c, dtype, strides, backend).lower(path);
    }

    /** The element strides of each operand, as {@link #compile} takes them. */
    public static long[][] stridesOf(Tensor[] operands) {
        long[][] s = new long[operands.length][];
        for (int i = 0; i < operands.length; i++) {
            s[i] = operands[i].strides();
        }
        return s;
    }

    /**
     * Whether the operands (already checked to have this plan's shapes) have the strides it was compiled for.
     * Strides of size-1 dimensions never matter. Allocates nothing.
     */
    public boolean matches(Tensor[] operands) {
        for (int i = 0; i < operands.length; i++) {
            int[] d = operandDims[i];
            long[] s = operandStrides[i];
            Tensor t = operands[i];
            for (int a = 0; a < d.length; a++) {
                if (d[a] != 1 && t.stride(a) != s[a]) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Runs the plan on operands of the compiled shapes, dtype and strides ({@link #matches}); returns a new
     * contiguous tensor owned by the caller. Every intermediate is closed after its last use, and all of them
     * when a step fails.
     */
    public Tensor execute(Tensor[] operands) {
        return execute(operands, null);
    }

    /**
     * As {@link #execute(Tensor[])}, but with {@code out} non-null the result is written into it and out is
     * returned: out has the result's dims and dtype and is dense ({@link #denseOrder}; the caller checked), and
     * shares no memory with the operands. A contiguous out is written by the last step itself (no extra copy); a
     * dense one with permuted axes receives a copy of the result.
     */
    public Tensor execute(Tensor[] operands, Tensor out) {
        if (zeroResult) {
            if (out == null) {
                return backend.zeros(dtype, outDims);
            }
            int[] order = denseOrder(out);
            backend.fill(out.permute(order), 0);
            return out;
        }
        Tensor[] slot = new Tensor[slots];
        int n = operands.length;
        for (int i = 0; i < n; i++) {
            Prepared p = prepared[i];
            slot[i] = p.identity() ? operands[i] : operands[i].asStrided(p.dims(), p.strides(), operands[i].offset());
        }
        Tensor direct = out != null && resultSlot >= n && out.isContiguous() ? out : null;
        try {
            for (Step s : steps) {
                if (s instanceof Step.Output o) {
                    Tensor r;
                    if (out == null) {
                        r = o.run(slot, backend, dtype);
                    } else {
                        if (direct == null) {
                            int[] order = denseOrder(out);
                            backend.copy(slot[o.src()].asStrided(o.dims(), o.strides(), slot[o.src()].offset())
                                    .permute(order), out.permute(order));
                            if (o.inPlace()) {
                                slot[o.src()].close(); // not in o.free(): the plain run hands it over
                                slot[o.src()] = null;
                            }
                        } else {
                            slot[o.src()] = null; // that is out itself
                        }
                        r = out;
                    }
                    free(slot, o.free());
                    if (scale != 1) {
                        if (out == null) {
                            scaleResult(r);
                        } else {
                            backend.scale(out.permute(denseOrder(out)), scale);
                        }
                    }
                    return r;
                } else if (s instanceof Step.Gemm g) {
                    g.run(slot, backend, dtype, direct != null && g.dst() == resultSlot ? direct : null);
                } else if (s instanceof Step.Sum u) {
                    u.run(slot, backend, dtype, direct != null && u.dst() == resultSlot ? direct : null);
                } else if (s instanceof Step.Multiply x) {
                    x.run(slot, backend, dtype, direct != null && x.dst() == resultSlot ? direct : null);
                }
                free(slot, s.free());
            }
            throw new IllegalStateException("a plan without an output step");
        } catch (RuntimeException e) {
            for (int i = n; i < slot.length; i++) {
                if (slot[i] != null && slot[i] != out) {
                    slot[i].close();
                }
            }
            throw e;
        }
    }

    /**
     * The axis order in which {@code t} is contiguous (t permuted by it is contiguous: t is dense, as a transposed
     * view of a contiguous tensor is), or null when no order is (t has gaps or overlaps). Axes by decreasing stride.
     */
    public static int[] denseOrder(Tensor t) {
        int rank = t.rank();
        Integer[] ax = new Integer[rank];
        for (int i = 0; i < rank; i++) {
            ax[i] = i;
        }
        Arrays.sort(ax, (x, y) -> Long.compare(t.stride(y), t.stride(x)));
        int[] order = new int[rank];
        for (int i = 0; i < rank; i++) {
            order[i] = ax[i];
        }
        return t.permute(order).isContiguous() ? order : null;
    }

    /** The result's dims. */
    public int[] outDims() {
        return outDims.clone();
    }

    private void scaleResult(Tensor r) {
        try {
            backend.scale(r, scale);
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private static void free(Tensor[] slot, int[] which) {
        for (int i : which) {
            slot[i].close();
            slot[i] = null;
        }
    }

    // ---------------------------------------------------------------- structure (for reports and tests)

    /** The steps in execution order; the last is the {@link Step.Output}. */
    List<Step> steps() {
        return List.of(steps);
    }

    Prepared prepared(int operand) {
        return prepared[operand];
    }

    /** The largest workspace (operand copies for one GEMM) in bytes. */
    public long workspaceBytes() {
        return workspaceBytes;
    }

    /**
     * The most bytes the plan holds at once: live intermediates, the step's new output and its workspace, and
     * the result (backend-internal temporaries not counted).
     */
    public long peakBytes() {
        return peakBytes;
    }

    /** Number of GEMM steps whose operands need a copy (0: every GEMM reads the operands in place). */
    public int copies() {
        int n = 0;
        for (Step s : steps) {
            if (s instanceof Step.Gemm g) {
                n += (g.opA().needsCopy() ? 1 : 0) + (g.opB().needsCopy() ? 1 : 0);
            }
        }
        return n;
    }

    public Backend backend() {
        return backend;
    }

    /** One line per step, slots as {@code %n}, labels as ids: for reports and debugging (built on demand only). */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("plan " + dtype + " on " + backend.name() + ", workspace " + workspaceBytes
                + " B, peak " + peakBytes + " B" + (scale != 1 ? ", result times " + scale : "") + "\n");
        for (int i = 0; i < prepared.length; i++) {
            Prepared p = prepared[i];
            b.append("  %").append(i).append(" = operand ").append(i).append(p.identity() ? "" : " viewed as labels "
                    + Arrays.toString(p.labels()) + " dims " + Arrays.toString(p.dims()) + " strides "
                    + Arrays.toString(p.strides())).append('\n');
        }
        for (Step s : steps) {
            b.append("  ");
            if (s instanceof Step.Sum u) {
                b.append('%').append(u.dst()).append(" = sum %").append(u.src()).append(" over ")
                        .append(Arrays.toString(u.reduce()));
            } else if (s instanceof Step.Gemm g) {
                b.append('%').append(g.dst()).append(" = gemm %").append(g.a()).append(describe(g.opA())).append(" %")
                        .append(g.b()).append(describe(g.opB())).append(" batch ").append(Arrays.toString(g.batch()))
                        .append(" m ").append(Arrays.toString(g.m())).append(" k ").append(Arrays.toString(g.k()))
                        .append(" n ").append(Arrays.toString(g.n())).append(" as ").append(Arrays.toString(g.shape3()))
                        .append(g.split() > 0 ? ", first " + g.split() + " of k accumulated as r" : "");
            } else if (s instanceof Step.Multiply x) {
                b.append('%').append(x.dst()).append(" = multiply %").append(x.a()).append(Arrays.toString(x.stridesA()))
                        .append(" %").append(x.b()).append(Arrays.toString(x.stridesB())).append(" over ")
                        .append(Arrays.toString(x.space())).append(" summing ").append(Arrays.toString(x.reduce()));
            } else if (s instanceof Step.Output o) {
                b.append("result = ").append(o.inPlace() ? "%" + o.src() + " as it is" : "copy of %" + o.src()
                        + " strides " + Arrays.toString(o.strides()));
            }
            if (s.free().length > 0) {
                b.append("; free ").append(Arrays.toString(s.free()));
            }
            b.append('\n');
        }
        return b.toString();
    }

    private static String describe(Step.Operand o) {
        return (o.needsCopy() ? " (copied)" : "") + Arrays.toString(o.dims()) + Arrays.toString(o.strides());
    }
}
