package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.einsum4j.oracle.GoldenCases;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HalfFloats;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;
import org.junit.jupiter.api.Test;

/**
 * FLOAT16 and BFLOAT16 contractions against the float64 oracle run on the same (already 16-bit) operands, on the
 * device under test ({@code -Deinsum4j.test.device=cuda:0} in native/check/device-run.sh: cuBLAS with
 * CUBLAS_COMPUTE_32F and the 16-bit kernels). Every
 * kernel computes in float32 and rounds its result once to the storage type; a multi-step path stores its
 * intermediates in the storage type too (as torch.einsum does), so each step adds one rounding. The bound is
 * componentwise, relative to the contraction of the operands' magnitudes (the scale the rounding errors are
 * proportional to, so cancellation in the exact result cannot fail a correct kernel):
 * {@code |got − exact| ≤ tol · (|A|·|B|…) + tiny}, tol = {@value #HALF_TOL} for FLOAT16 (unit roundoff 2⁻¹¹ ≈
 * 4.9e-4, two roundings) and {@value #BF16_TOL} for BFLOAT16 (2⁻⁸ ≈ 3.9e-3, two roundings); tiny = 1e-6 covers
 * results in float16's subnormal range (below 6.1e-5, absolute spacing 6e-8). README
 * "FLOAT16 and BFLOAT16" documents the same bounds.
 */
class HalfContractTest {
    static final double HALF_TOL = 1e-3;
    static final double BF16_TOL = 8e-3;

    /** Worst error over the golden cases, as a multiple of the scale; fails beyond tol. */
    private static double worst(DType dtype, double tol) {
        double worst = 0;
        String where = "";
        int checked = 0;
        List<String> skipped = new ArrayList<>();
        for (GoldenCases.Case c : GoldenCases.all()) {
            Tensor[] f64 = GoldenCases.operands(c);
            Tensor[] half = new Tensor[f64.length];
            Tensor[] exact = new Tensor[f64.length];
            Tensor[] abs = new Tensor[f64.length];
            try {
                for (int k = 0; k < f64.length; k++) {
                    half[k] = f64[k].to(dtype);
                    exact[k] = half[k].to(DType.FLOAT64); // the 16-bit values, exactly
                    double[] v = exact[k].toDoubleArray();
                    for (int i = 0; i < v.length; i++) {
                        v[i] = Math.abs(v[i]);
                    }
                    abs[k] = Tensor.of(v, exact[k].dims());
                }
                try (Tensor want = ReferenceEinsum.evaluate(c.expression(), exact);
                     Tensor scale = ReferenceEinsum.evaluate(c.expression(), abs)) {
                    double[] s = scale.toDoubleArray();
                    double max = 0;
                    for (double x : s) {
                        max = Math.max(max, x);
                    }
                    if (dtype == DType.FLOAT16 && max > 6e4) {
                        skipped.add(c.prefix() + c.idx() + " (magnitudes up to " + max + ", beyond float16's 65504)");
                        continue;
                    }
                    try (Tensor got = UnderTest.contract(c.expression(), half)) {
                        assertEquals(dtype, got.dtype(), c.expression());
                        double[] g = got.toDoubleArray();
                        double[] w = want.toDoubleArray();
                        for (int i = 0; i < w.length; i++) {
                            double err = Math.abs(g[i] - w[i]);
                            double bound = tol * s[i] + 1e-6;
                            int at = i;
                            assertTrue(err <= bound, () -> dtype + " " + c.prefix() + c.idx() + " " + c.expression()
                                    + " element " + at + ": got " + g[at] + ", exact " + w[at] + ", error " + err
                                    + " > " + bound);
                            if (s[i] > 1e-2 && err / s[i] > worst) { // the relative part, off the subnormal range
                                worst = err / s[i];
                                where = c.prefix() + c.idx() + " " + c.expression() + " scale " + s[i];
                            }
                        }
                    }
                    checked++;
                }
            } finally {
                GoldenCases.closeAll(f64);
                GoldenCases.closeAll(half);
                GoldenCases.closeAll(exact);
                GoldenCases.closeAll(abs);
            }
        }
        assertTrue(checked > 20, "golden cases checked: " + checked + ", skipped " + skipped);
        System.out.printf("%s: %d golden cases, worst error %.3g of the magnitude scale (bound %.3g) at %s; skipped %s%n",
                dtype, checked, worst, tol, where, skipped);
        return worst;
    }

    @Test
    void float16ContractionsMatchTheOracleWithinItsBound() {
        worst(DType.FLOAT16, HALF_TOL);
    }

    @Test
    void bfloat16ContractionsMatchTheOracleWithinItsBound() {
        worst(DType.BFLOAT16, BF16_TOL);
    }

    /** A long dot product: float32 accumulation, one rounding at the end (a 16-bit accumulator would be far off). */
    @Test
    void accumulatesInFloat32AndRoundsOnce() {
        int n = 4096;
        float[] ones = new float[n];
        java.util.Arrays.fill(ones, 1f);
        for (DType dt : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
            try (Tensor f = Tensor.of(ones, n); Tensor a = f.to(dt); Tensor gemm = UnderTest.contract("i,i->", a, a);
                 Tensor sum = UnderTest.contract("i->", a)) {
                // 4096 is exact in both types; a 16-bit running sum would stop at 2048 (float16) or 256 (bfloat16)
                assertEquals(4096.0, gemm.toDoubleArray()[0], dt + " dot");
                assertEquals(4096.0, sum.toDoubleArray()[0], dt + " sum");
            }
        }
        // 1 + 2^-12 summed 4096 times is 4097 in float32; float16 has to round it to 4096 (spacing 4 there)
        try (Tensor t = Tensor.of(new double[] {1, 0x1p-11}, 2); Tensor h = t.to(DType.FLOAT16);
             Tensor r = UnderTest.contract("i->", h)) {
            assertEquals(HalfFloats.fromFloat16(HalfFloats.toFloat16(1f + 0x1p-11f)), (float) r.toDoubleArray()[0]);
        }
    }

    @Test
    void mixingAHalfTypeWithAnotherDTypeIsRejected() {
        try (Tensor a = Tensor.random(DType.FLOAT16, 1, 3, 4); Tensor b = Tensor.random(DType.FLOAT32, 2, 4, 5)) {
            InvalidOperandException e = assertThrows(InvalidOperandException.class,
                    () -> Einsum.contract("ij,jk->ik", a, b));
            assertTrue(e.getMessage().contains("FLOAT16") && e.getMessage().contains("FLOAT32"), e.getMessage());
        }
    }
}
