package org.einsum4j.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.einsum4j.spec.Contraction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

/**
 * The executor on hand-built contractions (independent of the parser), against a brute-force loop over all
 * label values, with random paths, random operand layouts (transposed views) and both dtypes.
 */
class ExecutorTest {

    /** Brute force: Σ over all label values of the product of the operands, per output index. */
    static double[] bruteForce(Contraction c, Tensor[] ops) {
        int nl = c.numLabels();
        int[] out = c.output();
        long outSize = 1;
        for (int l : out) {
            outSize *= c.size(l);
        }
        double[] r = new double[(int) outSize];
        int[] val = new int[nl];
        long total = 1;
        for (int l = 0; l < nl; l++) {
            total *= c.size(l);
        }
        for (long it = 0; it < total; it++) {
            long x = it;
            for (int l = nl - 1; l >= 0; l--) {
                val[l] = (int) (x % c.size(l));
                x /= c.size(l);
            }
            double p = 1;
            for (int i = 0; i < ops.length; i++) {
                int[] lab = c.input(i);
                int[] shp = c.shape(i);
                int[] idx = new int[lab.length];
                for (int d = 0; d < lab.length; d++) {
                    idx[d] = shp[d] == 1 ? 0 : val[lab[d]];
                }
                p *= ops[i].get(idx);
            }
            long o = 0;
            for (int l : out) {
                o = o * c.size(l) + val[l];
            }
            r[(int) o] += p;
        }
        return r;
    }

    private static Contraction contraction(String spec, int... sizesByLetter) {
        // letters only: "ij,jk->ik"; sizes given for labels in order of first appearance
        String[] io = spec.split("->", -1);
        String[] ins = io[0].split(",", -1);
        List<Character> seen = new ArrayList<>();
        for (char ch : io[0].toCharArray()) {
            if (ch != ',' && !seen.contains(ch)) {
                seen.add(ch);
            }
        }
        long[] sizes = new long[seen.size()];
        String[] sym = new String[seen.size()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = sizesByLetter[i];
            sym[i] = String.valueOf(seen.get(i));
        }
        int[][] inputs = new int[ins.length][];
        int[][] shapes = new int[ins.length][];
        for (int i = 0; i < ins.length; i++) {
            inputs[i] = new int[ins[i].length()];
            shapes[i] = new int[ins[i].length()];
            for (int d = 0; d < ins[i].length(); d++) {
                inputs[i][d] = seen.indexOf(ins[i].charAt(d));
                shapes[i][d] = (int) sizes[inputs[i][d]];
            }
        }
        int[] out = new int[io[1].length()];
        for (int d = 0; d < out.length; d++) {
            out[d] = seen.indexOf(io[1].charAt(d));
        }
        return new Contraction(inputs, out, sizes, shapes, sym);
    }

    private static void check(Contraction c, List<int[]> path, DType dt, long seed) {
        Random rnd = new Random(seed);
        Tensor[] ops = new Tensor[c.numInputs()];
        Tensor[] bases = new Tensor[ops.length];
        try {
            for (int i = 0; i < ops.length; i++) {
                int[] shp = c.shape(i);
                if (shp.length >= 2 && rnd.nextBoolean()) {
                    // a transposed view: same logical shape, non-contiguous strides
                    int[] rev = new int[shp.length];
                    int[] perm = new int[shp.length];
                    for (int d = 0; d < shp.length; d++) {
                        rev[d] = shp[shp.length - 1 - d];
                        perm[d] = shp.length - 1 - d;
                    }
                    bases[i] = Tensor.random(dt, seed + i, rev);
                    ops[i] = bases[i].permute(perm);
                } else {
                    bases[i] = Tensor.random(dt, seed + i, shp);
                    ops[i] = bases[i];
                }
            }
            double[] want = bruteForce(c, ops);
            try (Tensor got = UnderTest.apply(o -> Executor.run(c, path, UnderTest.backend(), o), ops)) {
                assertEquals(dt, got.dtype());
                double[] g = got.toDoubleArray();
                assertEquals(want.length, g.length);
                double tol = dt == DType.FLOAT32 ? 1e-4 : 1e-10;
                for (int i = 0; i < g.length; i++) {
                    assertEquals(want[i], g[i], tol * (1 + Math.abs(want[i])), c + " path " + fmt(path) + " at " + i);
                }
            }
        } finally {
            for (Tensor t : bases) {
                if (t != null) {
                    t.close();
                }
            }
        }
    }

