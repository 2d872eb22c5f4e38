package org.einsum4j.oracle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.tensor.Tensor;

/** Relative-error comparison of tensors for tests: ‖actual − expected‖₂ ≤ rel · max(‖expected‖₂, 1e-300). */
public final class Close {
    private Close() {
    }

    public static void assertClose(Tensor expected, Tensor actual, double rel, String what) {
        assertArrayEquals(expected.dims(), actual.dims(), what + ": shape");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < e.length; i++) {
            assertTrue(Double.isFinite(a[i]), what + ": element " + i + " is " + a[i]);
            diff += (a[i] - e[i]) * (a[i] - e[i]);
            norm += e[i] * e[i];
        }
        double err = Math.sqrt(diff) / Math.max(Math.sqrt(norm), 1e-300);
        assertTrue(diff == 0 || err <= rel, what + ": relative error " + err + " > " + rel);
    }
}
