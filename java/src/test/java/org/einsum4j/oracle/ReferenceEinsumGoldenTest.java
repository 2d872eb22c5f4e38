package org.einsum4j.oracle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The oracle against numpy.einsum(..., optimize=True) on every row of golden/einsum/cases.tsv and random_cases.tsv. */
class ReferenceEinsumGoldenTest {

    static List<GoldenCases.Case> cases() {
        return GoldenCases.allWithRandom();
    }

    @Test
    void bothFilesAreRead() {
        assertTrue(GoldenCases.all().size() >= 70, "cases.tsv has " + GoldenCases.all().size() + " rows");
        assertTrue(GoldenCases.random().size() >= 100, "random_cases.tsv has " + GoldenCases.random().size() + " rows");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void oracleMatchesNumpy(GoldenCases.Case c) {
        Tensor[] ops = GoldenCases.operands(c);
        try (Tensor expected = GoldenCases.numpyResult(c);
             Tensor actual = ReferenceEinsum.evaluate(c.expression(), ops)) {
            Close.assertClose(expected, actual, 1e-10, c.toString());
        } finally {
            GoldenCases.closeAll(ops);
        }
    }
}
