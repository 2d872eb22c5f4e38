package org.einsum4j.dp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The accountant against Opacus's own analysis code (golden/dp, made as golden/dp/README.md says). */
class RdpAccountantTest {

    static List<double[]> epsilonRows() {
        return rows("golden/dp/rdp_epsilons.tsv");
    }

    static List<double[]> sigmaRows() {
        return rows("golden/dp/noise_multipliers.tsv");
    }

    @Test
    void goldenFilesHaveRows() {
        assertEquals(24, epsilonRows().size());
        assertEquals(12, sigmaRows().size());
    }

    @ParameterizedTest
    @MethodSource("epsilonRows")
    void epsilonMatchesOpacus(double[] r) {
        PrivacySpent p = RdpAccountant.epsilon(r[0], r[1], (long) r[2], r[3]);
        assertEquals(r[4], p.epsilon(), 1e-6 * Math.abs(r[4]), () -> "q=" + r[0] + " sigma=" + r[1]);
        assertEquals(r[5], p.bestOrder(), 1e-9, "best order");
    }

    @ParameterizedTest
    @MethodSource("sigmaRows")
    void noiseMultiplierReachesTheTarget(double[] r) {
        double target = r[0];
        double sigma = RdpAccountant.noiseMultiplier(target, r[1], r[2], (long) r[3]);
        double eps = RdpAccountant.epsilon(r[2], sigma, (long) r[3], r[1]).epsilon();
        assertTrue(eps <= target && eps >= target - 0.01, "eps " + eps + " at sigma " + sigma + " for " + target);
        assertEquals(r[4], sigma, 1e-9 * r[4], "same sigma as Opacus's search");
    }

    @Test
    void statefulAccountantComposesSteps() {
        RdpAccountant acc = new RdpAccountant();
        assertEquals(0, acc.spent(1e-5).epsilon());
        for (int i = 0; i < 100; i++) {
            acc.step(1.1, 0.01);
        }
        acc.steps(1.1, 0.01, 100);
        assertEquals(200, acc.stepCount());
        assertEquals(RdpAccountant.epsilon(0.01, 1.1, 200, 1e-5).epsilon(), acc.spent(1e-5).epsilon(), 1e-12);
        acc.steps(2.0, 0.02, 50);
        assertTrue(acc.spent(1e-5).epsilon() > RdpAccountant.epsilon(0.01, 1.1, 200, 1e-5).epsilon());
    }

    @Test
    void noNoiseMeansNoPrivacy() {
        assertEquals(Double.POSITIVE_INFINITY, RdpAccountant.epsilon(0.1, 0, 10, 1e-5).epsilon());
    }

    @Test
    void rejectsOutOfRangeParameters() {
        assertThrows(DpException.class, () -> RdpAccountant.epsilon(0, 1, 10, 1e-5));
        assertThrows(DpException.class, () -> RdpAccountant.epsilon(1.5, 1, 10, 1e-5));
        assertThrows(DpException.class, () -> RdpAccountant.epsilon(Double.NaN, 1, 10, 1e-5));
        assertThrows(DpException.class, () -> RdpAccountant.epsilon(0.1, -1, 10, 1e-5));
        assertThrows(DpException.class, () -> RdpAccountant.epsilon(0.1, 1, 10, 0));
        assertThrows(DpException.class, () -> RdpAccountant.epsilon(0.1, 1, 10, 1));
        assertThrows(DpException.class, () -> RdpAccountant.epsilon(0.1, 1, -1, 1e-5));
        DpException e = assertThrows(DpException.class, () -> RdpAccountant.noiseMultiplier(-1, 1e-5, 0.1, 10));
        assertTrue(e.getMessage().contains("-1"), e.getMessage());
        assertThrows(DpException.class, () -> RdpAccountant.noiseMultiplier(1e-9, 1e-5, 1.0, 1_000_000_000L));
    }

    private static List<double[]> rows(String resource) {
        List<double[]> out = new ArrayList<>();
        try (InputStream in = RdpAccountantTest.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the test classpath");
            }
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; ) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.trim().split("\t");
                double[] v = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    v[i] = Double.parseDouble(f[i]);
                }
                out.add(v);
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }
}
