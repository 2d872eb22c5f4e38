package org.einsum4j.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.einsum4j.Backend;
import org.einsum4j.ContractOptions;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.path.Planner;
import org.einsum4j.spec.Contraction;
import org.einsum4j.spec.EinsumSpec;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pairwise steps that are element-wise or broadcast products or Hadamard-and-reduce over a non-unit-stride axis
 * ({@link Step.Multiply}): every result against the float64 oracle on the device under test, for contiguous,
 * transposed, strided and broadcast (stride-0) operands, sizes 0 and 1, ellipses and as intermediates of longer
 * paths; and the plans themselves (no GEMM, no final copy, the bytes they plan for).
 */
class MultiplyStepTest {
    private static double tol(DType dt) {
        return dt == DType.FLOAT32 ? 2e-6 : 1e-13;
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        Object[][] specs = {
            {"ij,ij->ij", new int[][] {{300, 700}, {300, 700}}},
            {"i,i->i", new int[][] {{100_003}, {100_003}}},
            {"ij,j->ij", new int[][] {{300, 700}, {700}}},
            {"j,ij->ij", new int[][] {{700}, {300, 700}}},
            {"ijk,ik->ijk", new int[][] {{8, 40, 300}, {8, 300}}},
            {"n,pnq->pnq", new int[][] {{40}, {6, 40, 300}}},
            {"ij,ij->j", new int[][] {{500, 700}, {500, 700}}},
            {"ij,ij->ji", new int[][] {{50, 70}, {50, 70}}},
            {"ij,ji->j", new int[][] {{50, 70}, {70, 50}}},
            {"ijk,ijk->j", new int[][] {{9, 300, 7}, {9, 300, 7}}},
            {"ijk,ijk->jk", new int[][] {{3, 400, 400}, {3, 400, 400}}},
            {"ij,ij->j", new int[][] {{3, 70}, {3, 70}}},
            {"ijk,ik->j", new int[][] {{9, 30, 7}, {9, 7}}},
            {"ij,ji->", new int[][] {{50, 70}, {70, 50}}},
            {"ij,ij->ij", new int[][] {{1, 700}, {1, 700}}},
            {"ij,j->ij", new int[][] {{300, 1}, {1}}},
            {"ij,j->ij", new int[][] {{300, 5}, {1}}},
            {"ij,ij->ij", new int[][] {{0, 5}, {0, 5}}},
            {"ij,ij->j", new int[][] {{0, 5}, {0, 5}}},
            {",ij->ij", new int[][] {{}, {30, 70}}},
            {"...i,...i->...i", new int[][] {{3, 4, 500}, {3, 4, 500}}},
            {"...j,j->...j", new int[][] {{3, 4, 500}, {500}}},
            {"ij,ij,jk->ik", new int[][] {{30, 40}, {30, 40}, {40, 20}}},
            {"ij,j,jk->ik", new int[][] {{30, 40}, {40}, {40, 20}}},
            {"ij,ij,j->j", new int[][] {{300, 400}, {300, 400}, {400}}},
            {"nk,nk,pnq->pq", new int[][] {{20, 3}, {20, 3}, {4, 20, 30}}},
            {"ij,jk->ijk", new int[][] {{30, 20}, {20, 70}}},
            {"bi,bj->ibj", new int[][] {{5, 30}, {5, 70}}},
            {"bi,bj->jib", new int[][] {{5, 30}, {5, 70}}},
            {"ij,jk,kl->ijl", new int[][] {{6, 5}, {5, 7}, {7, 9}}},
        };
        for (Object[] s : specs) {
            for (DType dt : new DType[] {DType.FLOAT32, DType.FLOAT64}) {
                cases.add(Arguments.of(s[0], s[1], dt));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource("cases")
    void matchesTheOracleOnEveryLayout(String spec, int[][] shapes, DType dt) {
        List<Tensor> owned = new ArrayList<>();
        try {
            for (Tensor[] ops : layouts(shapes, dt, owned)) {
                try (Tensor got = UnderTest.contract(spec, ops); Tensor want = ReferenceEinsum.evaluate(spec, ops)) {
                    Close.assertClose(want, got, tol(dt), spec + " " + dt);
                }
            }
        } finally {
            owned.forEach(Tensor::close);
        }
    }

    /**
     * The operands contiguous, held transposed in memory, every other element of a larger tensor, and (for each
     * operand of rank ≥ 2) with its first axis a stride-0 broadcast of one row.
     */
    private static List<Tensor[]> layouts(int[][] shapes, DType dt, List<Tensor> owned) {
        int n = shapes.length;
        Tensor[] plain = new Tensor[n];
        Tensor[] transposed = new Tensor[n];
        Tensor[] strided = new Tensor[n];
        Tensor[] broadcast = new Tensor[n];
        for (int i = 0; i < n; i++) {
            int[] s = shapes[i];
            int r = s.length;
            plain[i] = keep(owned, Tensor.random(dt, 10 + i, s));
            int[] perm = new int[r];
            for (int d = 0; d < r; d++) {
                perm[d] = r - 1 - d;
            }
            transposed[i] = keep(owned, plain[i].permute(perm).copy()).permute(perm);
            if (r > 0 && s[r - 1] > 0) {
                int[] wide = s.clone();
                wide[r - 1] = 2 * s[r - 1];
                strided[i] = keep(owned, Tensor.random(dt, 20 + i, wide)).slice(r - 1, 0, wide[r - 1], 2);
            } else {
                strided[i] = plain[i];
            }
            if (r >= 2 && s[0] > 0) {
                long[] st = plain[i].strides();
                st[0] = 0;
                broadcast[i] = plain[i].asStrided(s, st, 0);
            } else {
                broadcast[i] = plain[i];
            }
        }
        return List.of(plain, transposed, strided, broadcast);
    }

    private static Tensor keep(List<Tensor> owned, Tensor t) {
        owned.add(t);
        return t;
    }

    private static Plan compile(String spec, Tensor... ops) {
        int[][] shapes = new int[ops.length][];
        for (int i = 0; i < ops.length; i++) {
            shapes[i] = ops[i].dims();
        }
        Contraction c = EinsumSpec.parse(spec).bind(shapes);
        return Plan.compile(c, Planner.plan(c, ContractOptions.defaults()), ops[0].dtype(), Plan.stridesOf(ops),
                Backend.cpu());
    }

    @Test
    void hadamardProductIsOneMultiplyWrittenInOutputOrder() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 64, 48); Tensor b = Tensor.random(DType.FLOAT32, 2, 64, 48)) {
            Plan p = compile("ij,ij->ij", a, b);
            assertEquals(2, p.steps().size(), p.toString());
            Step.Multiply m = assertInstanceOf(Step.Multiply.class, p.steps().get(0));
            assertEquals(0, m.reduce().length == 0 ? 0 : count(m.reduce()));
            assertTrue(assertInstanceOf(Step.Output.class, p.steps().get(1)).inPlace(), p.toString());
            assertEquals(0, p.copies());
            assertEquals(0, p.workspaceBytes());
            assertEquals(64L * 48 * 4, p.peakBytes());
            try (Tensor got = p.execute(new Tensor[] {a, b}); Tensor want = ReferenceEinsum.evaluate("ij,ij->ij", a, b)) {
                Close.assertClose(want, got, 1e-7, "ij,ij->ij");
            }
        }
    }

