package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class GradsampleCommandTest {
    /** The rows of ../shared/bench/layer_suite.tsv: layer, B, K, hyperparameters. */
    static final String[][] SUITE = {
        {"Linear", "256", "1", "in=512 out=512 bias"},
        {"Linear", "64", "16", "in=1024 out=1024 bias"},
        {"Linear", "32", "4", "T=128 in=768 out=768 bias"},
        {"Conv2d", "64", "16", "cin=16 cout=32 k=3 stride=1 pad=1 H=32 W=32 bias"},
        {"Conv2d", "64", "8", "cin=64 cout=64 k=3 stride=1 pad=1 H=16 W=16 bias"},
        {"Conv2d", "32", "4", "cin=64 cout=64 k=3 stride=1 pad=1 groups=64 H=32 W=32 bias"},
        {"Embedding", "64", "4", "T=128 V=30000 D=256"},
        {"LayerNorm", "64", "8", "T=128 D=768"},
        {"GroupNorm", "64", "16", "C=64 groups=16 H=16 W=16"},
        {"LSTM", "32", "4", "T=64 in=256 H=256"},
    };

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (\"[^\"]*\"|[-0-9.eE+]+)").matcher(json);
        assertTrue(m.find(), "no field " + name + " in " + json);
        return m.group(1);
    }

    @Test
    void everyLayerSuiteRowParsesWithItsNames() {
        String[] expected = {
            "weight=[256, 512, 512] bias=[256, 512]",
            "weight=[64, 1024, 1024] bias=[64, 1024]",
            "weight=[32, 768, 768] bias=[32, 768]",
            "weight=[64, 32, 16, 3, 3] bias=[64, 32]",
            "weight=[64, 64, 64, 3, 3] bias=[64, 64]",
            "weight=[32, 64, 1, 3, 3] bias=[32, 64]",
            "weight=[64, 30000, 256]",
            "weight=[64, 768] bias=[64, 768]",
            "weight=[64, 64] bias=[64, 64]",
            "weight_ih_l0=[32, 1024, 256] weight_hh_l0=[32, 1024, 256] bias_ih_l0=[32, 1024] bias_hh_l0=[32, 1024]",
        };
        for (int i = 0; i < SUITE.length; i++) {
            String[] row = SUITE[i];
            GradsampleWorkload w = GradsampleWorkload.parse(row[0], Arrays.asList(row[3].split(" ")),
                    Integer.parseInt(row[1]), Integer.parseInt(row[2]), -1);
            assertEquals(expected[i], w.resultShapes(), String.join(" ", row));
        }
    }

    @Test
    void jsonReportsTimeAndExtraMemoryOfEachSmallSuiteLayer() {
        String[][] small = {
            {"Linear", "--B", "4", "--K", "2", "in=8", "out=6", "bias"},
            {"Linear", "--B", "2", "--K", "2", "--T", "3", "in=8", "out=6"},
            {"Conv2d", "--B", "2", "--K", "2", "cin=4", "cout=4", "k=3", "pad=1", "groups=2", "H=6", "W=6", "bias"},
            {"Conv1d", "--B", "2", "--K", "1", "cin=2", "cout=3", "k=3", "pad=same", "L=9"},
            {"Conv3d", "--B", "1", "--K", "2", "cin=2", "cout=2", "k=2", "D=3", "H=3", "W=3"},
            {"Embedding", "--B", "2", "--K", "2", "T=5", "V=11", "D=3"},
            {"Embedding", "--B", "2", "--K", "2", "T=5", "V=11", "D=3", "sparse"},
            {"LayerNorm", "--B", "2", "--K", "2", "T=3", "D=8"},
            {"GroupNorm", "--B", "2", "--K", "2", "C=4", "groups=2", "H=3", "W=3"},
            {"InstanceNorm2d", "--B", "2", "--K", "2", "C=3", "H=3", "W=3"},
            {"LSTM", "--B", "2", "--K", "2", "T=4", "in=3", "H=2"},
            {"GRU", "--B", "2", "--K", "2", "T=4", "in=3", "H=2", "time_first"},
            {"SequenceBias", "--B", "2", "--K", "2", "T=4", "D=3"},
        };
        for (String[] args : small) {
            String[] full = new String[args.length + 6];
            full[0] = "gradsample";
            System.arraycopy(args, 0, full, 1, args.length);
            System.arraycopy(new String[] {"--json", "--repeat", "2", "--reduction", "mean"}, 0, full,
                    args.length + 1, 5);
            CliRun r = CliRun.of(full);
            assertEquals(0, r.status(), Arrays.toString(full) + ": " + r.err());
            String json = r.out().strip();
            assertEquals("\"" + args[0] + "\"", field(json, "layer"));
            assertEquals(args[2], field(json, "B"));
            assertTrue(Long.parseLong(field(json, "median_ns")) > 0, json);
            assertTrue(Long.parseLong(field(json, "extra_bytes")) > 0, json);
        }
    }

    @Test
    void extraBytesCoverTheResults() {
        CliRun r = CliRun.of("gradsample", "Linear", "--B", "8", "--K", "2", "in=64", "out=32", "--json");
        assertEquals(0, r.status(), r.err());
        long extra = Long.parseLong(field(r.out(), "extra_bytes"));
        assertTrue(extra >= 8L * 32 * 64 * 4, "extra_bytes " + extra + " below the weight gradient's size");
    }

    @Test
    void textOutputNamesLayerResultAndTiming() {
        CliRun r = CliRun.of("gradsample", "Conv2d", "--B", "2", "--K", "3", "cin=2", "cout=2", "k=3", "H=5", "W=5",
                "bias", "--repeat", "1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("weight=[2, 2, 2, 3, 3] bias=[2, 2]"), r.out());
        assertTrue(r.out().contains("ms per call"), r.out());
        assertTrue(r.out().contains("MiB at peak"), r.out());
    }

    @Test
    void cudaWithoutADriverIsAOneLineErrorSayingWhy() {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.einsum4j.cuda.Cuda.unavailableReason().isPresent(),
                "CUDA works here");
        String line = CliRun.of("gradsample", "Linear", "in=2", "out=2", "--backend", "cuda").assertOneLineError(1);
        assertTrue(line.contains("CUDA backend unavailable for cuda:0: "), line);
    }

    @Test
    void onACudaDeviceJsonHasGpuTimeAndPeakDeviceMemory() {
        // the CUDA backend on the tests' recording driver: launches are recorded, events report 0.5 ms
        CliRun r = CliRun.of("gradsample", "Linear", "in=8", "out=4", "--B", "4", "--K", "2", "--backend",
                "fakecuda:11", "--repeat", "3", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("\"backend\": \"fakecuda:11\""), r.out());
        assertTrue(r.out().contains("\"gpu_median_ns\": 500000"), r.out());
        assertTrue(r.out().matches("(?s).*\"peak_device_bytes\": [1-9][0-9]*.*"), r.out());
        assertTrue(r.out().contains("\"device\": \"recording fake\""), r.out());
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        for (List<String> args : List.of(
                List.of("gradsample"),
                List.of("gradsample", "Dense", "in=2"),
                List.of("gradsample", "Linear", "in=2"),
                List.of("gradsample", "Linear", "in=2", "out=2", "colour=red"),
                List.of("gradsample", "Linear", "in=x", "out=2"),
                List.of("gradsample", "Linear", "in=2", "out=2", "--K", "0"),
                List.of("gradsample", "Conv2d", "cin=2", "cout=2", "k=3", "H=2", "W=2"),
                List.of("gradsample", "Linear", "in=2", "out=2", "--reduction", "max"))) {
            String line = CliRun.of(args.toArray(new String[0])).assertOneLineError(2);
            assertTrue(line.startsWith("einsum4j"), line);
        }
        String line = CliRun.of("gradsample", "Conv2d", "cin=2", "cout=2", "k=3", "H=5", "W=5",
                "padding_mode=reflect").assertOneLineError(2); // a bad command line, not a failed run
        assertTrue(line.contains("padding_mode 'reflect'"), line);
        line = CliRun.of("gradsample", "Linear", "in=2", "out=2", "colour=red").assertOneLineError(2);
        assertTrue(line.contains("unknown hyperparameter 'colour'"), line);
    }

    @Test
    void helpListsEveryLayerKindsOwnHelpLine() {
        String help = CliRun.of("gradsample", "--help").out();
        for (org.einsum4j.gradsample.LayerKind kind : org.einsum4j.gradsample.GradSamplerRegistry.builtinKinds()) {
            for (String line : kind.help().split("\n")) {
                assertTrue(help.contains("  " + line + "\n"), line + " missing from " + help);
            }
        }
        assertTrue(!help.contains("@LAYERS@"), help);
    }
}
