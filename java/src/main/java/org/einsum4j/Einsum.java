package org.einsum4j;

import java.util.List;
import org.einsum4j.path.PathInfo;
import org.einsum4j.path.Planner;
import org.einsum4j.spec.EinsumSpec;
import org.einsum4j.tensor.Tensor;

/**
 * The facade: {@code Einsum.contract("ij,jk->ik", a, b)}. Results are new tensors owned by the caller.
 */
public final class Einsum {
    private Einsum() {
    }

    /** Contracts the operands as {@code spec} says, with the default options (planner {@code auto}, CPU). */
    public static Tensor contract(String spec, Tensor... operands) {
        return contract(spec, ContractOptions.defaults(), operands);
    }

    public static Tensor contract(String spec, ContractOptions options, Tensor... operands) {
        throw new UnsupportedOperationException("Einsum.contract: being written");
    }

    /** numpy's interleaved form: operands with int sublists ({@link org.einsum4j.spec.EinsumSpec#ELLIPSIS} for
     * {@code ...}); {@code output} null for the implicit output. */
    public static Tensor contract(List<Tensor> operands, List<int[]> sublists, int[] output) {
        throw new UnsupportedOperationException("Einsum.contract: being written");
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
        return Planner.plan(EinsumSpec.parse(spec).bind(shapes), options);
    }
}
