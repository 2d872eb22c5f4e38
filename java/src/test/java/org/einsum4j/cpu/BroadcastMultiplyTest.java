package org.einsum4j.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;

import org.einsum4j.Backend;
import org.einsum4j.Einsum4jException;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

/**
 * {@code Backend.multiply} on the CPU called directly: every loop nest of {@link BroadcastMultiply} (output pieces
 * with and without a reduction, reductions split by rows, a full reduction, a scalar space, both operands
 * broadcast along the inner axis) and the 16-bit types, against the float64 oracle; bad operands rejected.
 */
class BroadcastMultiplyTest {
    private final Backend cpu = Backend.cpu();

    private static double tol(DType dt) {
        return switch (dt) {
            case FLOAT64 -> 1e-13;
            case FLOAT32 -> 2e-6;
            default -> 1e-2;
        };
    }

    /** multiply(a, b viewed with bStrides over a's dims, reduce) against the oracle's spec. */
    private void check(String spec, DType dt, int[] dims, long[] bStrides, int bLength, boolean[] reduce,
                       int[] outDims) {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, dims).to(dt); Tensor bb = Tensor.random(DType.FLOAT64, 2,
                bLength).to(dt); Tensor out = cpu.empty(dt, outDims)) {
            Tensor b = bb.asStrided(dims, bStrides, 0);
            cpu.multiply(a, b, reduce, out);
            try (Tensor want = ReferenceEinsum.evaluate(spec, a, b)) {
                Close.assertClose(want, out, tol(dt), spec + " " + dt);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void everyLoopNestMatchesTheOracle(DType dt) {
        if (dt == DType.INT64) {
            return;
        }
        // element-wise, output pieces over the cores
        check("ij,ij->ij", dt, new int[] {300, 700}, new long[] {700, 1}, 300 * 700, new boolean[2],
                new int[] {300, 700});
        // a broadcast row, b transposed
        check("ij,ij->ij", dt, new int[] {300, 70}, new long[] {1, 300}, 300 * 70, new boolean[2],
                new int[] {300, 70});
        check("ij,ij->ij", dt, new int[] {300, 700}, new long[] {0, 1}, 700, new boolean[2], new int[] {300, 700});
        // a reduction split by rows, and one over output pieces (few rows)
        check("ij,ij->j", dt, new int[] {500, 700}, new long[] {700, 1}, 500 * 700, new boolean[] {true, false},
                new int[] {700});
        check("ij,ij->j", dt, new int[] {3, 700}, new long[] {700, 1}, 3 * 700, new boolean[] {true, false},
                new int[] {700});
        // the inner axis reduced: no output axis left
        check("ij,ij->", dt, new int[] {30, 700}, new long[] {1, 30}, 30 * 700, new boolean[] {true, true},
                new int[0]);
        // b a scalar along the inner (reduced) axis and along the kept one
        check("ij,ij->i", dt, new int[] {30, 700}, new long[] {1, 0}, 30, new boolean[] {false, true},
                new int[] {30});
        check("ij,ij->j", dt, new int[] {30, 700}, new long[] {1, 0}, 30, new boolean[] {true, false},
                new int[] {700});
        // an empty reduction is zero
        check("ij,ij->j", dt, new int[] {0, 7}, new long[] {7, 1}, 0, new boolean[] {true, false}, new int[] {7});
    }

    @Test
    void aScalarSpaceAndBothOperandsBroadcastAlongTheInnerAxis() {
        try (Tensor a = Tensor.of(new double[] {3}, 1); Tensor b = Tensor.of(new double[] {-2}, 1);
             Tensor out = cpu.empty(DType.FLOAT64, 4, 5)) {
            Tensor av = a.asStrided(new int[] {4, 5}, new long[] {0, 0}, 0);
            Tensor bv = b.asStrided(new int[] {4, 5}, new long[] {0, 0}, 0);
            cpu.multiply(av, bv, new boolean[2], out);
            try (Tensor want = ReferenceEinsum.evaluate("ij,ij->ij", av, bv)) {
                Close.assertClose(want, out, 0, "both broadcast");
            }
            try (Tensor s = cpu.empty(DType.FLOAT64); Tensor as = a.asStrided(new int[0], new long[0], 0);
                 Tensor bs = b.asStrided(new int[0], new long[0], 0)) {
                cpu.multiply(as, bs, new boolean[0], s);
                Close.assertClose(Tensor.scalar(-6, DType.FLOAT64), s, 0, "scalars");
            }
        }
    }

    @Test
    void rejectsOperandsThatDoNotFit() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 4, 6); Tensor b = Tensor.random(DType.FLOAT32, 2, 6, 4);
             Tensor d = Tensor.random(DType.FLOAT64, 3, 4, 6); Tensor out = cpu.empty(DType.FLOAT32, 4, 6);
             Tensor idx = Tensor.ofLongs(new long[24], 4, 6)) {
            assertThrows(Einsum4jException.class, () -> cpu.multiply(a, b, new boolean[2], out));
            assertThrows(Einsum4jException.class, () -> cpu.multiply(a, d, new boolean[2], out));
            assertThrows(Einsum4jException.class, () -> cpu.multiply(a, a, new boolean[3], out));
            assertThrows(Einsum4jException.class, () -> cpu.multiply(a, a, new boolean[] {false, true}, out));
            assertThrows(Einsum4jException.class, () -> cpu.multiply(a, a, new boolean[2], out.transpose()));
            assertThrows(Einsum4jException.class, () -> cpu.multiply(idx, idx, new boolean[2], idx));
        }
    }
}
