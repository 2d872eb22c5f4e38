package org.einsum4j.gradsample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.einsum4j.tensor.Tensor;

/** Comparison helpers for the grad sampler tests. */
final class GradTensors {
    private GradTensors() {
    }

    /** ‖out − ref‖ / ‖ref‖ (‖out‖ when ref is all zero or empty), ref scaled by {@code refScale}. */
    static double relError(Tensor out, Tensor ref, double refScale) {
        double[] o = out.toDoubleArray();
        double[] r = ref.toDoubleArray();
        double num = 0;
        double den = 0;
        for (int i = 0; i < o.length; i++) {
            double rv = r[i] * refScale;
            num += (o[i] - rv) * (o[i] - rv);
            den += rv * rv;
        }
        if (den == 0) {
            return Math.sqrt(num);
        }
        return Math.sqrt(num / den);
    }

    /** Same shape and relative error within {@code tol}. */
    static void assertClose(String what, Tensor out, Tensor ref, double refScale, double tol) {
        assertArrayEquals(ref.dims(), out.dims(), what + ": shape " + out.shape() + " vs expected " + ref.shape());
        double e = relError(out, ref, refScale);
        assertTrue(e <= tol, what + ": relative error " + e + " > " + tol);
    }

    static void closeAll(Map<String, Tensor> m) {
        if (m != null) {
            m.values().forEach(Tensor::close);
        }
    }
}
