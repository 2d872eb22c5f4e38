package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.einsum4j.cli.bench.BenchRunner;
import org.einsum4j.cli.bench.BenchRunner.Options;
import org.einsum4j.cli.bench.BenchRunner.Result;
import org.einsum4j.cli.bench.BenchRunner.Suite;
import org.junit.jupiter.api.Test;

class BenchCommandTest {
    private static final List<Result> ROWS = List.of(
            new Result("L09", "GroupNorm", "B=64 K=16 C=64", 12.5, 11.0, 3, 0.625),
            new Result("L10", "LSTM", "B=32 K=4 T=64", 0.5, 0.25, 3, null));

    @Test
    void tableHasOneLinePerRowWithMedianFastestAndMemory() {
        String t = BenchCommand.table(new Options(Suite.LAYERS, "cpu", true), ROWS);
        List<String> lines = t.lines().toList();
        assertEquals(4, lines.size(), t);
        assertTrue(lines.get(0).startsWith("einsum4j bench: suite layers, backend cpu, quick"), t);
        assertTrue(lines.get(1).contains("median") && lines.get(1).contains("extra MiB"), t);
        assertTrue(lines.get(2).matches("L09 +GroupNorm +12\\.500 ms +11\\.000 ms +3 +0\\.6 +B=64 K=16 C=64"),
                lines.get(2));
        assertTrue(lines.get(3).matches("L10 +LSTM +500\\.0 µs +250\\.0 µs +3 +- +B=32 K=4 T=64"), lines.get(3));
    }

    @Test
    void jsonIsOneObjectWithEveryRow() {
        String j = BenchCommand.json(new Options(Suite.LAYERS, "cpu", false), ROWS);
        assertTrue(j.startsWith("{\"suite\": \"layers\", \"backend\": \"cpu\", \"quick\": false"), j);
        assertTrue(j.contains("{\"id\": \"L09\", \"what\": \"GroupNorm\", \"detail\": \"B=64 K=16 C=64\", "
                + "\"median_ms\": 12.5, \"min_ms\": 11.0, \"calls\": 3, \"extra_mib\": 0.625}"), j);
        assertTrue(j.contains("\"extra_mib\": null}]}"), j);
    }

    @Test
    void quickPathSuiteRunsEndToEndAsJson() {
        CliRun r = CliRun.of("bench", "--suite", "paths", "--quick", "--json");
        assertEquals(0, r.status(), r.err());
        int rows = BenchRunner.rows(new Options(Suite.PATHS, "cpu", true)).size();
        assertEquals(rows, r.out().split("\"median_ms\"", -1).length - 1, r.out());
        assertTrue(r.out().contains("\"id\": \"n60-greedy\""), r.out());
    }

    @Test
    void badSuiteOrBackendIsAUsageError() {
        CliRun s = CliRun.of("bench", "--suite", "gemm");
        assertEquals(2, s.status());
        assertTrue(s.err().contains("unknown suite 'gemm' (suites: einsum, paths, layers, dp)"), s.err());
        CliRun b = CliRun.of("bench", "--backend", "tpu");
        assertEquals(2, b.status());
        assertTrue(b.err().contains("unknown backend 'tpu'"), b.err());
        assertEquals(2, CliRun.of("bench", "extra").status());
    }

    @Test
    void theDpSuiteThatIsNotInThisBuildFailsWithAReason() {
        CliRun r = CliRun.of("bench", "--suite", "dp");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("DP step suite is not in this build"), r.err());
    }
}
