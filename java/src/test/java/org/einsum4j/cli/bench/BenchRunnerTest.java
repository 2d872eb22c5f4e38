package org.einsum4j.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.einsum4j.cli.bench.BenchRunner.Options;
import org.einsum4j.cli.bench.BenchRunner.Result;
import org.einsum4j.cli.bench.BenchRunner.Suite;
import org.junit.jupiter.api.Test;

class BenchRunnerTest {
    @Test
    void einsumRowsAreTimedOnTheirCpuShapesWithProgressBeforeEachRow() {
        List<String> seen = new ArrayList<>();
        List<Result> r = BenchRunner.run(new Options(Suite.EINSUM, "cpu", true), List.of("E08", "E13"),
                (i, total, id) -> seen.add(i + "/" + total + " " + id));
        assertEquals(List.of("0/2 E08", "1/2 E13", "2/2 "), seen);
        assertEquals("E08", r.get(0).id());
        assertEquals("ii->i", r.get(0).label());
        assertEquals("2048x2048", r.get(0).detail());
        assertEquals("12x12x12;12x12;12x12;12x12;12x12", r.get(1).detail());
        for (Result x : r) {
            assertTrue(x.minMs() > 0 && x.minMs() <= x.medianMs(), x.toString());
            assertEquals(5, x.calls());
            assertNull(x.extraMib());
        }
    }

    @Test
    void layerRowsReportTheExtraMemoryOfTheirResults() {
        Result r = BenchRunner.run(new Options(Suite.LAYERS, "cpu", true), List.of("L09"), (i, t, id) -> { })
                .get(0);
        // GroupNorm C=64, B=64: weight and bias gradients [64, 64] float32 each = 32 KiB at least
        assertTrue(r.extraMib() != null && r.extraMib() >= 2 * 64 * 64 * 4 / 1048576.0, r.toString());
        assertEquals("GroupNorm", r.label());
    }

    @Test
    void pathRowsNameOperandsAndOptimizer() {
        Result r = BenchRunner.run(new Options(Suite.PATHS, "cpu", true), List.of("n6-greedy"), (i, t, id) -> { })
                .get(0);
        assertEquals("greedy", r.label());
        assertEquals("6 operands", r.detail());
        List<String> quick = BenchRunner.rows(new Options(Suite.PATHS, "cpu", true));
        assertTrue(quick.contains("n10-optimal") && !quick.contains("n16-optimal") && quick.contains("n60-auto-hq"),
                quick.toString());
    }

    @Test
    void quickLayerSuiteSkipsTheLargestRowsAndFullRunsAll() {
        assertEquals(List.of("L01", "L03", "L05", "L07s", "L08", "L09", "L10"),
                BenchRunner.rows(new Options(Suite.LAYERS, "cpu", true)));
        assertEquals(11, BenchRunner.rows(new Options(Suite.LAYERS, "cpu", false)).size());
        assertEquals(14, BenchRunner.rows(new Options(Suite.EINSUM, "cpu", false)).size());
    }

    @Test
    void suitesThatThisBuildCannotRunSaySo() {
        var e = assertThrows(BenchRunner.NotAvailableException.class,
                () -> BenchRunner.rows(new Options(Suite.DP, "cpu", true)));
        assertTrue(e.getMessage().contains("DP step suite"), e.getMessage());
        var c = assertThrows(BenchRunner.NotAvailableException.class,
                () -> BenchRunner.run(new Options(Suite.LAYERS, "cuda", true), (i, t, id) -> { }));
        assertTrue(c.getMessage().contains("CPU only"), c.getMessage());
    }

    @Test
    void sweepScalesTheLeadingDimensionOfEveryOperand() {
        int[][] s = EinsumSuite.row("E01").scaledCpuShapes(0.5);
        assertEquals(32, s[0][0]);
        assertEquals(32, s[1][0]);
        assertEquals(128, s[0][1]);
        assertThrows(IllegalArgumentException.class, () -> EinsumSuite.row("E03").scaledCpuShapes(2));
    }
}
