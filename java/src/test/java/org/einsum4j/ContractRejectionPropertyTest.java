package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.einsum4j.oracle.GoldenCases;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.spec.RandomSpecs;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.einsum4j.testing.UnderTest;

/**
 * Random invalid specs and shapes given to {@link Einsum#contract} (and the oracle) are rejected with the documented
 * exception type (EinsumSyntaxException, OperandCountException, ShapeMismatchException) and a message naming the
 * problem.
 */
class ContractRejectionPropertyTest {
    private static final int TRIES = 400;

    @Test
    void invalidSpecsAndShapesAreRejectedWithTheDocumentedType() {
        SplittableRandom r = new SplittableRandom(2026);
        Map<String, Integer> seen = new HashMap<>();
        for (int t = 0; t < TRIES; t++) {
            RandomSpecs.Invalid bad = RandomSpecs.drawInvalid(r);
            Tensor[] ops = new Tensor[bad.shapes().length];
            try {
                for (int k = 0; k < ops.length; k++) {
                    ops[k] = Tensor.random(DType.FLOAT64, t, bad.shapes()[k]);
                }
                String where = "try " + t + ": " + bad;
                RuntimeException e = assertThrows(bad.expected(), () -> {
                    try (Tensor unexpected = UnderTest.contract(bad.spec(), ops)) {
                        return;
                    }
                }, where);
                assertTrue(e.getMessage().contains(bad.mentions()), where + ": " + e.getMessage());
                RuntimeException o = assertThrows(bad.expected(), () -> {
                    try (Tensor unexpected = ReferenceEinsum.evaluate(bad.spec(), ops)) {
                        return;
                    }
                }, where + " (oracle)");
                assertTrue(o.getMessage().contains(bad.mentions()), where + " (oracle): " + o.getMessage());
                seen.merge(bad.expected().getSimpleName(), 1, Integer::sum);
            } finally {
                GoldenCases.closeAll(ops);
            }
        }
        assertTrue(seen.size() == 3 && seen.values().stream().allMatch(n -> n > 50), "drawn: " + seen);
    }
}
