package org.einsum4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.Einsum4jException;
import org.junit.jupiter.api.Test;

/** The tensor model: factories, views without copies, copies, conversions and the ownership rules. */
class TensorTest {

    private static float[] iota(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    @Test
    void roundTripsArraysOfEachDtype() {
        try (Tensor f = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
             Tensor d = Tensor.of(new double[] {1.5, -2}, 2);
             Tensor l = Tensor.ofLongs(new long[] {7, 8, 9}, 3)) {
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, f.toFloatArray());
            assertEquals(6.0, f.get(1, 2));
            assertArrayEquals(new double[] {1.5, -2}, d.toDoubleArray());
            assertArrayEquals(new long[] {7, 8, 9}, l.toLongArray());
            assertEquals(DType.INT64, l.dtype());
        }
    }

    @Test
    void rejectsDataOfWrongLengthAndNegativeSizes() {
        Einsum4jException e = assertThrows(Einsum4jException.class, () -> Tensor.of(new float[5], 2, 3));
        assertTrue(e.getMessage().contains("5 elements") && e.getMessage().contains("(2, 3)"), e.getMessage());
        assertThrows(Einsum4jException.class, () -> Tensor.zeros(DType.FLOAT32, 2, -1));
        assertThrows(Einsum4jException.class, () -> Tensor.zeros(DType.FLOAT32, Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE));
    }

    @Test
    void permuteIsAViewWithSwappedStrides() {
        try (Tensor t = Tensor.of(iota(24), 2, 3, 4)) {
            Tensor p = t.permute(2, 0, 1);
            assertArrayEquals(new int[] {4, 2, 3}, p.dims());
            assertTrue(p.sharesMemoryWith(t));
            assertFalse(p.isContiguous());
            assertEquals(t.get(1, 2, 3), p.get(3, 1, 2));
            try (Tensor c = p.copy()) {
                assertTrue(c.isContiguous());
                assertEquals(t.get(1, 0, 3), c.get(3, 1, 0));
            }
            assertThrows(Einsum4jException.class, () -> t.permute(0, 0, 1));
        }
    }

    @Test
    void viewSharesMemoryWhenTheStridesAllowAndReshapeAlwaysCopies() {
        try (Tensor t = Tensor.of(iota(24), 2, 3, 4)) {
            Tensor r = t.view(6, -1);
            assertTrue(r.sharesMemoryWith(t));
            assertArrayEquals(new int[] {6, 4}, r.dims());
            // merging the permuted (2, 3) dims is still a view: [4, 2, 3] -> [4, 6] after permute(2, 0, 1)
            Tensor p = t.permute(2, 0, 1).view(4, 6);
            assertTrue(p.sharesMemoryWith(t));
            assertEquals(t.get(1, 2, 3), p.get(3, 5));
            // merging [3, 4] of a transposed tensor needs a copy
            Einsum4jException noView = assertThrows(Einsum4jException.class, () -> t.permute(0, 2, 1).view(2, 12));
            assertTrue(noView.getMessage().contains("use reshape() for a copy"), noView.getMessage());
            assertTrue(t.permute(0, 2, 1).viewAs(2, 12).isEmpty());
            try (Tensor q = t.permute(0, 2, 1).reshape(2, 12)) {
                assertFalse(q.sharesMemoryWith(t));
                assertTrue(q.ownsMemory());
                assertEquals(t.get(1, 2, 3), q.get(1, 3 * 3 + 2));
            }
            // reshape copies even where a view would do: the caller always owns what it gets
            try (Tensor c = t.reshape(6, 4)) {
                assertFalse(c.sharesMemoryWith(t));
                assertTrue(c.ownsMemory());
                assertEquals(t.get(1, 2, 3), c.get(5, 3));
            }
            assertThrows(Einsum4jException.class, () -> t.reshape(5, 5));
            assertThrows(Einsum4jException.class, () -> t.view(5, 5));
        }
    }

    @Test
    void broadcastRepeatsWithZeroStride() {
        try (Tensor t = Tensor.of(new float[] {1, 2, 3}, 3, 1)) {
            Tensor b = t.broadcastTo(2, 3, 4);
            assertArrayEquals(new long[] {0, 1, 0}, b.strides());
            assertEquals(3.0, b.get(1, 2, 3));
            try (Tensor c = b.copy()) {
                assertEquals(24, c.toFloatArray().length);
                assertEquals(2.0, c.get(0, 1, 2));
            }
            Einsum4jException e = assertThrows(Einsum4jException.class, () -> t.broadcastTo(2, 4));
            assertTrue(e.getMessage().contains("(3, 1)"), e.getMessage());
        }
    }

