package org.einsum4j.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MarkdownTest {
    private static final String JSON = """
            {"schema": 1, "suite": "einsum", "title": "Einsum suite", "date": "2026-11-30T15:00Z",
             "machine": {"id": "cpu-2c", "cpu": "Some CPU", "cores": 2, "load": "quiet"},
             "command": "bench/run --quick --suite einsum", "mode": "quick",
             "versions": {"numpy": "2.4.6"}, "threads": {"einsum4j": "2"},
             "einsum4j_method": "JMH", "peer_method": "median",
             "peers": [{"key": "numpy", "name": "numpy.einsum", "method": "optimal", "available": true},
                       {"key": "opt_einsum", "name": "opt_einsum", "method": "", "available": false,
                        "why": "not importable"}],
             "rows": [{"id": "E01", "label": "ij,jk->ik", "detail": "2x3;3x4", "einsum4j": 0.5,
                       "peers": {"numpy": 1.5, "opt_einsum": null}, "speedup": {"numpy": 3.0}},
                      {"id": "E02", "label": "i,j->ij", "detail": "4;4", "einsum4j": 2500.0,
                       "peers": {"numpy": 1250.0, "opt_einsum": null}, "speedup": {"numpy": 0.5}}]}
            """;

    private static SuiteResult sample(Path dir) throws IOException {
        Path f = dir.resolve("einsum-cpu-2c.json");
        Files.writeString(f, JSON, StandardCharsets.UTF_8);
        return SuiteResult.read(f);
    }

    @Test
    void tableHasEinsum4jPeerAndSpeedupCellsInReadableUnits(@TempDir Path dir) throws IOException {
        String t = Markdown.table(sample(dir));
        assertTrue(t.contains(
                "| E01 | `ij,jk->ik` | 2x3;3x4 | 500 µs | 1.50 ms | 3.00× | peer not available here | - |"), t);
        assertTrue(t.contains("| E02 | `i,j->ij` | 4;4 | 2.50 s | 1.25 s | 0.50× |"), t);
    }

    @Test
    void pageNamesTheCommandAndTheUnavailablePeer(@TempDir Path dir) throws IOException {
        String p = Markdown.page(sample(dir), List.of("einsum-cpu-2c-speedup.png"));
        assertTrue(p.contains("- Command: `bench/run --quick --suite einsum` (quick mode), 2026-11-30T15:00Z"), p);
        assertTrue(p.contains("opt_einsum: not importable"), p);
        assertTrue(p.contains("![einsum-cpu-2c-speedup.png](charts/einsum-cpu-2c-speedup.png)"), p);
    }

    @Test
    void replacingTheSectionKeepsEverythingOutsideTheMarkers() {
        String readme = "# x\n\n## Results\n\n" + Markdown.BEGIN + "\nold figures\n" + Markdown.END + "\n\n## After\n";
        String out = Markdown.replaceSection(readme, "new\n");
        assertEquals("# x\n\n## Results\n\n" + Markdown.BEGIN + "\nnew\n" + Markdown.END + "\n\n## After\n", out);
        assertEquals("new\n", Markdown.section(out));
    }

    @Test
    void aReadmeWithoutMarkersIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Markdown.replaceSection("# no markers\n", "x"));
    }

    @Test
    void chartsAreDrawnHeadlessAsPng(@TempDir Path dir) throws IOException {
        SuiteResult r = sample(dir);
        assertEquals(List.of("einsum-cpu-2c-speedup.png"), Charts.names(r));
        Charts.write(r, dir.resolve("charts"));
        byte[] png = Files.readAllBytes(dir.resolve("charts/einsum-cpu-2c-speedup.png"));
        assertTrue(png.length > 1000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G');
        assertEquals(Map.of("einsum-cpu-2c", List.of("einsum-cpu-2c-speedup.png")), Render.chartNames(List.of(r)));
    }

    @Test
    void staleSuitePagesAndChartsGoButOtherNotesStay(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("charts"));
        for (String f : List.of("einsum-old-2c.md", "overhead.md", "einsum-cpu-2c.md",
                "charts/einsum-old-2c-speedup.png", "charts/einsum-cpu-2c-speedup.png")) {
            Files.writeString(dir.resolve(f), "x");
        }
        Render.removeStale(dir, Map.of("einsum-cpu-2c", List.of("einsum-cpu-2c-speedup.png")));
        assertTrue(Files.exists(dir.resolve("overhead.md")));
        assertTrue(Files.exists(dir.resolve("einsum-cpu-2c.md")));
        assertTrue(Files.exists(dir.resolve("charts/einsum-cpu-2c-speedup.png")));
        assertFalse(Files.exists(dir.resolve("einsum-old-2c.md")));
        assertFalse(Files.exists(dir.resolve("charts/einsum-old-2c-speedup.png")));
    }

    @Test
    void timesAndFactorsFormat() {
        assertEquals("12.3 ns", Markdown.time(0.0000123));
        assertEquals("999 µs", Markdown.time(0.999));
        assertEquals("1.00 ms", Markdown.time(1.0));
        assertEquals("1,234×", Markdown.times(1234.4));
        assertEquals("-", Markdown.time(null));
    }
}
