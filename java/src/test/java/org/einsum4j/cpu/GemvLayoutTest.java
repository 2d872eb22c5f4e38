package org.einsum4j.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.einsum4j.Einsum;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * GEMM steps with m = 1 or n = 1, which the CPU backend runs as BLAS matrix-vector products: the matrix in both BLAS
 * layouts (row-major and transposed, with a leading dimension larger than its rows), the vector contiguous, strided
 * and (through a broadcast batch) shared, 3-d and 4-d (r-split) operands, against direct loops; and the
 * contractions that produce such steps through {@code Einsum.contract}, against the float64 oracle, FLOAT32 and
 * FLOAT64.
 */
class GemvLayoutTest {
    private static double tol(DType dt) {
        return dt == DType.FLOAT32 ? 1e-5 : 1e-12;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void matrixVectorLayoutsAgainstDirectLoops(DType dt) {
        int batch = 3;
        int r = 2;
        int k = 19;
        int len = 11;
        List<Tensor> owned = new ArrayList<>();
        try {
            // the matrix [batch, r, k, len]: contiguous; transposed in memory; rows padded (ld > cols)
            Tensor plain = keep(owned, Tensor.random(dt, 1, batch, r, k, len));
            Tensor transposed = keep(owned, Tensor.random(dt, 2, batch, r, len, k)).permute(0, 1, 3, 2);
            Tensor padded = keep(owned, Tensor.random(dt, 3, batch, r, k, len + 5)).slice(3, 0, len);
            // the vector [batch, r, 1, k]: contiguous; every third element; one vector shared by the batch (stride 0)
            Tensor vec = keep(owned, Tensor.random(dt, 4, batch, r, 1, k));
            Tensor strided = keep(owned, Tensor.random(dt, 5, batch, r, 1, 3 * k)).slice(3, 0, 3 * k, 3);
            Tensor one = keep(owned, Tensor.random(dt, 6, 1, r, 1, k));
            Tensor shared = one.asStrided(new int[] {batch, r, 1, k}, new long[] {0, one.stride(1), k, 1}, 0);
            for (Tensor mat : new Tensor[] {plain, transposed, padded}) {
                for (Tensor v : new Tensor[] {vec, strided, shared}) {
                    for (int rr : new int[] {1, r}) {
                        Tensor m4 = mat.slice(1, 0, rr);
                        Tensor v4 = v.slice(1, 0, rr);
                        // row vector times matrix: C [batch, 1, len]
                        try (Tensor c = Tensor.empty(dt, batch, 1, len)) {
                            CpuBackend.INSTANCE.gemm(rr == 1 ? squeeze1(v4) : v4, rr == 1 ? squeeze1(m4) : m4, c, 0);
                            for (int b = 0; b < batch; b++) {
                                for (int j = 0; j < len; j++) {
                                    double s = 0;
                                    for (int q = 0; q < rr; q++) {
                                        for (int l = 0; l < k; l++) {
                                            s += v4.get(b, q, 0, l) * m4.get(b, q, l, j);
                                        }
                                    }
                                    assertEquals(s, c.get(b, 0, j), tol(dt) * (1 + Math.abs(s)) * k, "x·M at " + b);
                                }
                            }
                        }
                        // matrix times column vector: Mᵀ [batch, len, k] · v [batch, k, 1] = C [batch, len, 1]
                        Tensor mt = m4.permute(0, 1, 3, 2);
                        Tensor vt = v4.permute(0, 1, 3, 2);
                        try (Tensor c = Tensor.empty(dt, batch, len, 1)) {
                            CpuBackend.INSTANCE.gemm(rr == 1 ? squeeze1(mt) : mt, rr == 1 ? squeeze1(vt) : vt, c, 0);
                            for (int b = 0; b < batch; b++) {
                                for (int j = 0; j < len; j++) {
                                    double s = 0;
                                    for (int q = 0; q < rr; q++) {
                                        for (int l = 0; l < k; l++) {
                                            s += mt.get(b, q, j, l) * vt.get(b, q, l, 0);
                                        }
                                    }
                                    assertEquals(s, c.get(b, j, 0), tol(dt) * (1 + Math.abs(s)) * k, "M·x at " + b);
                                }
                            }
                        }
                    }
                }
            }
        } finally {
            owned.forEach(Tensor::close);
        }
    }

    /** Contractions whose steps are matrix-vector products (E14 of the einsum suite among them). */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void contractionsWithMatrixVectorStepsAgainstTheOracle(DType dt) {
        String[] specs = {"bn,anm,bm->ba", "ij,j->i", "i,ij->j", "bij,bj->bi", "bi,bij->bj", "bij,bj->ib",
            "abc,c->ab", "c,abc->ba"};
        int[][][] shapes = {{{5, 7}, {4, 7, 6}, {5, 6}}, {{9, 13}, {13}}, {{9}, {9, 13}}, {{3, 8, 5}, {3, 5}},
            {{3, 8}, {3, 8, 5}}, {{3, 8, 5}, {3, 5}}, {{4, 5, 6}, {6}}, {{6}, {4, 5, 6}}};
        for (int s = 0; s < specs.length; s++) {
            List<Tensor> owned = new ArrayList<>();
            try {
                int n = shapes[s].length;
                Tensor[] plain = new Tensor[n];
                Tensor[] reversed = new Tensor[n];
                Tensor[] strided = new Tensor[n];
                for (int i = 0; i < n; i++) {
                    int[] d = shapes[s][i];
                    plain[i] = keep(owned, Tensor.random(dt, 30 + i, d));
                    int[] perm = new int[d.length];
                    for (int q = 0; q < d.length; q++) {
                        perm[q] = d.length - 1 - q;
                    }
                    reversed[i] = keep(owned, plain[i].permute(perm).copy()).permute(perm);
                    int[] wide = d.clone();
                    wide[0] = 2 * d[0];
                    strided[i] = keep(owned, Tensor.random(dt, 40 + i, wide)).slice(0, 0, 2 * d[0], 2);
                }
                for (Tensor[] ops : new Tensor[][] {plain, reversed, strided}) {
                    try (Tensor got = Einsum.contract(specs[s], ops);
                         Tensor want = ReferenceEinsum.evaluate(specs[s], ops)) {
                        Close.assertClose(want, got, tol(dt), specs[s] + " " + dt);
                    }
                }
            } finally {
                owned.forEach(Tensor::close);
            }
        }
    }

    private static Tensor squeeze1(Tensor t) {
        return t.asStrided(new int[] {t.dim(0), t.dim(2), t.dim(3)}, new long[] {t.stride(0), t.stride(2), t.stride(3)},
                t.offset());
    }

    private static Tensor keep(List<Tensor> owned, Tensor t) {
        owned.add(t);
        return t;
    }
}
