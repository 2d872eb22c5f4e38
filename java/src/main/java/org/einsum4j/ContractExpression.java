package org.einsum4j;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.einsum4j.plan.Executor;
import org.einsum4j.spec.Contraction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/**
 * A spec compiled for fixed operand shapes and dtype: the bound contraction and its contraction path, ready to
 * run any number of times. Immutable and thread-safe; {@link Einsum#contract} caches these.
 */
public final class ContractExpression {
    private final String spec;
    private final Contraction contraction;
    private final List<int[]> path;
    private final DType dtype;
    private final Backend backend;
    private final int[][] shapes;

    ContractExpression(String spec, Contraction contraction, List<int[]> path, DType dtype, Backend backend) {
        this.spec = spec;
        this.contraction = contraction;
        List<int[]> p = new ArrayList<>();
        for (int[] s : path) {
            p.add(s.clone());
        }
        this.path = List.copyOf(p);
        this.dtype = dtype;
        this.backend = backend;
        this.shapes = contraction.shapes();
    }

    /** Runs the contraction; the operands must have the shapes and dtype this expression was compiled for. */
    public Tensor contract(Tensor... operands) {
        Einsum.checkOperands(operands);
        if (operands.length != shapes.length) {
            throw new org.einsum4j.spec.OperandCountException("expression '" + spec + "' takes " + shapes.length
                    + " operands, got " + operands.length);
        }
        for (int i = 0; i < operands.length; i++) {
            if (!Arrays.equals(operands[i].dims(), shapes[i])) {
                throw new org.einsum4j.spec.ShapeMismatchException("operand " + i + " has shape "
                        + operands[i].shape() + " but the expression '" + spec + "' was compiled for "
                        + Arrays.toString(shapes[i]));
            }
            if (!operands[i].device().equals(backend.device())) {
                throw new InvalidOperandException("operand " + i + " lives on " + operands[i].device()
                        + " but the expression '" + spec + "' was compiled for " + backend.device());
            }
            if (operands[i].dtype() != dtype) {
                throw new InvalidOperandException("operand " + i + " is " + operands[i].dtype()
                        + " but the expression '" + spec + "' was compiled for " + dtype);
            }
        }
        return Executor.run(contraction, path, backend, operands);
    }

    public String spec() {
        return spec;
    }

    public Contraction contraction() {
        return contraction;
    }

    /** The contraction path, in opt_einsum's format (copies). */
    public List<int[]> path() {
        List<int[]> p = new ArrayList<>();
        for (int[] s : path) {
            p.add(s.clone());
        }
        return p;
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
