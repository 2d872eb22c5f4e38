package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code einsum4j epsilon} against golden rows (golden/dp: Opacus's analysis code). */
class EpsilonCommandTest {

    private static double field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": ([-0-9.eE+]+)").matcher(json);
        assertTrue(m.find(), "no field " + name + " in " + json);
        return Double.parseDouble(m.group(1));
    }

    @Test
    void printsEpsilonAndBestOrderOfAGoldenRow() {
        // rdp_epsilons.tsv: 0.052102 3.1346 635 2.012e-05 -> 1.80616783784 at order 10.1
        CliRun r = CliRun.of("epsilon", "--q", "0.052102", "--sigma", "3.1346", "--steps", "635", "--delta",
                "2.012e-05", "--json");
        assertEquals(0, r.status(), r.err());
        assertEquals(1.80616783784, field(r.out(), "epsilon"), 1e-6 * 1.8);
        assertEquals(10.1, field(r.out(), "best_order"), 1e-12);
        CliRun text = CliRun.of("epsilon", "--q", "0.052102", "--sigma", "3.1346", "--steps", "635", "--delta",
                "2.012e-05");
        assertTrue(text.out().startsWith("epsilon   1.806168"), text.out());
        assertTrue(text.out().contains("order     10.1"), text.out());
    }

    @Test
    void printsTheNoiseMultiplierForATargetEpsilon() {
        // noise_multipliers.tsv: 5.688 1.580e-06 0.068317 292 -> 1.35498046875
        CliRun r = CliRun.of("epsilon", "--q", "0.068317", "--target-epsilon", "5.688", "--steps", "292",
                "--delta", "1.580e-06", "--json");
        assertEquals(0, r.status(), r.err());
        assertEquals(1.35498046875, field(r.out(), "sigma"), 1e-12);
        double eps = field(r.out(), "epsilon");
        assertTrue(eps <= 5.688 && eps >= 5.678, r.out());
        CliRun text = CliRun.of("epsilon", "--q", "0.068317", "--target-epsilon", "5.688", "--steps", "292",
                "--delta", "1.580e-06");
        assertTrue(text.out().startsWith("sigma     1.35498046875"), text.out());
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        CliRun.of("epsilon", "--q", "0.1", "--steps", "10", "--delta", "1e-5").assertOneLineError(2);
        CliRun.of("epsilon", "--q", "0.1", "--sigma", "1", "--target-epsilon", "2", "--steps", "10", "--delta",
                "1e-5").assertOneLineError(2);
        CliRun.of("epsilon", "--q", "x", "--sigma", "1", "--steps", "10", "--delta", "1e-5").assertOneLineError(2);
        String line = CliRun.of("epsilon", "--q", "1.5", "--sigma", "1", "--steps", "10", "--delta", "1e-5")
                .assertOneLineError(1);
        assertTrue(line.contains("(0, 1]") && line.contains("1.5"), line);
        CliRun.of("epsilon", "--q", "0.1", "--sigma", "1", "--steps", "10", "--delta", "1")
                .assertOneLineError(1);
        CliRun.of("epsilon", "--q", "0.1", "--sigma", "-1", "--steps", "10", "--delta", "1e-5")
                .assertOneLineError(1);
    }
}
