package org.einsum4j.dp;

import java.util.ArrayList;
import java.util.List;

/**
 * The privacy spent by DP-SGD, as Opacus's {@code RDPAccountant} computes it: Rényi DP of the Poisson-subsampled
 * Gaussian mechanism at Opacus's default orders, summed over the steps taken, converted to (ε, δ) at the best
 * order (formulas: {@link RdpAnalysis}). Golden values from Opacus's own analysis code agree to 1e-6 relative
 * (tests: {@code RdpAccountantTest}).
 *
 * <pre>{@code
 * PrivacySpent p = RdpAccountant.epsilon(0.01, 1.1, 10_000, 1e-5);   // q, σ, steps, δ
 * double sigma = RdpAccountant.noiseMultiplier(8.0, 1e-5, 0.01, 10_000);
 *
 * RdpAccountant acc = new RdpAccountant();                           // or track steps as they happen
 * acc.step(1.1, 0.01);
 * double eps = acc.spent(1e-5).epsilon();
 * }</pre>
 *
 * Instances are thread-safe (a training loop may record steps while a monitor reads ε).
 */
public final class RdpAccountant {
    /** Opacus's {@code DEFAULT_ALPHAS}: 1.1, 1.2, …, 10.9, then 12, 13, …, 63. */
    private static final double[] DEFAULT_ORDERS = defaultOrders();

    /** Opacus's {@code MAX_SIGMA}: the search gives up past this noise multiplier. */
    static final double MAX_SIGMA = 1e6;

    /** Opacus's default {@code epsilon_tolerance} of {@code get_noise_multiplier}. */
    public static final double DEFAULT_EPSILON_TOLERANCE = 0.01;

    private final double[] orders;
    private final List<double[]> history = new ArrayList<>(); // {sigma, q, steps}

    /** An accountant with Opacus's default orders and no steps yet. */
    public RdpAccountant() {
        this(DEFAULT_ORDERS);
    }

    /** An accountant with its own Rényi orders (each > 1). */
    public RdpAccountant(double[] orders) {
        if (orders == null || orders.length == 0) {
            throw new DpException("RDP orders must be a non-empty list");
        }
        for (double a : orders) {
            if (!(a > 1)) {
                throw new DpException("RDP order " + a + " must be > 1");
            }
        }
        this.orders = orders.clone();
    }

    /** Opacus's default orders (a copy). */
    public static double[] defaultOrders() {
        double[] o = new double[99 + 52];
        for (int x = 1; x <= 99; x++) {
            o[x - 1] = 1 + x / 10.0;
        }
        for (int a = 12; a <= 63; a++) {
            o[99 + a - 12] = a;
        }
        return o;
    }

    /** Records one step of the mechanism at noise multiplier σ and sampling rate q. */
    public void step(double noiseMultiplier, double sampleRate) {
        steps(noiseMultiplier, sampleRate, 1);
    }

    /** Records {@code n} steps at (σ, q); consecutive records with the same (σ, q) merge, as Opacus's do. */
    public synchronized void steps(double noiseMultiplier, double sampleRate, long n) {
        checkSigma(noiseMultiplier);
        checkQ(sampleRate);
        checkSteps(n);
        if (!history.isEmpty()) {
            double[] last = history.get(history.size() - 1);
            if (last[0] == noiseMultiplier && last[1] == sampleRate) {
                last[2] += n;
                return;
            }
        }
        history.add(new double[] {noiseMultiplier, sampleRate, n});
    }

    /** The steps recorded so far. */
    public synchronized long stepCount() {
        long n = 0;
        for (double[] h : history) {
            n += (long) h[2];
        }
        return n;
    }

    /** (ε, best order) for δ over every step recorded; ε = 0 before the first step. */
    public synchronized PrivacySpent spent(double delta) {
        checkDelta(delta);
        if (history.isEmpty()) {
            return new PrivacySpent(0, Double.NaN, delta);
        }
        double[] rdp = new double[orders.length];
        for (double[] h : history) {
            double[] r = RdpAnalysis.computeRdp(h[1], h[0], (long) h[2], orders);
            for (int i = 0; i < rdp.length; i++) {
                rdp[i] += r[i];
            }
        }
        return RdpAnalysis.privacySpent(orders, rdp, delta);
    }

