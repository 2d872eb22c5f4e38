package org.einsum4j.plan;

import java.util.List;
import org.einsum4j.Backend;
import org.einsum4j.path.Planner;
import org.einsum4j.spec.Contraction;
import org.einsum4j.tensor.Tensor;

/**
 * Runs a contraction path once: compiles a {@link Plan} for these operands' strides and executes it. For callers
 * without a {@code ContractExpression} (tests, one-off runs); expressions keep their plans and skip the compile.
 */
final class Executor {
    private Executor() {
    }

    /**
     * Contracts {@code operands} (already checked against {@code c}: shapes and one common float dtype) along
     * {@code path} (opt_einsum's format; steps may name one, two or more operands). Returns a new tensor.
     */
    static Tensor run(Contraction c, List<int[]> path, Backend backend, Tensor[] operands) {
        return Plan.compile(c, Planner.plan(c, path), operands[0].dtype(), Plan.stridesOf(operands), backend)
                .execute(operands);
    }
}
