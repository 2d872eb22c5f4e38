package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** {@code einsum4j dp}: one timed DP step per small layer-suite-like workload, ghost and materialized. */
class DpCommandTest {

    private static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\": (\"[^\"]*\"|[-0-9.eE+]+)").matcher(json);
        assertTrue(m.find(), "no field " + name + " in " + json);
        return m.group(1);
    }

    @Test
    void jsonReportsTimeMemoryAndModeForEachSmallLayer() {
        String[][] small = {
            {"Linear", "--B", "4", "--K", "2", "in=8", "out=6", "bias"},
            {"Linear", "--B", "2", "--K", "2", "--T", "3", "in=8", "out=6"},
            {"Conv2d", "--B", "2", "--K", "2", "cin=4", "cout=4", "k=3", "pad=1", "groups=2", "H=6", "W=6", "bias"},
            {"Embedding", "--B", "3", "--K", "2", "T=5", "V=50", "D=4"},
            {"LayerNorm", "--B", "2", "--K", "2", "T=3", "D=8"},
            {"GroupNorm", "--B", "2", "--K", "2", "C=8", "groups=4", "H=3", "W=3"},
            {"LSTM", "--B", "2", "--K", "2", "T=3", "in=4", "H=3"},
        };
        for (String[] row : small) {
            for (String mode : new String[] {"--ghost", "--mode=materialized"}) {
                String[] args = new String[row.length + 5];
                args[0] = "dp";
                System.arraycopy(row, 0, args, 1, row.length);
                args[row.length + 1] = mode;
                args[row.length + 2] = "--json";
                args[row.length + 3] = "--repeat=1";
                args[row.length + 4] = "--warmup=0";
                CliRun r = CliRun.of(args);
                assertEquals(0, r.status(), String.join(" ", args) + ": " + r.err());
                assertEquals(mode.equals("--ghost") ? "\"ghost\"" : "\"materialized\"", field(r.out(), "mode"));
                assertTrue(Long.parseLong(field(r.out(), "median_ns")) > 0, r.out());
                assertTrue(Long.parseLong(field(r.out(), "extra_bytes")) > 0, r.out());
            }
        }
    }

    @Test
    void ghostHoldsLessMemoryThanMaterializingForManyCopies() {
        String[] base = {"dp", "Linear", "--B", "8", "--K", "16", "in=64", "out=64", "bias", "--json", "--repeat=1",
            "--warmup=0"};
        CliRun mat = CliRun.of(base);
        String[] ghostArgs = java.util.Arrays.copyOf(base, base.length + 1);
        ghostArgs[base.length] = "--ghost";
        CliRun ghost = CliRun.of(ghostArgs);
        long m = Long.parseLong(field(mat.out(), "extra_bytes"));
        long g = Long.parseLong(field(ghost.out(), "extra_bytes"));
        assertTrue(g < m, "ghost " + g + " bytes vs materialized " + m);
    }

    @Test
    void textOutputAndErrors() {
        CliRun r = CliRun.of("dp", "Linear", "--B", "4", "--K", "2", "in=8", "out=6", "--ghost", "--repeat=1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("norms ghost") && r.out().contains("ms per step"), r.out());
        CliRun.of("dp").assertOneLineError(2);
        CliRun.of("dp", "Linear", "in=8", "out=6", "--mode", "fast").assertOneLineError(2);
        CliRun.of("dp", "Linear", "in=8", "out=6", "--C", "0").assertOneLineError(1);
        CliRun.of("dp", "Linear", "in=8", "out=6", "--sigma", "-1").assertOneLineError(1);
    }
}
