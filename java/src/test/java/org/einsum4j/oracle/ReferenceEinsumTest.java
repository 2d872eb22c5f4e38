package org.einsum4j.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.InvalidOperandException;
import org.einsum4j.spec.OperandCountException;
import org.einsum4j.spec.ShapeMismatchException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ReferenceEinsumTest {

    @Test
    void matrixProductMatchesHandLoop() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 3, 4);
             Tensor b = Tensor.random(DType.FLOAT64, 2, 4, 5);
             Tensor r = ReferenceEinsum.evaluate("ij,jk->ik", a, b)) {
            assertEquals(DType.FLOAT64, r.dtype());
            assertArrayEquals(new int[] {3, 5}, r.dims());
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 5; k++) {
                    double s = 0;
                    for (int j = 0; j < 4; j++) {
                        s += a.get(i, j) * b.get(j, k);
                    }
                    assertEquals(s, r.get(i, k), 1e-12);
                }
            }
        }
    }

    @Test
    void perSampleOuterProductSumsEllipsisDims() {
        // the seed's spec: n...i,n...j->nij, the '...' dims (3, 4) are summed
        try (Tensor g = Tensor.random(DType.FLOAT64, 3, 2, 3, 4, 5);
             Tensor a = Tensor.random(DType.FLOAT64, 4, 2, 3, 4, 6);
             Tensor r = ReferenceEinsum.evaluate("n...i,n...j->nij", g, a)) {
            assertArrayEquals(new int[] {2, 5, 6}, r.dims());
            for (int n = 0; n < 2; n++) {
                for (int i = 0; i < 5; i++) {
                    for (int j = 0; j < 6; j++) {
                        double s = 0;
                        for (int x = 0; x < 3; x++) {
                            for (int y = 0; y < 4; y++) {
                                s += g.get(n, x, y, i) * a.get(n, x, y, j);
                            }
                        }
                        assertEquals(s, r.get(n, i, j), 1e-12);
                    }
                }
            }
        }
    }

    @Test
    void traceDiagonalAndTransposeReadTheRightElements() {
        try (Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3);
             Tensor tr = ReferenceEinsum.evaluate("ii", m);
             Tensor diag = ReferenceEinsum.evaluate("ii->i", m);
             Tensor t = ReferenceEinsum.evaluate("ij->ji", m)) {
            assertEquals(0, tr.rank());
            assertEquals(15.0, tr.get());
            assertArrayEquals(new double[] {1, 5, 9}, diag.toDoubleArray());
            assertArrayEquals(new double[] {1, 4, 7, 2, 5, 8, 3, 6, 9}, t.toDoubleArray());
        }
    }

    @Test
    void scalarsMultiply() {
        try (Tensor x = Tensor.scalar(2.0, DType.FLOAT64);
             Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
             Tensor y = Tensor.scalar(3.0, DType.FLOAT32);
             Tensor r = ReferenceEinsum.evaluate(",ab,->ab", x, m, y);
             Tensor s = ReferenceEinsum.evaluate(",,->", x, y, x)) {
            assertArrayEquals(new double[] {6, 12, 18, 24, 30, 36}, r.toDoubleArray());
            assertEquals(12.0, s.get());
        }
    }

    @Test
    void sizeOneDimsBroadcast() {
        try (Tensor a = Tensor.of(new double[] {1, 2}, 2, 1);
             Tensor b = Tensor.of(new double[] {10, 20, 30}, 1, 3);
             Tensor r = ReferenceEinsum.evaluate("ij,ij->ij", a, b);
             Tensor v = Tensor.of(new double[] {1, 2, 3}, 3);
             Tensor e = ReferenceEinsum.evaluate("...,...", v, a)) {
            assertArrayEquals(new int[] {2, 3}, r.dims());
            assertArrayEquals(new double[] {10, 20, 30, 20, 40, 60}, r.toDoubleArray());
            assertArrayEquals(new double[] {1, 2, 3, 2, 4, 6}, e.toDoubleArray());
        }
    }

    @Test
    void sizeZeroLabelsGiveZeros() {
        try (Tensor a = Tensor.zeros(DType.FLOAT64, 2, 0);
             Tensor b = Tensor.zeros(DType.FLOAT64, 0, 3);
             Tensor r = ReferenceEinsum.evaluate("ij,jk->ik", a, b);
             Tensor e = ReferenceEinsum.evaluate("ij,jk->ijk", a, b)) {
            assertArrayEquals(new int[] {2, 3}, r.dims());
            assertArrayEquals(new double[6], r.toDoubleArray());
            assertArrayEquals(new int[] {2, 0, 3}, e.dims());
        }
    }

    @Test
    void readsNonContiguousViews() {
        try (Tensor m = Tensor.random(DType.FLOAT32, 7, 4, 3);
             Tensor t = m.transpose();
             Tensor r = ReferenceEinsum.evaluate("ij->ij", t)) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 4; j++) {
                    assertEquals(m.get(j, i), r.get(i, j), 0.0);
                }
            }
        }
    }

    @Test
    void rejectsIntegerOperands() {
        try (Tensor a = Tensor.ofLongs(new long[] {1, 2}, 2)) {
            InvalidOperandException e = assertThrows(InvalidOperandException.class,
                    () -> ReferenceEinsum.evaluate("i->", a));
            assertTrue(e.getMessage().contains("INT64") && e.getMessage().contains("operand 0"), e.getMessage());
        }
    }

    @Test
    void rejectsWrongOperandCountAndShapes() {
        try (Tensor a = Tensor.zeros(DType.FLOAT64, 2, 3)) {
            assertThrows(OperandCountException.class, () -> ReferenceEinsum.evaluate("ij,jk", a));
            assertThrows(ShapeMismatchException.class, () -> ReferenceEinsum.evaluate("ij,jk", a, a));
        }
    }
}