    private static String fmt(List<int[]> path) {
        StringBuilder sb = new StringBuilder();
        for (int[] s : path) {
            sb.append(java.util.Arrays.toString(s));
        }
        return sb.toString();
    }

    private static List<int[]> randomPath(int n, Random r) {
        List<int[]> p = new ArrayList<>();
        while (n > 1) {
            int i = r.nextInt(n);
            int j = r.nextInt(n - 1);
            if (j >= i) {
                j++;
            }
            p.add(new int[] {i, j});
            n--;
        }
        return p;
    }

    @Test
    void matmulAndFriends() {
        check(contraction("ij,jk->ik", 5, 7, 3), List.of(new int[] {0, 1}), DType.FLOAT64, 1);
        check(contraction("bij,bjk->bik", 4, 5, 70, 3), List.of(new int[] {0, 1}), DType.FLOAT32, 2);
        check(contraction("ij,ij->i", 9, 13), List.of(new int[] {0, 1}), DType.FLOAT32, 3);
        check(contraction("i,j->ij", 9, 13), List.of(new int[] {0, 1}), DType.FLOAT64, 4);
        check(contraction("ij->ji", 9, 13), List.of(new int[] {0}), DType.FLOAT64, 5);
        check(contraction("ij->", 9, 13), List.of(new int[] {0}), DType.FLOAT32, 6);
        check(contraction("abc,cd,de,ef,fa->be", 3, 4, 5, 6, 7, 2), randomPath(5, new Random(7)), DType.FLOAT64, 7);
    }

    @Test
    void largeGemmsAreSplitIntoRowBlocksAcrossThreads() {
        // large enough (> 2^18 multiply-adds) for the row-block split; seeds give transposed and plain layouts
        for (long seed = 20; seed < 24; seed++) {
            check(contraction("ij,jk->ik", 130, 70, 40), List.of(new int[] {0, 1}), DType.FLOAT32, seed);
            check(contraction("ij,jk->ik", 130, 70, 40), List.of(new int[] {0, 1}), DType.FLOAT64, seed);
        }
        // split-k accumulation: (k, q) cannot be merged without a copy, so k becomes an accumulated loop
        check(contraction("nkoq,nkpq->nop", 2, 3, 40, 50, 60), List.of(new int[] {0, 1}), DType.FLOAT64, 30);
    }

    @Test
    void stepsOverThreeOrMoreOperands() {
        check(contraction("abc,cd,de,ef,fa->be", 3, 4, 5, 6, 7, 2), List.of(new int[] {0, 1, 2, 3, 4}), DType.FLOAT64, 40);
        check(contraction("abc,cd,de,ef,fa->be", 3, 4, 5, 6, 7, 2), List.of(new int[] {1, 3}, new int[] {0, 1, 2, 3}),
                DType.FLOAT32, 41);
        check(contraction("ij,jk,kl->il", 5, 6, 7, 8), List.of(new int[] {2, 0, 1}), DType.FLOAT64, 42);
    }

    @Test
    void diagonalAndTrace() {
        check(contraction("ii->i", 6), List.of(new int[] {0}), DType.FLOAT64, 8);
        check(contraction("ii->", 6), List.of(new int[] {0}), DType.FLOAT32, 9);
        check(contraction("iij,jk->ik", 4, 5, 6), List.of(new int[] {0, 1}), DType.FLOAT64, 10);
    }