    @Test
    void transposedOutputIsWrittenByTheMultiplyNotCopied() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 64, 48); Tensor b = Tensor.random(DType.FLOAT64, 2, 48)) {
            Plan p = compile("ij,j->ji", a, b);
            assertInstanceOf(Step.Multiply.class, p.steps().get(0));
            assertTrue(assertInstanceOf(Step.Output.class, p.steps().get(1)).inPlace(), p.toString());
            try (Tensor got = p.execute(new Tensor[] {a, b}); Tensor want = ReferenceEinsum.evaluate("ij,j->ji", a, b)) {
                Close.assertClose(want, got, 1e-13, "ij,j->ji");
            }
        }
    }

    @Test
    void columnSumOfProductsIsAMultiplyAndRowDotsStayAGemm() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 64, 48); Tensor b = Tensor.random(DType.FLOAT32, 2, 64, 48)) {
            Plan cols = compile("ij,ij->j", a, b);
            Step.Multiply m = assertInstanceOf(Step.Multiply.class, cols.steps().get(0), cols.toString());
            assertEquals(1, count(m.reduce()));
            assertEquals(48L * 4, cols.peakBytes());
            Plan rows = compile("ij,ij->i", a, b);
            assertInstanceOf(Step.Gemm.class, rows.steps().get(0), rows.toString());
        }
    }

    @Test
    void outerProductsAndMatrixProductsStayGemms() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 8, 5); Tensor b = Tensor.random(DType.FLOAT32, 2, 8, 6)) {
            assertInstanceOf(Step.Gemm.class, compile("ni,nj->nij", a, b).steps().get(0));
            assertInstanceOf(Step.Gemm.class, compile("ni,nj->ij", a, b).steps().get(0));
            // an outer product in GEMM order, either orientation, stays on the fused outer kernel
            assertInstanceOf(Step.Gemm.class, compile("ni,nj->nji", a, b).steps().get(0));
        }
    }

    @Test
    void anOuterProductWhoseOutputOrderNoGemmGivesIsAMultiplyWithoutACopy() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 30, 20); Tensor b = Tensor.random(DType.FLOAT32, 2, 20, 70)) {
            Plan p = compile("ij,jk->ijk", a, b);
            assertInstanceOf(Step.Multiply.class, p.steps().get(0), p.toString());
            assertTrue(assertInstanceOf(Step.Output.class, p.steps().get(1)).inPlace(), p.toString());
            try (Tensor got = p.execute(new Tensor[] {a, b});
                 Tensor want = ReferenceEinsum.evaluate("ij,jk->ijk", a, b)) {
                Close.assertClose(want, got, 2e-6, "ij,jk->ijk");
            }
        }
    }

    @Test
    void halfTypesKeepTheGemmPath() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 8, 5).to(DType.FLOAT16);
             Tensor b = Tensor.random(DType.FLOAT32, 2, 8, 5).to(DType.FLOAT16)) {
            assertInstanceOf(Step.Gemm.class, compile("ij,ij->ij", a, b).steps().get(0));
        }
    }

    @Test
    void anIntermediateProductIsCountedLiveUntilItsUse() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 30, 40); Tensor b = Tensor.random(DType.FLOAT64, 2, 30, 40);
             Tensor c = Tensor.random(DType.FLOAT64, 3, 40, 20)) {
            Plan p = compile("ij,ij,jk->ik", a, b, c);
            Step.Multiply m = assertInstanceOf(Step.Multiply.class, p.steps().get(0), p.toString());
            assertEquals(1, m.free().length == 0 ? 1 : 0);
            // the 30×40 product and the 30×20 result are live together
            assertEquals((30L * 40 + 30L * 20) * 8, p.peakBytes(), p.toString());
        }
    }

    private static int count(boolean[] flags) {
        int n = 0;
        for (boolean f : flags) {
            n += f ? 1 : 0;
        }
        return n;
    }
}
