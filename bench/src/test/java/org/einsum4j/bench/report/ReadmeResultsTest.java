package org.einsum4j.bench.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.einsum4j.bench.report.SuiteResult.Row;
import org.junit.jupiter.api.Test;

/**
 * The CI check that the README's figures are the JSON's: its results section, every suite page
 * {@code bench/results/<suite>-<machine>.md} and the charts they name are what {@link Render} makes from
 * {@code bench/results/*.json}, and the JSON's speed-ups are its own peer time over einsum4j time. A figure typed
 * into the README, a page edited by hand, or a JSON changed without {@code bench/run --render-only} fails here.
 */
class ReadmeResultsTest {
    private static final Path RESULTS = Path.of("results");
    private static final Path README = Path.of("..", "README.md");
    private static final String FIX = " (regenerate with: bench/run --render-only)";

    private static List<SuiteResult> all() {
        List<SuiteResult> all = SuiteResult.readAll(RESULTS);
        assertFalse(all.isEmpty(), "no result JSON in bench/results");
        return all;
    }

    @Test
    void readmeResultsSectionIsRenderedFromTheJson() throws IOException {
        List<SuiteResult> all = all();
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        String expected = Markdown.readmeSection(all, Render.chartNames(all));
        assertSame(expected, Markdown.section(readme), "README.md's results section");
    }

    /** Equal texts, or a failure naming the first line that differs (not two pages of text). */
    private static void assertSame(String expected, String actual, String what) {
        if (expected.equals(actual)) {
            return;
        }
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        for (int i = 0; i < Math.max(e.length, a.length); i++) {
            String el = i < e.length ? e[i] : "(end)";
            String al = i < a.length ? a[i] : "(end)";
            if (!el.equals(al)) {
                fail(what + " differs from the JSON at line " + (i + 1) + FIX + ":\n  JSON gives: " + el
                        + "\n  file has:   " + al);
            }
        }
    }

    @Test
    void everySuitePageIsRenderedFromItsJson() throws IOException {
        for (SuiteResult r : all()) {
            Path page = RESULTS.resolve(r.stem() + ".md");
            assertTrue(Files.exists(page), page + " missing" + FIX);
            assertSame(Markdown.page(r, Charts.names(r)), Files.readString(page, StandardCharsets.UTF_8),
                    page.toString());
        }
    }

    @Test
    void everyChartTheTablesNameExists() {
        for (SuiteResult r : all()) {
            for (String c : Charts.names(r)) {
                assertTrue(Files.isRegularFile(RESULTS.resolve("charts").resolve(c)),
                        "chart " + c + " missing" + FIX);
            }
        }
    }

    @Test
    void noPageOrChartIsLeftFromAResultThatIsGone() throws IOException {
        List<String> stems = all().stream().map(SuiteResult::stem).toList();
        try (var files = Files.list(RESULTS)) {
            for (Path f : files.filter(Render::isSuitePage).toList()) {
                String stem = f.getFileName().toString().replaceFirst("\\.md$", "");
                assertTrue(stems.contains(stem), f + " has no " + stem + ".json beside it");
            }
        }
        try (var files = Files.list(RESULTS.resolve("charts"))) {
            List<String> names = all().stream().flatMap(r -> Charts.names(r).stream()).toList();
            for (Path f : files.toList()) {
                assertTrue(names.contains(f.getFileName().toString()), f + " is no chart of any result JSON");
            }
        }
    }

    @Test
    void speedupsArePeerTimeOverEinsum4jTime() {
        for (SuiteResult r : all()) {
            for (List<Row> rows : List.of(r.rows(), r.sweep())) {
                for (Row x : rows) {
                    for (Map.Entry<String, Double> s : x.speedup().entrySet()) {
                        Double peer = x.peers().get(s.getKey());
                        if (peer == null || x.einsum4j() == null) {
                            fail(r.stem() + " " + x.id() + ": speed-up over " + s.getKey() + " without both times");
                        }
                        double expected = peer / x.einsum4j();
                        assertEquals(expected, s.getValue(), 1e-4 + 1e-3 * expected,
                                r.stem() + " " + x.id() + " speed-up over " + s.getKey());
                    }
                }
            }
        }
    }

    @Test
    void everyResultNamesItsCommandMachineDateAndVersions() {
        for (SuiteResult r : all()) {
            assertTrue(r.command() != null && !r.command().isBlank(), r.stem() + ": no command");
            assertTrue(r.date() != null && r.date().matches("\\d{4}-\\d\\d-\\d\\d.*"), r.stem() + ": no date");
            assertTrue(r.machine().cpu() != null || r.machine().card() != null, r.stem() + ": no CPU or card");
            assertFalse(r.versions().isEmpty(), r.stem() + ": no versions");
            assertEquals(r.suite() + "-" + r.machine().id(), r.stem());
            assertFalse(r.rows().isEmpty(), r.stem() + ": no rows");
        }
    }
}
