package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.oracle.Close;
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

/**
 * {@link Einsum#contract} against the oracle on random valid specs (up to 6 operands, diagonals, ellipsis,
 * broadcasting, scalars, implicit and explicit outputs, summed labels) with random small shapes. jqwik properties
 * with fixed seeds: a failure shrinks to a small spec and is reported with it.
 */
class ContractPropertyTest {
    @Provide
    Arbitrary<RandomSpecs.Drawn> specs() {
        return RandomSpecs.valid();
    }

    @Property(tries = 400, seed = "42")
    void contractMatchesOracleOnRandomSpecsInFloat64(@ForAll("specs") RandomSpecs.Drawn d) {
        Tensor[] ops = operands(d, DType.FLOAT64);
        try (Tensor expected = ReferenceEinsum.evaluate(d.spec(), ops);
             Tensor actual = contract(d, ops)) {
            assertArrayEquals(d.resultShape(), actual.dims(), d.toString());
            assertEquals(DType.FLOAT64, actual.dtype());
            Close.assertClose(expected, actual, 1e-10, d.toString());
        } finally {
            GoldenCases.closeAll(ops);
        }
    }

    @Property(tries = 200, seed = "4242")
    void contractMatchesOracleOnRandomSpecsInFloat32(@ForAll("specs") RandomSpecs.Drawn d) {
        Tensor[] ops = operands(d, DType.FLOAT32);
        Tensor[] abs = new Tensor[ops.length];
        try {
            for (int k = 0; k < ops.length; k++) {
                abs[k] = absolute(ops[k]);
            }
            try (Tensor expected = ReferenceEinsum.evaluate(d.spec(), ops);
                 Tensor scale = ReferenceEinsum.evaluate(d.spec(), abs);
                 Tensor actual = contract(d, ops)) {
                assertArrayEquals(d.resultShape(), actual.dims(), d.toString());
                assertEquals(DType.FLOAT32, actual.dtype());
                // float32 rounding is bounded by the sum of |terms|, not by the (possibly cancelled) result
                double[] e = expected.toDoubleArray();
                double[] a = actual.toDoubleArray();
                double[] s = scale.toDoubleArray();
                for (int i = 0; i < e.length; i++) {
                    assertTrue(Math.abs(a[i] - e[i]) <= 1e-5 * s[i] + 1e-30,
                            d + " element " + i + ": " + a[i] + " vs " + e[i]);
                }
            }
        } finally {
            GoldenCases.closeAll(abs);
            GoldenCases.closeAll(ops);
        }
    }

    /** contract(), with the drawn case named when it throws. */
    private static Tensor contract(RandomSpecs.Drawn d, Tensor[] ops) {
        try {
            return UnderTest.contract(d.spec(), ops);
        } catch (RuntimeException e) {
            throw new AssertionError(d + ": contract threw " + e, e);
        }
    }

    /** Random values seeded by the spec: values need no shrinking, and a shrunk case replays with the same ones. */
    private static Tensor[] operands(RandomSpecs.Drawn d, DType dtype) {
        Tensor[] ops = new Tensor[d.shapes().length];
        for (int k = 0; k < ops.length; k++) {
            ops[k] = Tensor.random(dtype, d.spec().hashCode() * 31L + k, d.shapes()[k]);
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
