package org.einsum4j.dp;

import org.apache.commons.math3.special.Erf;

/**
 * Rényi-DP of the Poisson-subsampled Gaussian mechanism and its conversion to (ε, δ): a line-by-line port of
 * Opacus's {@code opacus/accountants/analysis/rdp.py} (Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy
 * of the Sampled Gaussian Mechanism", §3.3), kept in the same shape so that it can be compared with the Python
 * function by function. Integer orders sum the binomial expansion exactly; fractional orders use the
 * two-sided series with erfc tails until both terms fall below e^−30. All values are logs, so nothing
 * overflows for α up to 63 and q near 1.
 */
final class RdpAnalysis {
    private static final double LOG_HALF = Math.log(0.5);

    private RdpAnalysis() {
    }

    /** {@code compute_rdp}: the RDP of {@code steps} compositions at each order. */
    static double[] computeRdp(double q, double sigma, long steps, double[] orders) {
        double[] rdp = new double[orders.length];
        for (int i = 0; i < orders.length; i++) {
            rdp[i] = computeRdp(q, sigma, orders[i]) * steps;
        }
        return rdp;
    }

    /** {@code _compute_rdp}: the RDP of one step at order α. */
    static double computeRdp(double q, double sigma, double alpha) {
        if (q == 0) {
            return 0;
        }
        if (sigma == 0) {
            return Double.POSITIVE_INFINITY;
        }
        if (q == 1.0) {
            return alpha / (2 * sigma * sigma);
        }
        if (Double.isInfinite(alpha)) {
            return Double.POSITIVE_INFINITY;
        }
        return logA(q, sigma, alpha) / (alpha - 1);
    }

    private static double logA(double q, double sigma, double alpha) {
        if (alpha == Math.rint(alpha)) {
            return logAIntAlpha(q, sigma, (int) alpha);
        }
        return logAFracAlpha(q, sigma, alpha);
    }

    /** {@code _compute_log_a_for_int_alpha}. */
    private static double logAIntAlpha(double q, double sigma, int alpha) {
        double logA = Double.NEGATIVE_INFINITY;
        for (int i = 0; i <= alpha; i++) {
            double logCoef = Math.log(binom(alpha, i)) + i * Math.log(q) + (alpha - i) * Math.log(1 - q);
            double s = logCoef + ((double) i * i - i) / (2 * (sigma * sigma));
            logA = logAdd(logA, s);
        }
        return logA;
    }

    /** {@code _compute_log_a_for_frac_alpha}. */
    private static double logAFracAlpha(double q, double sigma, double alpha) {
        double logA0 = Double.NEGATIVE_INFINITY;
        double logA1 = Double.NEGATIVE_INFINITY;
        double z0 = sigma * sigma * Math.log(1 / q - 1) + 0.5;
        double sqrt2Sigma = Math.sqrt(2) * sigma;
        for (int i = 0; ; i++) {
            double coef = binom(alpha, i);
            double logCoef = Math.log(Math.abs(coef));
            double j = alpha - i;
            double logT0 = logCoef + i * Math.log(q) + j * Math.log(1 - q);
            double logT1 = logCoef + j * Math.log(q) + i * Math.log(1 - q);
            double logE0 = LOG_HALF + logErfc((i - z0) / sqrt2Sigma);
            double logE1 = LOG_HALF + logErfc((z0 - j) / sqrt2Sigma);
            double logS0 = logT0 + ((double) i * i - i) / (2 * (sigma * sigma)) + logE0;
            double logS1 = logT1 + (j * j - j) / (2 * (sigma * sigma)) + logE1;
            if (coef > 0) {
                logA0 = logAdd(logA0, logS0);
                logA1 = logAdd(logA1, logS1);
            } else {
                logA0 = logSub(logA0, logS0);
                logA1 = logSub(logA1, logS1);
            }
            if (Math.max(logS0, logS1) < -30) {
                break;
            }
        }
        return logAdd(logA0, logA1);
    }

    /**
     * {@code get_privacy_spent}: ε = min over orders of
     * {@code rdp − (log δ + log α)/(α − 1) + log((α − 1)/α)} (Balle et al. 2020, "Hypothesis testing
     * interpretations and Rényi DP", Thm. 21 — the conversion Opacus uses since 1.0; the older
     * {@code rdp − log δ/(α − 1)} is looser), NaNs ignored as numpy's {@code nanargmin} does.
     */
    static PrivacySpent privacySpent(double[] orders, double[] rdp, double delta) {
        int best = -1;
        double bestEps = Double.NaN;
        for (int i = 0; i < orders.length; i++) {
            double a = orders[i];
            double eps = rdp[i] - (Math.log(delta) + Math.log(a)) / (a - 1) + Math.log((a - 1) / a);
            if (!Double.isNaN(eps) && (best < 0 || eps < bestEps)) {
                best = i;
                bestEps = eps;
            }
        }
        if (best < 0) {
            return new PrivacySpent(Double.POSITIVE_INFINITY, Double.NaN, delta);
        }
        return new PrivacySpent(bestEps, orders[best], delta);
    }

    /** log(e^x + e^y) without overflow ({@code _log_add}). */
    static double logAdd(double x, double y) {
        double a = Math.min(x, y);
        double b = Math.max(x, y);
        if (a == Double.NEGATIVE_INFINITY) {
            return b;
        }
        return Math.log1p(Math.exp(a - b)) + b;
    }

    /** log(e^x − e^y) for x ≥ y ({@code _log_sub}). */
    static double logSub(double x, double y) {
        if (x < y) {
            throw new DpException("RDP analysis: log_sub of a larger from a smaller value (" + x + " < " + y
                    + "): the fractional-order series did not converge");
        }
        if (y == Double.NEGATIVE_INFINITY) {
            return x;
        }
        if (x == y) {
            return Double.NEGATIVE_INFINITY;
        }
        double d = Math.expm1(x - y);
        return Double.isInfinite(d) ? x : Math.log(d) + y;
    }

    /**
     * log(erfc(x)), accurate where erfc underflows: scipy's {@code log(2) + log_ndtr(−x·√2)}. erfc itself from
     * Commons Math (a regularized incomplete gamma, relative error ~1e-15 in the tail); past x = 20 the
     * asymptotic series of erfc(x)·x·√π·e^{x²}, whose truncation error there is below 1e-17.
     */
    static double logErfc(double x) {
        if (x <= 20) {
            return Math.log(Erf.erfc(x));
        }
        double z = 1 / (2 * x * x);
        double term = 1;
        double sum = 1;
        for (int n = 1; n <= 10; n++) {
            term *= -(2 * n - 1) * z;
            sum += term;
        }
        return -x * x - Math.log(x * Math.sqrt(Math.PI)) + Math.log(sum);
    }

    /** The generalized binomial coefficient C(α, i) = Π_{j<i} (α − j)/(j + 1); negative for some fractional α. */
    static double binom(double alpha, int i) {
        double c = 1;
        for (int j = 0; j < i; j++) {
            c *= (alpha - j) / (j + 1);
        }
        return c;
    }
}
