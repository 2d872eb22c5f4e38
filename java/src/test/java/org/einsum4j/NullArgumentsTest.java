package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Null arguments to the public API are library exceptions naming the argument (issue 13 item 6). */
class NullArgumentsTest {
    private static void rejects(String name, Executable call) {
        Einsum4jException e = assertThrows(Einsum4jException.class, call);
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @Test
    void contractAndContractPath() {
        try (Tensor x = Tensor.of(new float[] {1, 2}, 2)) {
            rejects("spec", () -> Einsum.contract(null, x));
            rejects("options", () -> Einsum.contract("i->i", (ContractOptions) null, x));
            rejects("operand 1", () -> Einsum.contract("i,i->", x, null));
            rejects("spec", () -> Einsum.contractPath(null, new int[] {2}));
            rejects("options", () -> Einsum.contractPath("i->i", (ContractOptions) null, new int[] {2}));
            rejects("shapes", () -> Einsum.contractPath("i->i", (int[][]) null));
            rejects("spec", () -> Einsum.expression(null, ContractOptions.defaults(), DType.FLOAT32, new int[] {2}));
        }
    }

    @Test
    void tensorShapes() {
        rejects("dims", () -> Tensor.zeros(DType.FLOAT32, (int[]) null));
    }

    @Test
    void gradSampler() {
        try (Tensor x = Tensor.of(new float[] {1, 2}, 1, 2)) {
            LinearLayer l = new LinearLayer(2, 2, false);
            rejects("layer", () -> GradSampler.compute(null, x, x, 1));
            rejects("backprops", () -> GradSampler.compute(l, x, null, 1));
            rejects("activations", () -> GradSampler.compute(l, null, List.of(x), 1, KReduction.SUM));
            rejects("reduction", () -> GradSampler.compute(l, List.of(x), List.of(x), 1, null));
        }
    }
}
