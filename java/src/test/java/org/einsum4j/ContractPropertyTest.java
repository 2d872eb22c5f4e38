package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.GoldenCases;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.spec.RandomSpecs;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.einsum4j.testing.UnderTest;

/**
 * {@link Einsum#contract} against the oracle on random valid specs (up to 6 operands, diagonals, ellipsis,
 * broadcasting, scalars, implicit and explicit outputs, summed labels) with random small shapes.
 */
class ContractPropertyTest {
    private static final int TRIES = 400;

    @Test
    void contractMatchesOracleOnRandomSpecsInFloat64() {
        SplittableRandom r = new SplittableRandom(42);
        for (int t = 0; t < TRIES; t++) {
            RandomSpecs.Drawn d = RandomSpecs.draw(r, 20_000);
            Tensor[] ops = operands(d, DType.FLOAT64, t);
            try (Tensor expected = ReferenceEinsum.evaluate(d.spec(), ops);
                 Tensor actual = contract(d, ops, t)) {
                assertArrayEquals(d.resultShape(), actual.dims(), "try " + t + ": " + d);
                assertEquals(DType.FLOAT64, actual.dtype());
                Close.assertClose(expected, actual, 1e-10, "try " + t + ": " + d);
            } finally {
                GoldenCases.closeAll(ops);
            }
        }
    }

    @Test
    void contractMatchesOracleOnRandomSpecsInFloat32() {
        SplittableRandom r = new SplittableRandom(4242);
        for (int t = 0; t < TRIES / 2; t++) {
            RandomSpecs.Drawn d = RandomSpecs.draw(r, 20_000);
            Tensor[] ops = operands(d, DType.FLOAT32, t);
            Tensor[] abs = new Tensor[ops.length];
            try {
                for (int k = 0; k < ops.length; k++) {
                    abs[k] = absolute(ops[k]);
                }
                try (Tensor expected = ReferenceEinsum.evaluate(d.spec(), ops);
                     Tensor scale = ReferenceEinsum.evaluate(d.spec(), abs);
                     Tensor actual = contract(d, ops, t)) {
                    assertArrayEquals(d.resultShape(), actual.dims(), "try " + t + ": " + d);
                    assertEquals(DType.FLOAT32, actual.dtype());
                    // float32 rounding is bounded by the sum of |terms|, not by the (possibly cancelled) result
                    double[] e = expected.toDoubleArray();
                    double[] a = actual.toDoubleArray();
                    double[] s = scale.toDoubleArray();
                    for (int i = 0; i < e.length; i++) {
                        assertTrue(Math.abs(a[i] - e[i]) <= 1e-5 * s[i] + 1e-30,
                                "try " + t + ": " + d + " element " + i + ": " + a[i] + " vs " + e[i]);
                    }
                }
            } finally {
                GoldenCases.closeAll(abs);
                GoldenCases.closeAll(ops);
            }
        }
    }

    /** contract(), with the drawn case named when it throws. */
    private static Tensor contract(RandomSpecs.Drawn d, Tensor[] ops, int t) {
        try {
            return UnderTest.contract(d.spec(), ops);
        } catch (RuntimeException e) {
            throw new AssertionError("try " + t + ": " + d + ": contract threw " + e, e);
        }
    }

    private static Tensor[] operands(RandomSpecs.Drawn d, DType dtype, long seed) {
        Tensor[] ops = new Tensor[d.shapes().length];
        for (int k = 0; k < ops.length; k++) {
            ops[k] = Tensor.random(dtype, seed * 31 + k, d.shapes()[k]);
        }
        return ops;
    }

    private static Tensor absolute(Tensor t) {
        float[] v = t.toFloatArray();
        for (int i = 0; i < v.length; i++) {
            v[i] = Math.abs(v[i]);
        }
        return Tensor.of(v, t.dims());
    }
}
