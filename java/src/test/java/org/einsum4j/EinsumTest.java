package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.spec.EinsumSpec;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.einsum4j.testing.UnderTest;

/** The facade end to end: parse, plan, execute, against the float64 oracle. */
class EinsumTest {

    static void assertClose(Tensor want, Tensor got, double rel) {
        assertArrayEquals(want.dims(), got.dims(), "shape");
        double[] w = want.toDoubleArray();
        double[] g = got.toDoubleArray();
        double num = 0;
        double den = 0;
        for (int i = 0; i < w.length; i++) {
            num += (w[i] - g[i]) * (w[i] - g[i]);
            den += w[i] * w[i];
        }
        assertTrue(Math.sqrt(num) <= rel * Math.sqrt(den) + 1e-12, "relative error " + Math.sqrt(num / Math.max(den, 1e-300)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "n...i,n...j->nij;  4x3x2x5, 4x3x2x6",
        "ni,nj->nij;        8x5, 8x7",
        "ij,jk,kl,lm->im;   6x7, 7x3, 3x8, 8x5",
        "bij,bjk->bik;      3x4x5, 3x5x6",
        "abcd,cdef->abef;   2x3x4x5, 4x5x3x2",
        "ea,fb,abcd,gc,hd->efgh; 3x4, 5x2, 4x2x3x3, 2x3, 4x3",
        "ij,ij->i;          7x9, 7x9",
        "ii->i;             6x6",
        "i,j->ij;           5, 6",
        "bhqd,bhkd->bhqk;   2x3x4x5, 2x3x6x5",
        "nkoq,nkpq->nop;    3x2x4x5, 3x2x6x5",
        "...ij,...jk->...ik; 2x3x4x5, 3x5x2",
        "abc,cd,de,ef,fa->be; 3x4x5, 5x2, 2x3, 3x4, 4x3",
        "bn,anm,bm->ba;     3x4, 2x4x5, 3x5",
        "ab,->ab;           2x3, scalar",
        "ij;                3x4",
        "ji;                3x4",
        "ii;                4x4",
        "...;               2x3",
        "ijk->ik;           20x30x40",
        "ijk->j;            20x30x40",
        "ijk->ki;           20x30x40",
        "ijk->;             20x30x40",
        "nkto->no;          3x4x5x60",
        "nkto->on;          3x4x5x60",
        "nkoq->no;          6x2x7x30",
    })
    void contractMatchesOracle(String spec, String shapes) {
        String[] parts = shapes.split(",");
        Tensor[] ops = new Tensor[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                ops[i] = Tensor.random(DType.FLOAT32, 17 + i, org.einsum4j.tensor.Shape.parse(parts[i].trim()).toArray());
            }
            try (Tensor want = ReferenceEinsum.evaluate(spec, ops); Tensor got = UnderTest.contract(spec, ops)) {
                assertEquals(DType.FLOAT32, got.dtype());
                assertClose(want, got, 1e-5);
            }
        } finally {
            for (Tensor t : ops) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    @Test
    void seedSpecSumsEllipsisDimsMissingFromOutput() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 2, 3, 4, 5); Tensor b = Tensor.random(DType.FLOAT64, 2, 2, 3, 4, 6);
             Tensor r = UnderTest.contract("n...i,n...j->nij", a, b)) {
            assertArrayEquals(new int[] {2, 5, 6}, r.dims());
            double s = 0;
            for (int x = 0; x < 3; x++) {
                for (int y = 0; y < 4; y++) {
                    s += a.get(1, x, y, 2) * b.get(1, x, y, 4);
                }
            }
            assertEquals(s, r.get(1, 2, 4), 1e-12);
        }
    }

    @Test
    void interleavedFormWithIntLabels() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 3, 4); Tensor b = Tensor.random(DType.FLOAT64, 2, 4, 5);
             Tensor want = ReferenceEinsum.evaluate("ij,jk->ik", a, b);
             Tensor got = Einsum.contract(List.of(a, b), List.of(new int[] {100, 200}, new int[] {200, 300}),
                     new int[] {100, 300})) {
            assertClose(want, got, 1e-12);
        }
    }

    @Test
    void rejectsMixedDtypesBeforeWork() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 3, 4); Tensor b = Tensor.random(DType.FLOAT32, 2, 4, 5)) {
            InvalidOperandException e = assertThrows(InvalidOperandException.class, () -> UnderTest.contract("ij,jk->ik", a, b));
            assertTrue(e.getMessage().contains("operand 1 is FLOAT32"), e.getMessage());
        }
    }

    @Test
    void rejectsIntegerAndClosedOperands() {
        try (Tensor a = Tensor.ofLongs(new long[] {1, 2}, 2)) {
            InvalidOperandException e = assertThrows(InvalidOperandException.class, () -> UnderTest.contract("i->", a));
            assertTrue(e.getMessage().contains("INT64"), e.getMessage());
        }
        Tensor c = Tensor.random(DType.FLOAT32, 1, 2);
        c.close();
        InvalidOperandException e = assertThrows(InvalidOperandException.class, () -> UnderTest.contract("i->", c));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void expressionIsCachedAndRejectsOtherShapes() {
        ContractExpression e1 = Einsum.expression("ij,jk->ik", ContractOptions.defaults(), DType.FLOAT32, new int[] {2, 3}, new int[] {3, 4});
        ContractExpression e2 = Einsum.expression("ij,jk->ik", ContractOptions.defaults(), DType.FLOAT32, new int[] {2, 3}, new int[] {3, 4});
        assertSame(e1, e2);
        assertArrayEquals(new int[] {2, 4}, e1.outputShape());
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 2, 5); Tensor b = Tensor.random(DType.FLOAT32, 1, 5, 4)) {
            assertThrows(org.einsum4j.spec.ShapeMismatchException.class, () -> e1.contract(a, b));
        }
    }

    @Test
    void explicitPathsAreCachedByContent() {
        int[][] s = {{2, 3}, {3, 4}, {4, 5}};
        ContractOptions o = ContractOptions.defaults();
        ContractExpression e1 = Einsum.expression("ij,jk,kl->il", o.withPath(List.of(new int[] {0, 1}, new int[] {0, 1})),
                DType.FLOAT64, s);
        ContractExpression e2 = Einsum.expression("ij,jk,kl->il", o.withPath(List.of(new int[] {1, 2}, new int[] {0, 1})),
                DType.FLOAT64, s);
        ContractExpression e3 = Einsum.expression("ij,jk,kl->il", o.withPath(List.of(new int[] {0, 1}, new int[] {0, 1})),
                DType.FLOAT64, s);
        assertEquals("[[0, 1], [0, 1]]", java.util.Arrays.deepToString(e1.path().toArray()));
        assertEquals("[[1, 2], [0, 1]]", java.util.Arrays.deepToString(e2.path().toArray()));
        assertSame(e1, e3);
    }

    @Test
    void resultDoesNotAliasInput() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 3, 4); Tensor r = UnderTest.contract("ij->ij", a)) {
            assertTrue(r.ownsMemory());
            r.set(42, 0, 0);
            assertTrue(a.get(0, 0) != 42);
        }
        assertEquals(-1, EinsumSpec.ELLIPSIS);
    }
}