    @Test
    void broadcastDimensionOfSizeOne() {
        Contraction c = new Contraction(new int[][] {{0, 1}, {0, 1}}, new int[] {0, 1}, new long[] {3, 4},
                new int[][] {{3, 1}, {3, 4}}, new String[] {"i", "j"});
        check(c, List.of(new int[] {0, 1}), DType.FLOAT64, 11);
        Contraction d = new Contraction(new int[][] {{0, 1}, {1, 2}}, new int[] {0, 2}, new long[] {3, 4, 5},
                new int[][] {{3, 1}, {4, 5}}, new String[] {"i", "j", "k"});
        check(d, List.of(new int[] {0, 1}), DType.FLOAT32, 12);
    }

    @Test
    void zeroSizedLabelGivesZeros() {
        check(contraction("ij,jk->ik", 3, 0, 4), List.of(new int[] {0, 1}), DType.FLOAT64, 13);
        check(contraction("ij,jk->ik", 0, 2, 4), List.of(new int[] {0, 1}), DType.FLOAT64, 14);
    }

    @RepeatedTest(60)
    void randomNetworksWithRandomPaths(org.junit.jupiter.api.RepetitionInfo info) {
        Random r = new Random(1000 + info.getCurrentRepetition());
        int nOps = 1 + r.nextInt(5);
        int nLabels = 1 + r.nextInt(6);
        long[] sizes = new long[nLabels];
        String[] sym = new String[nLabels];
        for (int l = 0; l < nLabels; l++) {
            sizes[l] = 1 + r.nextInt(4);
            sym[l] = String.valueOf((char) ('a' + l));
        }
        int[][] inputs = new int[nOps][];
        int[][] shapes = new int[nOps][];
        boolean[] used = new boolean[nLabels];
        for (int i = 0; i < nOps; i++) {
            int rank = r.nextInt(4);
            inputs[i] = new int[rank];
            shapes[i] = new int[rank];
            for (int d = 0; d < rank; d++) {
                inputs[i][d] = r.nextInt(nLabels);
                used[inputs[i][d]] = true;
            }
            for (int d = 0; d < rank; d++) {
                // repeated labels within an operand share the size; otherwise sometimes broadcast (size 1)
                boolean repeated = false;
                for (int e = 0; e < rank; e++) {
                    repeated |= e != d && inputs[i][e] == inputs[i][d];
                }
                shapes[i][d] = !repeated && r.nextInt(5) == 0 ? 1 : (int) sizes[inputs[i][d]];
            }
        }
        List<Integer> outL = new ArrayList<>();
        for (int l = 0; l < nLabels; l++) {
            if (used[l] && r.nextBoolean()) {
                outL.add(l);
            }
        }
        java.util.Collections.shuffle(outL, r);
        int[] out = outL.stream().mapToInt(Integer::intValue).toArray();
        // a label's size is the largest of its operand dims (broadcast); unused labels keep theirs
        long[] eff = new long[nLabels];
        java.util.Arrays.fill(eff, 1);
        for (int i = 0; i < nOps; i++) {
            for (int d = 0; d < inputs[i].length; d++) {
                eff[inputs[i][d]] = Math.max(eff[inputs[i][d]], shapes[i][d]);
            }
        }
        Contraction c = new Contraction(inputs, out, eff, shapes, sym);
        check(c, randomPath(nOps, r), r.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64, r.nextLong());
    }

    @Test
    void resultIsOwnedAndContiguous() {
        Contraction c = contraction("ij,jk->ki", 3, 4, 5);
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 3, 4); Tensor b = Tensor.random(DType.FLOAT64, 2, 4, 5);
             Tensor r = UnderTest.apply(o -> Executor.run(c, List.of(new int[] {0, 1}), UnderTest.backend(), o), a, b)) {
            assertArrayEquals(new int[] {5, 3}, r.dims());
            org.junit.jupiter.api.Assertions.assertTrue(r.ownsMemory());
            org.junit.jupiter.api.Assertions.assertTrue(r.isContiguous());
        }
    }
}
