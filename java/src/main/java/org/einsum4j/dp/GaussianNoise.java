package org.einsum4j.dp;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.SplittableRandom;

/**
 * The Gaussian noise of DP-SGD, {@code N(0, std²)} per coordinate, from one of two sources.
 *
 * <ul>
 *   <li>{@link #secure()} — what training must use. Random bits come from {@link SecureRandom} (the JDK's NIST
 *       SP 800-90A DRBG, seeded by the operating system), so nobody who sees released models or earlier noise can
 *       reconstruct the generator's state and subtract the noise — which is possible for a seeded or
 *       non-cryptographic generator (SplittableRandom, xoroshiro, Mersenne Twister are predictable from their
 *       outputs). As Opacus's {@code secure_mode}, each value is the sum of four normals divided by 2, which
 *       blurs the gaps between the floating-point values a single Box–Muller draw can take (the attack of
 *       Mironov 2012 and Holohan et al. 2021 on textbook floating-point noise); this is a mitigation, not a
 *       proof. Cost: 32 DRBG bytes per coordinate (four 53-bit uniforms), drawn in 64 KiB blocks; the JDK's
 *       Hash_DRBG (SHA-256) gives ~130 MB/s, so a coordinate costs ~0.4–0.55 µs against ~6–10 ns seeded
 *       (measured on the 2-core development machine, 5M draws): ~3 s per step for a 7.7M-parameter embedding,
 *       on the host. It does not protect against side channels of the host itself.</li>
 *   <li>{@link #seeded(long)} — reproducible, for tests and debugging only: its noise is predictable, so it gives
 *       no privacy against anyone who knows or can infer the seed.</li>
 * </ul>
 *
 * Draws are synchronized: one instance may be shared by threads (the order of draws then decides which thread
 * gets which values).
 */
public final class GaussianNoise {
    private static final int BLOCK = 1 << 16;

    private final SecureRandom secure;
    private final SplittableRandom seeded;
    private final byte[] bytes;
    private int used;
    private double spare = Double.NaN;

    private GaussianNoise(SecureRandom secure, SplittableRandom seeded) {
        this.secure = secure;
        this.seeded = seeded;
        this.bytes = secure == null ? null : new byte[BLOCK];
        this.used = BLOCK;
    }

    /** Cryptographically secure noise (the default of {@link DpStep}). */
    public static GaussianNoise secure() {
        SecureRandom r;
        try {
            r = SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            r = new SecureRandom();
        }
        return new GaussianNoise(r, null);
    }

    /** Reproducible noise from a seed: for tests only, it protects nothing. */
    public static GaussianNoise seeded(long seed) {
        return new GaussianNoise(null, new SplittableRandom(seed));
    }

    /** Whether this source is cryptographically secure. */
    public boolean isSecure() {
        return secure != null;
    }

    /** Adds {@code N(0, std²)} to each element of {@code values}, in place. */
    public synchronized void addTo(double[] values, double std) {
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new DpException("noise standard deviation must be finite and >= 0, got " + std);
        }
        if (std == 0) {
            return;
        }
        for (int i = 0; i < values.length; i++) {
            values[i] += std * next();
        }
    }

    /** {@code n} draws of {@code N(0, std²)}. */
    public double[] sample(int n, double std) {
        double[] v = new double[n];
        addTo(v, std);
        return v;
    }

    private double next() {
        if (secure == null) {
            return seeded.nextGaussian();
        }
        return (normal() + normal() + normal() + normal()) / 2;
    }

    /** One standard normal from the secure bytes: Box–Muller on two 53-bit uniforms, both outputs used. */
    private double normal() {
        if (!Double.isNaN(spare)) {
            double s = spare;
            spare = Double.NaN;
            return s;
        }
        double u1 = (nextLong53() + 1) * 0x1.0p-53; // (0, 1]: log stays finite
        double u2 = nextLong53() * 0x1.0p-53;
        double r = Math.sqrt(-2 * Math.log(u1));
        spare = r * Math.sin(2 * Math.PI * u2);
        return r * Math.cos(2 * Math.PI * u2);
    }

    private long nextLong53() {
        if (used + 8 > BLOCK) {
            secure.nextBytes(bytes);
            used = 0;
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
            v = (v << 8) | (bytes[used++] & 0xFF);
        }
        return v >>> 11;
    }
}
