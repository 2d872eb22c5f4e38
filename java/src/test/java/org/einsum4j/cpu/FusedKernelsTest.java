package org.einsum4j.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.einsum4j.Einsum;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The memory-bound kernels (row dots {@code ij,ij->i}, outer products {@code ni,nj->nij} and {@code i,j->ij},
 * diagonals, sums) through {@code Einsum.contract}, against the float64 oracle: contiguous, transposed, strided
 * and broadcast operands, sizes 0 and 1, sizes large enough to split over the cores. FLOAT32 and FLOAT64.
 */
class FusedKernelsTest {
    private static double tol(DType dt) {
        return dt == DType.FLOAT32 ? 1e-5 : 1e-12;
    }

    /** Contracts spec on each layout variant of the operands (made by {@code layouts}) and checks each result. */
    private static void check(String spec, DType dt, int[][] shapes) {
        List<Tensor> owned = new ArrayList<>();
        try {
            Tensor[] plain = new Tensor[shapes.length];
            Tensor[] transposed = new Tensor[shapes.length];
            Tensor[] strided = new Tensor[shapes.length];
            for (int i = 0; i < shapes.length; i++) {
                int[] s = shapes[i];
                plain[i] = keep(owned, Tensor.random(dt, 10 + i, s));
                // the same values held transposed in memory: a view with reversed strides
                int[] rev = new int[s.length];
                int[] perm = new int[s.length];
                for (int d = 0; d < s.length; d++) {
                    rev[d] = s[s.length - 1 - d];
                    perm[d] = s.length - 1 - d;
                }
                transposed[i] = keep(owned, plain[i].permute(perm).copy()).permute(perm);
                // every other element of a tensor twice as long in the last dimension
                if (s.length > 0) {
                    int[] wide = s.clone();
                    wide[s.length - 1] = Math.max(1, 2 * s[s.length - 1]);
                    Tensor w = keep(owned, Tensor.random(dt, 20 + i, wide));
                    strided[i] = s[s.length - 1] == 0 ? plain[i] : w.slice(s.length - 1, 0, wide[s.length - 1], 2);
                } else {
                    strided[i] = plain[i];
                }
            }
            for (Tensor[] ops : new Tensor[][] {plain, transposed, strided}) {
                try (Tensor got = Einsum.contract(spec, ops); Tensor want = ReferenceEinsum.evaluate(spec, ops)) {
                    Close.assertClose(want, got, tol(dt), spec + " " + dt);
                }
            }
        } finally {
            owned.forEach(Tensor::close);
        }
    }

    private static Tensor keep(List<Tensor> owned, Tensor t) {
        owned.add(t);
        return t;
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void rowDots(DType dt) {
        for (int[] s : new int[][] {{7, 5}, {1, 1}, {3, 1}, {1, 9}, {0, 4}, {4, 0}, {300, 257}}) {
            check("ij,ij->i", dt, new int[][] {s, s});
        }
        check("bij,bij->bi", dt, new int[][] {{3, 4, 33}, {3, 4, 33}});
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void outerProducts(DType dt) {
        for (int[] s : new int[][] {{5, 3, 4}, {1, 1, 1}, {0, 3, 4}, {2, 0, 4}, {2, 3, 0}, {40, 65, 130},
                {3, 4, 1030}}) {
            check("ni,nj->nij", dt, new int[][] {{s[0], s[1]}, {s[0], s[2]}});
        }
        for (int[] s : new int[][] {{4, 6}, {1, 1}, {0, 3}, {3, 0}, {700, 300}, {9, 1500}}) {
            check("i,j->ij", dt, new int[][] {{s[0]}, {s[1]}});
            check("i,j->ji", dt, new int[][] {{s[0]}, {s[1]}});
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void diagonalsAndSums(DType dt) {
        for (int n : new int[] {0, 1, 5, 300}) {
            check("ii->i", dt, new int[][] {{n, n}});
            check("ii->", dt, new int[][] {{n, n}});
            check("ij->i", dt, new int[][] {{n, 7}});
            check("ij->j", dt, new int[][] {{n, 7}});
            check("ijk->ik", dt, new int[][] {{3, n, 4}});
        }
    }

    /** Permuting copies (TransposeCopy's tiles): sizes off the tile size, 1 and 0, and large enough to split. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void permutations(DType dt) {
        for (int[] s : new int[][] {{3, 5, 7, 2}, {17, 1, 33, 16}, {16, 16, 16, 16}, {0, 3, 4, 5}, {1, 1, 1, 1},
                {2, 40, 3, 70}}) {
            check("abcd->dcba", dt, new int[][] {s});
            check("abcd->bdac", dt, new int[][] {s});
            check("abcd->acdb", dt, new int[][] {s});
        }
        check("ij->ji", dt, new int[][] {{300, 257}});
        check("ea,fb,abcd,gc,hd->efgh", dt, new int[][] {{5, 4}, {6, 4}, {4, 4, 4, 4}, {7, 4}, {3, 4}});
    }

    /** Broadcast operands (stride 0) into the row-dot and outer kernels. */
    @ParameterizedTest
    @ValueSource(strings = {"FLOAT32", "FLOAT64"})
    void broadcastOperands(String dtName) {
        DType dt = DType.valueOf(dtName);
        try (Tensor row = Tensor.random(dt, 1, 1, 9); Tensor m = Tensor.random(dt, 2, 6, 9);
             Tensor col = Tensor.random(dt, 3, 6, 1)) {
            Function<Tensor[], Void> same = ops -> {
                for (String spec : new String[] {"ij,ij->i", "ni,nj->nij"}) {
                    try (Tensor got = Einsum.contract(spec, ops); Tensor want = ReferenceEinsum.evaluate(spec, ops)) {
                        Close.assertClose(want, got, tol(dt), spec);
                    }
                }
                return null;
            };
            same.apply(new Tensor[] {row.broadcastTo(6, 9), m});
            same.apply(new Tensor[] {m, row.broadcastTo(6, 9)});
            same.apply(new Tensor[] {col.broadcastTo(6, 9), m});
            try (Tensor got = Einsum.contract("ij,ij->i", row.broadcastTo(6, 9), col.broadcastTo(6, 9))) {
                assertArrayEquals(new int[] {6}, got.dims());
            }
        }
    }
}