    @Test
    void sliceWithStep() {
        try (Tensor t = Tensor.of(iota(10), 10)) {
            Tensor s = t.slice(0, 1, 9, 3);
            assertArrayEquals(new float[] {1, 4, 7}, s.toFloatArray());
            assertThrows(Einsum4jException.class, () -> t.slice(0, 5, 11, 1));
            assertThrows(Einsum4jException.class, () -> t.slice(0, 0, 5, 0));
        }
    }

    @Test
    void asStridedRefusesToLeaveTheStorage() {
        try (Tensor t = Tensor.zeros(DType.FLOAT32, 4)) {
            assertThrows(Einsum4jException.class, () -> t.asStrided(new int[] {5}, new long[] {1}, 0));
            assertThrows(Einsum4jException.class, () -> t.asStrided(new int[] {2}, new long[] {-1}, 1));
            assertEquals(2, t.asStrided(new int[] {2, 2}, new long[] {0, 3}, 0).numel() / 2);
        }
    }

    @Test
    void conversionsBetweenDtypes() {
        try (Tensor f = Tensor.of(new float[] {1.5f, -2.25f}, 2); Tensor d = f.to(DType.FLOAT64);
             Tensor l = f.to(DType.INT64)) {
            assertArrayEquals(new double[] {1.5, -2.25}, d.toDoubleArray());
            assertArrayEquals(new long[] {1, -2}, l.toLongArray());
        }
    }

    @Test
    void useAfterCloseThrowsForTheTensorAndItsViews() {
        Tensor t = Tensor.of(iota(6), 2, 3);
        Tensor v = t.permute(1, 0);
        v.close(); // closing a view frees nothing
        assertThrows(TensorClosedException.class, () -> v.get(0, 0));
        assertEquals(4.0, t.get(1, 1));
        Tensor w = t.view(3, 2);
        t.close();
        t.close(); // idempotent
        assertTrue(t.isClosed());
        assertTrue(w.isClosed());
        TensorClosedException e = assertThrows(TensorClosedException.class, w::toFloatArray);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertThrows(TensorClosedException.class, t::hostAddress);
    }

    @Test
    void zeroSizedAndScalarTensors() {
        try (Tensor z = Tensor.zeros(DType.FLOAT32, 0, 5); Tensor s = Tensor.scalar(3.5, DType.FLOAT64)) {
            assertEquals(0, z.numel());
            assertEquals(0, z.toFloatArray().length);
            assertEquals(0, s.rank());
            assertEquals(3.5, s.get());
            assertEquals("()", s.shape().toString());
        }
    }

    @Test
    void shapeParsingAndPrinting() {
        assertEquals(Shape.of(64, 128, 256), Shape.parse("64x128x256"));
        assertEquals(Shape.scalar(), Shape.parse("scalar"));
        assertEquals("(5,)", Shape.of(5).toString());
        assertEquals("2x3", Shape.of(2, 3).toCliString());
        Einsum4jException e = assertThrows(Einsum4jException.class, () -> Shape.parse("3xq"));
        assertTrue(e.getMessage().contains("'q'"), e.getMessage());
    }

    @Test
    void randomIsReproducibleForASeed() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 5, 3, 3); Tensor b = Tensor.random(DType.FLOAT32, 5, 3, 3);
             Tensor c = Tensor.random(DType.FLOAT32, 6, 3, 3)) {
            assertArrayEquals(a.toFloatArray(), b.toFloatArray());
            assertFalse(java.util.Arrays.equals(a.toFloatArray(), c.toFloatArray()));
        }
    }

    @Test
    void reshapeTakingOwnershipMovesTheMemory() {
        Tensor t = Tensor.of(iota(6), 6);
        Tensor r = t.reshapeTakingOwnership(2, 3);
        assertTrue(t.isClosed() && !r.isClosed() && r.ownsMemory());
        assertEquals(5.0, r.get(1, 2));
        r.close();
        assertTrue(r.isClosed());
    }
}
