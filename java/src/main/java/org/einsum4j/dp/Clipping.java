package org.einsum4j.dp;

/**
 * Clip factors {@code c_n = min(1, C / (‖G_n‖ + 1e-6))} (Opacus's, the 1e-6 keeping a zero gradient finite), so
 * that each clipped contribution {@code c_n G_n} has norm at most C. Host arithmetic on {@code [B]} vectors.
 */
public final class Clipping {
    /** Added to the norm before dividing (Opacus's constant). */
    public static final double STABILIZER = 1e-6;

    private Clipping() {
    }

    /** The clip factor of each norm for threshold {@code maxNorm} (> 0). */
    public static double[] factors(double[] norms, double maxNorm) {
        checkThreshold("max gradient norm", maxNorm);
        double[] c = new double[norms.length];
        for (int i = 0; i < norms.length; i++) {
            c[i] = Math.min(1.0, maxNorm / (norms[i] + STABILIZER));
        }
        return c;
    }

    static void checkThreshold(String what, double c) {
        if (!(c > 0) || Double.isInfinite(c)) {
            throw new DpException(what + " C must be finite and > 0, got " + c);
        }
    }
}
