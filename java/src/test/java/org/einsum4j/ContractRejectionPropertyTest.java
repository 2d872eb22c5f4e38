package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.oracle.GoldenCases;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.spec.RandomSpecs;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Random invalid specs and shapes given to {@link Einsum#contract} (and the oracle) are rejected with the documented
 * exception type (EinsumSyntaxException, OperandCountException, ShapeMismatchException) and a message naming the
 * problem. A jqwik property: a failure shrinks to a small spec.
 */
class ContractRejectionPropertyTest {
    @Provide
    Arbitrary<RandomSpecs.Invalid> invalidCases() {
        return RandomSpecs.invalid();
    }

    @Property(tries = 400, seed = "2026")
    void invalidSpecsAndShapesAreRejectedWithTheDocumentedType(@ForAll("invalidCases") RandomSpecs.Invalid bad) {
        Tensor[] ops = new Tensor[bad.shapes().length];
        try {
            for (int k = 0; k < ops.length; k++) {
                ops[k] = Tensor.random(DType.FLOAT64, k, bad.shapes()[k]);
            }
            String where = bad.toString();
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
        } finally {
            GoldenCases.closeAll(ops);
        }
        // every documented type drawn often enough to count (checked over all tries)
        Statistics.label("type").collect(bad.expected().getSimpleName());
        Statistics.label("type").coverage(c -> {
            for (String type : new String[] {"EinsumSyntaxException", "OperandCountException",
                    "ShapeMismatchException"}) {
                c.check(type).count(n -> n > 50);
            }
        });
    }
}
