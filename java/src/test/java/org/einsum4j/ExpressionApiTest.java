package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.spec.OperandCountException;
import org.einsum4j.spec.ShapeMismatchException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * opt_einsum's expression API: constants folded at compile time, results into a caller's {@code out}, and
 * intermediates shared inside a scope; each result against the float64 oracle, FLOAT32 and FLOAT64.
 */
class ExpressionApiTest {
    private static double tol(DType dt) {
        return dt == DType.FLOAT32 ? 1e-5 : 1e-12;
    }

    private static ContractExpression expr(String spec, DType dt, int[]... shapes) {
        return Einsum.expression(spec, ContractOptions.defaults().withOptimize("optimal"), dt, shapes);
    }

    // ---------------------------------------------------------------- constants

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void constantsAreFoldedAndTheRestTakesOnlyVariables(DType dt) {
        // E06's four-index transform: the four matrices constant, the core tensor variable
        String spec = "ea,fb,abcd,gc,hd->efgh";
        int[] m = {5, 4};
        int[] core = {4, 4, 4, 4};
        try (Tensor c1 = Tensor.random(dt, 1, m); Tensor c2 = Tensor.random(dt, 2, m); Tensor x = Tensor.random(dt, 3, core);
             Tensor c4 = Tensor.random(dt, 4, m); Tensor c5 = Tensor.random(dt, 5, m);
             Tensor want = ReferenceEinsum.evaluate(spec, c1, c2, x, c4, c5)) {
            ContractExpression e = expr(spec, dt, m, m, core, m, m).withConstants(Map.of(0, c1, 1, c2, 3, c4, 4, c5));
            assertEquals(1, e.operandShapes().length);
            try (Tensor got = e.contract(x)) {
                Close.assertClose(want, got, tol(dt), "constants " + dt);
            }
            // the expression holds copies: changing or closing the caller's constants changes nothing
            c1.set(42.0, 0, 0);
            try (Tensor got = e.contract(x)) {
                Close.assertClose(want, got, tol(dt), "constants after the caller's change " + dt);
            }
            assertThrows(OperandCountException.class, () -> e.contract(x, x));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void aConstantSubNetworkIsContractedOnce(DType dt) {
        // ab,bc are constant and contracted first by any path (the smallest step); cd varies
        String spec = "ab,bc,cd->ad";
        int[] a = {3, 40};
        int[] b = {40, 2};
        int[] c = {2, 6};
        try (Tensor x = Tensor.random(dt, 1, a); Tensor y = Tensor.random(dt, 2, b); Tensor z = Tensor.random(dt, 3, c);
             Tensor want = ReferenceEinsum.evaluate(spec, x, y, z)) {
            ContractExpression e = expr(spec, dt, a, b, c).withConstants(Map.of(0, x, 1, y));
            assertEquals(2, e.contraction().numInputs(), "the folded network: one intermediate and the variable");
            try (Tensor got = e.contract(z)) {
                Close.assertClose(want, got, tol(dt), spec);
            }
            // a variable in the middle, transposed
            ContractExpression mid = expr(spec, dt, a, b, c).withConstants(Map.of(0, x, 2, z));
            try (Tensor yt = y.transpose().copy(); Tensor got = mid.contract(yt.transpose())) {
                Close.assertClose(want, got, tol(dt), spec + " middle variable");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void everyOperandConstant(DType dt) {
        String spec = "ij,jk->ki";
        try (Tensor x = Tensor.random(dt, 1, 3, 4); Tensor y = Tensor.random(dt, 2, 4, 5);
             Tensor want = ReferenceEinsum.evaluate(spec, x, y)) {
            ContractExpression e = expr(spec, dt, new int[] {3, 4}, new int[] {4, 5}).withConstants(Map.of(0, x, 1, y));
            try (Tensor got = e.contract(); Tensor again = e.contract()) {
                Close.assertClose(want, got, tol(dt), "all constant");
                Close.assertClose(want, again, tol(dt), "all constant, again (a fresh copy)");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void constantsAreChecked(DType dt) {
        ContractExpression e = expr("ij,jk->ik", dt, new int[] {3, 4}, new int[] {4, 5});
        DType other = dt == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
        try (Tensor wrongShape = Tensor.random(dt, 1, 4, 3); Tensor wrongType = Tensor.random(other, 1, 3, 4)) {
            assertThrows(ShapeMismatchException.class, () -> e.withConstants(Map.of(0, wrongShape)));
            assertThrows(InvalidOperandException.class, () -> e.withConstants(Map.of(0, wrongType)));
            assertThrows(OperandCountException.class, () -> e.withConstants(Map.of(2, wrongShape)));
        }
    }

    // ---------------------------------------------------------------- out

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void resultsIntoTheCallersTensor(DType dt) {
        String[] specs = {"ij,jk->ik", "ij,jk->ki", "ij,ij->i", "ii->i", "ij->j", "ni,nj->nij", "ij,jk,kl->il", "ij->ij"};
        int[][][] shapes = {{{3, 4}, {4, 5}}, {{3, 4}, {4, 5}}, {{6, 7}, {6, 7}}, {{5, 5}}, {{4, 6}}, {{3, 4}, {3, 5}},
                {{2, 3}, {3, 4}, {4, 5}}, {{3, 2}}};
        for (int s = 0; s < specs.length; s++) {
            final int s2 = s;
            Tensor[] ops = new Tensor[shapes[s].length];
            for (int i = 0; i < ops.length; i++) {
                ops[i] = Tensor.random(dt, 7 + i, shapes[s][i]);
            }
            try (Tensor want = ReferenceEinsum.evaluate(specs[s], ops)) {
                int[] od = want.dims();
                // contiguous out: written by the last step itself
                try (Tensor out = Tensor.zeros(dt, od)) {
                    assertSame(out, Einsum.contractInto(specs[s], out, ops));
                    Close.assertClose(want, out, tol(dt), specs[s] + " into a contiguous out");
                }
                // a transposed out (dense, axes permuted): the result copied in through the permutation
                int[] rev = new int[od.length];
                int[] perm = new int[od.length];
                for (int d = 0; d < od.length; d++) {
                    rev[d] = od[od.length - 1 - d];
                    perm[d] = od.length - 1 - d;
                }
                try (Tensor base = Tensor.zeros(dt, rev)) {
                    Tensor out = base.permute(perm);
                    assertSame(out, Einsum.contractInto(specs[s], out, ops));
                    Close.assertClose(want, out, tol(dt), specs[s] + " into a transposed out");
                }
                // an out with gaps (every other element of a wider tensor) is refused before any work
                if (od.length > 0 && od[od.length - 1] > 1) {
                    int[] wide = od.clone();
                    wide[od.length - 1] *= 2;
                    try (Tensor base = Tensor.zeros(dt, wide)) {
                        Tensor out = base.slice(od.length - 1, 0, wide[od.length - 1], 2);
                        assertThrows(InvalidOperandException.class, () -> Einsum.contractInto(specs[s2], out, ops));
                        for (double g : base.toDoubleArray()) {
                            assertEquals(0.0, g, specs[s] + ": refused, yet written");
                        }
                    }
                }
            } finally {
                for (Tensor t : ops) {
                    t.close();
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void outIsCheckedBeforeWork(DType dt) {
        DType other = dt == DType.FLOAT32 ? DType.FLOAT64 : DType.FLOAT32;
        try (Tensor a = Tensor.random(dt, 1, 3, 4); Tensor b = Tensor.random(dt, 2, 4, 5);
             Tensor wrongShape = Tensor.zeros(dt, 5, 3); Tensor wrongType = Tensor.zeros(other, 3, 5);
             Tensor sq = Tensor.random(dt, 3, 4, 4)) {
            assertThrows(ShapeMismatchException.class, () -> Einsum.contractInto("ij,jk->ik", wrongShape, a, b));
            assertThrows(InvalidOperandException.class, () -> Einsum.contractInto("ij,jk->ik", wrongType, a, b));
            assertThrows(InvalidOperandException.class, () -> Einsum.contractInto("ij,jk->ik", null, a, b));
            // out aliasing an operand
            assertThrows(InvalidOperandException.class, () -> Einsum.contractInto("ij,jk->ik", sq, sq, sq));
            Tensor closed = Tensor.zeros(dt, 3, 5);
            closed.close();
            assertThrows(InvalidOperandException.class, () -> Einsum.contractInto("ij,jk->ik", closed, a, b));
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void zeroSizedResultIntoOut(DType dt) {
        try (Tensor a = Tensor.random(dt, 1, 3, 0); Tensor b = Tensor.random(dt, 2, 0, 5); Tensor out = Tensor.random(dt, 3, 3, 5)) {
            Einsum.contractInto("ij,jk->ik", out, a, b);
            for (double v : out.toDoubleArray()) {
                assertEquals(0.0, v);
            }
        }
    }

    // ---------------------------------------------------------------- shared intermediates

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void sharedIntermediatesComputeCommonStepsOnce(DType dt) {
        try (Tensor x = Tensor.random(dt, 1, 3, 40); Tensor y = Tensor.random(dt, 2, 40, 2);
             Tensor z = Tensor.random(dt, 3, 2, 6)) {
            String[] specs = {"ab,bc,cd->ad", "ab,bc,cd->a", "ab,bc,cd->d", "ab,bc,cd->ad"};
            try (SharedIntermediates scope = Einsum.sharedIntermediates()) {
                for (String spec : specs) {
                    try (Tensor got = Einsum.contract(spec, x, y, z); Tensor want = ReferenceEinsum.evaluate(spec, x, y, z)) {
                        Close.assertClose(want, got, tol(dt), spec + " in a scope");
                    }
                }
                // ab,bc (the cheapest first step) is computed once; the repeated spec reuses every step
                assertTrue(scope.hits() >= 3, "hits " + scope.hits());
                int misses = scope.misses();
                try (Tensor again = Einsum.contract("ab,bc,cd->ad", x, y, z)) {
                    assertEquals(misses, scope.misses(), "a repeated call computes nothing");
                }
                // other operand objects with the same shapes are not shared
                try (Tensor x2 = x.copy(); Tensor got = Einsum.contract("ab,bc,cd->ad", x2, y, z);
                     Tensor want = ReferenceEinsum.evaluate("ab,bc,cd->ad", x2, y, z)) {
                    Close.assertClose(want, got, tol(dt), "new operand object");
                    assertTrue(scope.misses() > misses);
                }
            }
            assertEquals(null, SharedIntermediates.current(), "the scope ended");
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void sharedScopeWithExpressionsConstantsAndOut(DType dt) {
        String spec = "ea,fb,abcd,gc,hd->efgh";
        int[] m = {3, 4};
        int[] core = {4, 4, 4, 4};
        try (Tensor c1 = Tensor.random(dt, 1, m); Tensor x = Tensor.random(dt, 3, core);
             Tensor want = ReferenceEinsum.evaluate(spec, c1, c1, x, c1, c1)) {
            ContractExpression e = expr(spec, dt, m, m, core, m, m);
            ContractExpression folded = e.withConstants(Map.of(0, c1, 1, c1));
            try (SharedIntermediates scope = Einsum.sharedIntermediates();
                 Tensor r1 = e.contract(c1, c1, x, c1, c1); Tensor r2 = e.contract(c1, c1, x, c1, c1);
                 Tensor r3 = folded.contract(x, c1, c1); Tensor out = Tensor.zeros(dt, 3, 3, 3, 3)) {
                Close.assertClose(want, r1, tol(dt), "scope 1");
                Close.assertClose(want, r2, tol(dt), "scope 2");
                Close.assertClose(want, r3, tol(dt), "scope, constants");
                folded.contractInto(out, x, c1, c1);
                Close.assertClose(want, out, tol(dt), "scope, out");
                assertTrue(scope.hits() > 0);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"FLOAT32", "FLOAT64"})
    void scopesNest(DType dt) {
        try (Tensor a = Tensor.random(dt, 1, 2, 3); Tensor b = Tensor.random(dt, 2, 3, 4)) {
            try (SharedIntermediates outer = Einsum.sharedIntermediates()) {
                try (SharedIntermediates inner = Einsum.sharedIntermediates()) {
                    assertSame(inner, SharedIntermediates.current());
                    Einsum.contract("ij,jk->ik", a, b).close();
                    assertEquals(1, inner.misses());
                }
                assertSame(outer, SharedIntermediates.current());
                try (Tensor r = Einsum.contract("ij,jk->ik", a, b)) {
                    assertArrayEquals(new int[] {2, 4}, r.dims());
                }
                assertEquals(1, outer.misses());
            }
        }
    }
}
