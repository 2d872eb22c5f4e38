package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * The device-neutral Backend primitives on the backend under test (CPU, or the checked device in the
 * checked-device run), against direct loops: GEMM into a given output with beta 0 and 1 (every CPU path: tiny
 * loop, outer product, dot, matrix-vector (m or n of 1), BLAS; 3-d and 4-d), sums into a given output, fill,
 * scale, copies with conversion and broadcast.
 */
class BackendTest {
    private final Backend backend = UnderTest.backend();

    @ParameterizedTest
    @CsvSource({"2,1,3,4,2", "3,1,5,1,4", "4,1,1,6,1", "2,1,17,9,13", "2,3,4,5,6", "1,2,40,30,20",
            "3,1,1,20,9", "3,1,9,20,1", "2,3,1,20,9", "2,3,9,20,1", "2,3,1,20,1", "1,1,1,700,600"})
    void gemmWritesAndAccumulatesIntoTheGivenOutput(int batch, int r, int m, int k, int n) {
        for (DType dt : new DType[] {DType.FLOAT64, DType.FLOAT32}) {
            try (Tensor a = Tensor.random(dt, 1, batch, r, m, k); Tensor b = Tensor.random(dt, 2, batch, r, k, n);
                 Tensor c0 = Tensor.random(dt, 3, batch, m, n)) {
                double[] want = new double[batch * m * n];
                for (int i = 0; i < batch; i++) {
                    for (int x = 0; x < m; x++) {
                        for (int y = 0; y < n; y++) {
                            double s = 0;
                            for (int j = 0; j < r; j++) {
                                for (int l = 0; l < k; l++) {
                                    s += a.get(i, j, x, l) * b.get(i, j, l, y);
                                }
                            }
                            want[(i * m + x) * n + y] = s;
                        }
                    }
                }
                double tol = dt == DType.FLOAT32 ? 1e-4 : 1e-12;
                try (Tensor da = a.to(backend.device()); Tensor db = b.to(backend.device());
                     Tensor c = c0.to(backend.device())) {
                    Tensor a4 = r == 1 ? squeeze1(da) : da;
                    Tensor b4 = r == 1 ? squeeze1(db) : db;
                    backend.gemm(a4, b4, c, 1);
                    double[] old = c0.toDoubleArray();
                    double[] got = c.toDoubleArray();
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i] + old[i], got[i], tol * (1 + Math.abs(want[i] + old[i])), dt + " beta=1 at " + i);
                    }
                    backend.gemm(a4, b4, c, 0);
                    got = c.toDoubleArray();
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i], got[i], tol * (1 + Math.abs(want[i])), dt + " beta=0 at " + i);
                    }
                }
            }
        }
    }

    /** The 3-d [batch, x, y] form of a [batch, 1, x, y] tensor, as a view. */
    private static Tensor squeeze1(Tensor t) {
        return t.asStrided(new int[] {t.dim(0), t.dim(2), t.dim(3)}, new long[] {t.stride(0), t.stride(2), t.stride(3)},
                t.offset());
    }

    @Test
    void gemmRejectsAnOutputOfTheWrongShapeAndBetaOtherThanZeroOrOne() {
        try (Tensor a = backend.zeros(DType.FLOAT64, 1, 2, 3); Tensor b = backend.zeros(DType.FLOAT64, 1, 3, 4);
             Tensor bad = backend.zeros(DType.FLOAT64, 1, 2, 5); Tensor c = backend.zeros(DType.FLOAT64, 1, 2, 4)) {
            assertThrows(Einsum4jException.class, () -> backend.gemm(a, b, bad, 0));
            assertThrows(Einsum4jException.class, () -> backend.gemm(a, b, c, 0.5));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void sumsIntoTheGivenOutputKeepingAxesInOrder(DType dt) {
        try (Tensor h = Tensor.random(dt, 5, 3, 4, 5); Tensor t = h.to(backend.device())) {
            boolean[][] flags = {{true, false, true}, {false, true, false}, {true, true, true}, {false, false, true}};
            for (boolean[] reduce : flags) {
                for (Tensor view : new Tensor[] {t, t.permute(2, 0, 1)}) {
                    int[] kept = java.util.stream.IntStream.range(0, 3).filter(i -> !reduce[i]).map(view::dim)
                            .toArray();
                    try (Tensor out = backend.empty(dt, kept)) {
                        backend.sum(view, reduce, out);
                        try (Tensor hv = view.to(Device.CPU)) {
                            double[] want = new double[(int) out.numel()];
                            for (int i = 0; i < hv.dim(0); i++) {
                                for (int j = 0; j < hv.dim(1); j++) {
                                    for (int l = 0; l < hv.dim(2); l++) {
                                        int[] idx = {i, j, l};
                                        int o = 0;
                                        for (int ax = 0; ax < 3; ax++) {
                                            if (!reduce[ax]) {
                                                o = o * hv.dim(ax) + idx[ax];
                                            }
                                        }
                                        want[o] += hv.get(i, j, l);
                                    }
                                }
                            }
                            double[] got = out.toDoubleArray();
                            for (int i = 0; i < want.length; i++) {
                                assertEquals(want[i], got[i], (dt == DType.FLOAT32 ? 1e-5 : 1e-12) * 60, "at " + i);
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void fillsScalesAndCopiesWithConversionAndBroadcast() {
        try (Tensor t = backend.empty(DType.FLOAT64, 2, 3)) {
            backend.fill(t, 1.5);
            backend.scale(t, -2);
            assertArrayEquals(new double[] {-3, -3, -3, -3, -3, -3}, t.toDoubleArray());
        }
        try (Tensor row = Tensor.of(new double[] {1.25, 2.5, 3.75}, 1, 3); Tensor drow = row.to(backend.device());
             Tensor out = backend.empty(DType.FLOAT32, 2, 3)) {
            backend.copy(drow.broadcastTo(2, 3), out);
            assertArrayEquals(new float[] {1.25f, 2.5f, 3.75f, 1.25f, 2.5f, 3.75f}, out.toFloatArray());
            try (Tensor longs = backend.empty(DType.INT64, 3, 2)) {
                backend.copy(out.transpose(), longs);
                assertArrayEquals(new long[] {1, 1, 2, 2, 3, 3}, longs.toLongArray());
            }
        }
    }
}