    /** ε (and the best order) after {@code steps} steps at sampling rate q and noise multiplier σ, for δ. */
    public static PrivacySpent epsilon(double sampleRate, double noiseMultiplier, long steps, double delta) {
        checkQ(sampleRate);
        checkSigma(noiseMultiplier);
        checkSteps(steps);
        checkDelta(delta);
        return epsilonUnchecked(sampleRate, noiseMultiplier, steps, delta);
    }

    private static PrivacySpent epsilonUnchecked(double q, double sigma, long steps, double delta) {
        return RdpAnalysis.privacySpent(DEFAULT_ORDERS, RdpAnalysis.computeRdp(q, sigma, steps, DEFAULT_ORDERS),
                delta);
    }

    /** {@link #noiseMultiplier(double, double, double, long, double)} with Opacus's tolerance 0.01. */
    public static double noiseMultiplier(double targetEpsilon, double delta, double sampleRate, long steps) {
        return noiseMultiplier(targetEpsilon, delta, sampleRate, steps, DEFAULT_EPSILON_TOLERANCE);
    }

    /**
     * The noise multiplier σ whose ε after {@code steps} steps at rate q lies in
     * {@code [targetEpsilon − tolerance, targetEpsilon]}: Opacus's {@code get_noise_multiplier} exactly (double σ
     * from 10 until ε ≤ target, then bisect until the gap is within the tolerance, return the upper end), so it
     * returns the same σ as Opacus.
     *
     * @throws DpException when even σ = 10⁶ does not reach the target (the budget is too low)
     */
    public static double noiseMultiplier(double targetEpsilon, double delta, double sampleRate, long steps,
                                         double tolerance) {
        if (!(targetEpsilon > 0) || Double.isInfinite(targetEpsilon)) {
            throw new DpException("target epsilon must be finite and > 0, got " + targetEpsilon);
        }
        if (!(tolerance > 0)) {
            throw new DpException("epsilon tolerance must be > 0, got " + tolerance);
        }
        checkDelta(delta);
        checkQ(sampleRate);
        checkSteps(steps);
        double epsHigh = Double.POSITIVE_INFINITY;
        double sigmaLow = 0;
        double sigmaHigh = 10;
        while (epsHigh > targetEpsilon) {
            sigmaHigh = 2 * sigmaHigh;
            epsHigh = epsilonUnchecked(sampleRate, sigmaHigh, steps, delta).epsilon();
            if (sigmaHigh > MAX_SIGMA) {
                throw new DpException("the privacy budget is too low: epsilon " + targetEpsilon + " at delta "
                        + delta + " is out of reach for q = " + sampleRate + " over " + steps
                        + " steps even with noise multiplier " + MAX_SIGMA);
            }
        }
        while (targetEpsilon - epsHigh > tolerance) {
            double sigma = (sigmaLow + sigmaHigh) / 2;
            double eps = epsilonUnchecked(sampleRate, sigma, steps, delta).epsilon();
            if (eps < targetEpsilon) {
                sigmaHigh = sigma;
                epsHigh = eps;
            } else {
                sigmaLow = sigma;
            }
        }
        return sigmaHigh;
    }

    // ------------------------------------------------------------------ validation

    static void checkQ(double q) {
        if (!(q > 0 && q <= 1)) {
            throw new DpException("sampling rate q must lie in (0, 1], got " + q);
        }
    }

    static void checkSigma(double sigma) {
        if (!(sigma >= 0) || Double.isInfinite(sigma)) {
            throw new DpException("noise multiplier sigma must be finite and >= 0, got " + sigma);
        }
    }

    static void checkDelta(double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new DpException("delta must lie in (0, 1), got " + delta);
        }
    }

    private static void checkSteps(long steps) {
        if (steps < 0) {
            throw new DpException("number of steps must be >= 0, got " + steps);
        }
    }
}
