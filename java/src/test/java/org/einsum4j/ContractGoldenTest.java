package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.GoldenCases;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.einsum4j.testing.UnderTest;

/** {@link Einsum#contract} against the oracle on every row of golden/einsum/cases.tsv and random_cases.tsv, in float64 and float32. */
class ContractGoldenTest {

    static List<GoldenCases.Case> cases() {
        return GoldenCases.allWithRandom();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void contractMatchesOracleInFloat64(GoldenCases.Case c) {
        Tensor[] ops = GoldenCases.operands(c);
        try (Tensor expected = ReferenceEinsum.evaluate(c.expression(), ops);
             Tensor actual = UnderTest.contract(c.expression(), ops)) {
            assertEquals(DType.FLOAT64, actual.dtype(), c.toString());
            Close.assertClose(expected, actual, 1e-10, c.toString());
        } finally {
            GoldenCases.closeAll(ops);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void contractMatchesOracleInFloat32(GoldenCases.Case c) {
        Tensor[] ops64 = GoldenCases.operands(c);
        Tensor[] ops = new Tensor[ops64.length];
        try {
            for (int k = 0; k < ops.length; k++) {
                ops[k] = ops64[k].to(DType.FLOAT32);
            }
            // the oracle reads the float32 values exactly, so only contract's float32 rounding is measured
            try (Tensor expected = ReferenceEinsum.evaluate(c.expression(), ops);
                 Tensor actual = UnderTest.contract(c.expression(), ops)) {
                assertEquals(DType.FLOAT32, actual.dtype(), c.toString());
                Close.assertClose(expected, actual, 1e-4, c.toString());
            }
        } finally {
            GoldenCases.closeAll(ops);
            GoldenCases.closeAll(ops64);
        }
    }
}
