package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.spec.ShapeMismatchException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * One expression called with operands of different stride layouts: a plan per layout, kept and bounded, each
 * result against the oracle.
 */
class ExpressionPlansTest {
    private static void check(ContractExpression e, Tensor... ops) {
        try (Tensor got = e.contract(ops); Tensor want = ReferenceEinsum.evaluate(e.spec(), ops)) {
            Close.assertClose(want, got, 1e-12, e.spec());
        }
    }

    @Test
    void contiguousAndTransposedOperandsGetTheirOwnPlans() {
        ContractExpression e = Einsum.expression("ij,jk->ik", ContractOptions.defaults(), DType.FLOAT64,
                new int[] {3, 4}, new int[] {4, 5});
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 3, 4); Tensor at = Tensor.random(DType.FLOAT64, 2, 4, 3);
             Tensor b = Tensor.random(DType.FLOAT64, 3, 4, 5); Tensor bt = Tensor.random(DType.FLOAT64, 4, 5, 4)) {
            check(e, a, b);
            assertEquals(0, e.layoutPlans());
            check(e, at.transpose(), b);
            assertEquals(1, e.layoutPlans());
            check(e, at.transpose(), b);
            assertEquals(1, e.layoutPlans());
            assertSame(e.planFor(new Tensor[] {at.transpose(), b}), e.planFor(new Tensor[] {at.transpose(), b}));
            check(e, a, bt.transpose());
            check(e, at.transpose(), bt.transpose());
            assertEquals(3, e.layoutPlans());
            check(e, a, b);
            assertEquals(3, e.layoutPlans());
        }
    }

    /** Stride-0 (broadcast) operand layouts, which the plan copies or reads in place, against the oracle. */
    @Test
    void broadcastViewsAsOperands() {
        ContractExpression e = Einsum.expression("abc,bcd->ad", ContractOptions.defaults(), DType.FLOAT64,
                new int[] {4, 3, 5}, new int[] {3, 5, 6});
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 4, 1, 5); Tensor b = Tensor.random(DType.FLOAT64, 2, 3, 5, 6);
             Tensor row = Tensor.random(DType.FLOAT64, 3, 6)) {
            check(e, a.broadcastTo(4, 3, 5), b);
            check(e, a.broadcastTo(4, 3, 5), row.broadcastTo(3, 5, 6));
            check(e, a.broadcastTo(4, 3, 5).permute(0, 1, 2), b.permute(0, 1, 2));
        }
    }

    @Test
    void layoutPlansAreBounded() {
        ContractExpression e = Einsum.expression("ij,j->i", ContractOptions.defaults(), DType.FLOAT64,
                new int[] {3, 4}, new int[] {4});
        try (Tensor v = Tensor.random(DType.FLOAT64, 9, 4)) {
            for (int step = 2; step < 2 + 2 * ContractExpression.MAX_PLANS; step++) {
                try (Tensor wide = Tensor.random(DType.FLOAT64, step, 3, 4 * step)) {
                    check(e, wide.slice(1, 0, 4 * step, step), v);
                }
            }
            assertEquals(ContractExpression.MAX_PLANS, e.layoutPlans());
        }
    }

    @Test
    void operandsAreCheckedOnceWithClearErrors() {
        ContractExpression e = Einsum.expression("ij,jk->ik", ContractOptions.defaults(), DType.FLOAT64,
                new int[] {3, 4}, new int[] {4, 5});
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 3, 4); Tensor b = Tensor.random(DType.FLOAT64, 2, 5, 4);
             Tensor f = Tensor.random(DType.FLOAT32, 3, 4, 5)) {
            assertThrows(ShapeMismatchException.class, () -> e.contract(a, b));
            assertThrows(InvalidOperandException.class, () -> e.contract(a, f));
            assertThrows(InvalidOperandException.class, () -> e.contract(a, null));
        }
    }
}
