package org.einsum4j.dp;

import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

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
 *       (one thread, measured on the 2-core development machine, 5M draws): ~3 s per thread for a 7.7M-parameter
 *       embedding, on the host. It does not protect against side channels of the host itself.</li>
 *   <li>{@link #seeded(long)} — reproducible, for tests and debugging only: its noise is predictable, so it gives
 *       no privacy against anyone who knows or can infer the seed.</li>
 * </ul>
 *
 * Thread-safe. Secure draws for large arrays run in parallel blocks of 64Ki coordinates, each thread with its own
 * DRBG instance (each seeded by the operating system), so that they can use every core (no speed-up was measurable
 * on the loaded 2-core development machine; a quiet many-core host is yet to measure it); seeded draws are
 * sequential and synchronized, so a seed gives the same noise whatever the threads.
 */
public final class GaussianNoise {
    private static final int BLOCK = 1 << 16;

    private final boolean isSecure;
    private final SplittableRandom seeded;
    private final ThreadLocal<SecureStream> streams;

    private GaussianNoise(boolean isSecure, SplittableRandom seeded) {
        this.isSecure = isSecure;
        this.seeded = seeded;
        this.streams = isSecure ? ThreadLocal.withInitial(SecureStream::new) : null;
    }

    /** Cryptographically secure noise (the default of {@link DpStep}). */
    public static GaussianNoise secure() {
        GaussianNoise n = new GaussianNoise(true, null);
        n.streams.get(); // fail here, not in the first step, if the platform has no secure source
        return n;
    }

    /** Reproducible noise from a seed: for tests only, it protects nothing. */
    public static GaussianNoise seeded(long seed) {
        return new GaussianNoise(false, new SplittableRandom(seed));
    }

    /** Whether this source is cryptographically secure. */
    public boolean isSecure() {
        return isSecure;
    }

    /** Adds {@code N(0, std²)} to each element of {@code values}, in place. */
    public void addTo(double[] values, double std) {
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new DpException("noise standard deviation must be finite and >= 0, got " + std);
        }
        if (std == 0) {
            return;
        }
        if (!isSecure) {
            synchronized (this) {
                for (int i = 0; i < values.length; i++) {
                    values[i] += std * seeded.nextGaussian();
                }
            }
            return;
        }
        int blocks = (values.length + BLOCK - 1) / BLOCK;
        IntStream range = IntStream.range(0, blocks);
        (blocks > 1 ? range.parallel() : range).forEach(blk -> {
            SecureStream s = streams.get();
            int end = Math.min(values.length, (blk + 1) * BLOCK);
            for (int i = blk * BLOCK; i < end; i++) {
                values[i] += std * s.next();
            }
        });
    }

    /** {@code n} draws of {@code N(0, std²)}. */
    public double[] sample(int n, double std) {
        double[] v = new double[n];
        addTo(v, std);
        return v;
    }

    /** One thread's secure generator: a DRBG, its byte buffer and the second Box–Muller output. */
    private static final class SecureStream {
        private final SecureRandom random;
        private final byte[] bytes = new byte[BLOCK];
        private int used = BLOCK;
        private double spare = Double.NaN;

        SecureStream() {
            SecureRandom r;
            try {
                r = SecureRandom.getInstance("DRBG");
            } catch (NoSuchAlgorithmException e) {
                r = new SecureRandom();
            }
            random = r;
        }

        /** Opacus's secure-mode draw: the sum of four standard normals, halved (still standard normal). */
        double next() {
            return (normal() + normal() + normal() + normal()) / 2;
        }

        /** One standard normal: Box–Muller on two 53-bit uniforms, both outputs used. */
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
                random.nextBytes(bytes);
                used = 0;
            }
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (bytes[used++] & 0xFF);
            }
            return v >>> 11;
        }
    }
}
