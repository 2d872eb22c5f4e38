package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.einsum4j.dp.RdpAccountant;
import org.junit.jupiter.api.Test;

/** {@code einsum4j train-demo}: bad input refused before training, short runs, the K table. */
class TrainDemoCommandTest {

    @Test
    void refusesBadInputBeforeTraining() {
        assertTrue(CliRun.of("train-demo", "--sigma", "1", "--bogus").assertOneLineError(2).contains("--bogus"));
        assertTrue(CliRun.of("train-demo").assertOneLineError(2).contains("--sigma S or --epsilon E"));
        assertTrue(CliRun.of("train-demo", "--sigma", "1", "--epsilon", "2").assertOneLineError(2)
                .contains("not both"));
        assertTrue(CliRun.of("train-demo", "--sigma", "1", "--K", "0").assertOneLineError(2).contains("--K"));
        assertTrue(CliRun.of("train-demo", "--sigma", "1", "--model", "resnet").assertOneLineError(2)
                .contains("mlp or cnn"));
        assertTrue(CliRun.of("train-demo", "--sigma", "-1").assertOneLineError(2).contains("--sigma"));
        assertTrue(CliRun.of("train-demo", "--sigma", "1", "--clip", "0").assertOneLineError(2).contains("--clip"));
        assertTrue(CliRun.of("train-demo", "--sigma", "1", "--sweep-k", "1,x").assertOneLineError(2)
                .contains("--sweep-k"));
        assertTrue(CliRun.of("train-demo", "--non-private", "--sigma", "1").assertOneLineError(2)
                .contains("--non-private"));
        String unreachable = CliRun.of("train-demo", "--epsilon", "0.00001").assertOneLineError(2);
        assertTrue(unreachable.contains("cannot be reached"), unreachable);
        assertTrue(CliRun.of("train-demo", "--sigma", "1", "--backend", "tpu").assertOneLineError(2)
                .contains("cpu or cuda[:N]"));
    }

    @Test
    void cudaThatCannotBeUsedIsOneLineSayingWhyBeforeTraining() {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.einsum4j.cuda.Cuda.unavailableReason().isPresent(),
                "CUDA can be used here");
        CliRun r = CliRun.of("train-demo", "--sigma", "1", "--backend", "cuda");
        String line = r.assertOneLineError(1);
        assertTrue(line.contains("CUDA backend unavailable for cuda:0: "), line);
        assertTrue(r.out().isEmpty(), "nothing trained: " + r.out());
    }

    /**
     * The whole demo on a CUDA backend whose driver is the recording fake (launches recorded, not run, and device
     * memory not initialized, so the figures are meaningless): the model, batches, steps and evaluation take the
     * device path end to end. Non-private, because the DP step refuses the fake's arbitrary (possibly NaN)
     * activations; DP steps on a device are NnDeviceTest's.
     */
    @Test
    void runsOnACudaDevice() {
        CliRun r = CliRun.of("train-demo", "--model", "cnn", "--epochs", "1", "--non-private", "--K", "2",
                "--batch", "288", "--backend", "fakecuda:13", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"test_accuracy\": "), r.out());
    }

    @Test
    void helpListsTheOptions() {
        CliRun r = CliRun.of("train-demo", "--help");
        assertEquals(0, r.status());
        for (String o : new String[] {"--model", "--K", "--epochs", "--sigma", "--epsilon", "--clip", "--batch",
            "--backend", "--seed", "--ghost", "--sweep-k", "--json"}) {
            assertTrue(r.out().contains(o), o);
        }
    }

    @Test
    void jsonRunReportsTheAccountantsEpsilonAfterEveryEpoch() {
        CliRun r = CliRun.of("train-demo", "--model", "mlp", "--epochs", "2", "--sigma", "1.2", "--K", "2",
                "--batch", "144", "--json");
        assertEquals(0, r.status(), r.err());
        double q = 144.0 / 1438;
        Matcher m = Pattern.compile("\"epsilon\": ([0-9.Ee-]+)").matcher(r.out());
        for (int e = 1; e <= 2; e++) {
            assertTrue(m.find(), r.out());
            assertEquals(RdpAccountant.epsilon(q, 1.2, 10L * e, 1e-5).epsilon(), Double.parseDouble(m.group(1)),
                    1e-9);
        }
        assertTrue(r.out().contains("\"test_accuracy\": "), r.out());
    }

    @Test
    void epsilonTargetSetsSigmaAndIsMet() {
        CliRun r = CliRun.of("train-demo", "--model", "mlp", "--epochs", "1", "--epsilon", "3", "--batch", "144",
                "--ghost", "--json");
        assertEquals(0, r.status(), r.err());
        Matcher m = Pattern.compile("\"epsilon\": ([0-9.Ee-]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        double eps = Double.parseDouble(m.group(1));
        assertTrue(eps <= 3 && eps >= 2.99, "epsilon " + eps);
    }

    @Test
    void sweepPrintsOneRowPerK() {
        CliRun r = CliRun.of("train-demo", "--model", "mlp", "--epochs", "1", "--sigma", "1", "--batch", "288",
                "--sweep-k", "1,2", "--seeds", "2", "--baseline");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("| K | test accuracy"), r.out());
        assertTrue(Pattern.compile("(?m)^\\| 1 \\| [0-9.]+% ± [0-9.]+ \\| [0-9.]+, [0-9.]+ \\|").matcher(r.out())
                .find(), r.out());
        assertTrue(Pattern.compile("(?m)^\\| 2 \\| ").matcher(r.out()).find(), r.out());
        assertTrue(Pattern.compile("(?m)^\\| 1, no augmentation \\| ").matcher(r.out()).find(), r.out());
        assertTrue(CliRun.of("train-demo", "--sigma", "1", "--baseline").assertOneLineError(2).contains("--sweep-k"));
    }
}
