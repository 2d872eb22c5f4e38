package org.einsum4j.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.UnderTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link WeightedSums#scaleRows} (the clip factors applied to the backprops, one broadcast contraction) against a
 * direct loop, for rows on axis 0 and on axis 1 (time-first), a transposed (strided) input on the host, a weight of
 * exactly 1, B = 0, on the device under test (the checked device in the {@code checked-device}
 * run).
 */
class WeightedSumsTest {

    @ParameterizedTest(name = "axis={0} B={1} K={2} {3} transposed={4}")
    @CsvSource({
        "0, 4, 3, FLOAT32, false", "0, 4, 3, FLOAT64, true", "1, 3, 2, FLOAT64, false", "1, 5, 1, FLOAT32, true",
        "0, 1, 2, FLOAT64, false", "0, 0, 2, FLOAT32, false"})
    void scaleRowsMatchesALoop(int axis, int b, int k, DType dtype, boolean transposed) {
        SplittableRandom r = new SplittableRandom(axis * 100 + b * 10 + k);
        int pre = axis == 0 ? 1 : 4;
        int post = 6;
        int[] dims = axis == 0 ? new int[] {b * k, 2, post / 2} : new int[] {pre, b * k, post};
        double[] w = new double[b];
        for (int n = 0; n < b; n++) {
            w[n] = n == 1 ? 1.0 : r.nextDouble();
        }
        int[] swapped = dims.clone();
        swapped[dims.length - 1] = dims[dims.length - 2];
        swapped[dims.length - 2] = dims[dims.length - 1];
        try (Tensor base = Tensor.random(dtype, 5, transposed ? swapped : dims);
             Tensor host = transposed ? base.transpose() : base.copy();
             Tensor g = UnderTest.DEVICE.isHost() ? host.copy() : host.to(UnderTest.DEVICE);
             Tensor view = transposed && UnderTest.DEVICE.isHost() ? base.transpose() : g.copy()) {
            double[] v = host.toDoubleArray();
            double[] want = new double[v.length];
            int rowLen = v.length / Math.max(1, pre * b * k);
            for (int p = 0; p < pre; p++) {
                for (int row = 0; row < b * k; row++) {
                    for (int q = 0; q < rowLen; q++) {
                        int i = (p * b * k + row) * rowLen + q;
                        want[i] = v[i] * w[row / k];
                    }
                }
            }
            double tol = dtype == DType.FLOAT32 ? 1e-6 : 1e-15;
            try (Tensor s = WeightedSums.scaleRows(view, axis, b, k, w); Tensor back = s.to(Device.CPU)) {
                assertEquals(UnderTest.DEVICE, s.device());
                assertArrayEquals(dims, s.dims());
                assertArrayEquals(want, back.toDoubleArray(), tol);
            }
            try (Tensor back = view.to(Device.CPU)) {
                assertArrayEquals(v, back.toDoubleArray(), 0, "input untouched");
            }
        }
    }
}
