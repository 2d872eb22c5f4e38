package org.einsum4j.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The last step of bench/run: from every {@code bench/results/*.json}, writes its page {@code <stem>.md}, its
 * charts in {@code bench/results/charts/}, and the README's results section between {@link Markdown#BEGIN} and
 * {@link Markdown#END}. Nothing else in the README changes.
 *
 * <p>{@code java -Djava.awt.headless=true -cp bench/target/benchmarks.jar org.einsum4j.bench.report.Render
 * [--results bench/results] [--readme README.md] [--no-charts]}
 */
public final class Render {
    private Render() {
    }

    public static void main(String[] args) throws IOException {
        Path results = Path.of("bench/results");
        Path readme = Path.of("README.md");
        boolean charts = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--results" -> results = Path.of(args[++i]);
                case "--readme" -> readme = Path.of(args[++i]);
                case "--no-charts" -> charts = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]
                        + " (options: --results DIR, --readme FILE, --no-charts)");
            }
        }
        List<SuiteResult> all = SuiteResult.readAll(results);
        Map<String, List<String>> chartNames = chartNames(all);
        for (SuiteResult r : all) {
            Files.writeString(results.resolve(r.stem() + ".md"), Markdown.page(r, chartNames.get(r.stem())),
                    StandardCharsets.UTF_8);
            if (charts) {
                Charts.write(r, results.resolve("charts"));
            }
            System.out.println("rendered " + r.stem() + " (" + r.rows().size() + " rows, charts: "
                    + String.join(", ", chartNames.get(r.stem())) + ")");
        }
        removeStale(results, chartNames);
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        Files.writeString(readme, Markdown.replaceSection(text, Markdown.readmeSection(all, chartNames)),
                StandardCharsets.UTF_8);
        System.out.println("README results section: " + all.size() + " tables from " + results);
    }

    /** Deletes suite pages and charts whose JSON is gone (other notes in the folder are left alone). */
    static void removeStale(Path results, Map<String, List<String>> chartNames) throws IOException {
        List<Path> stale = new ArrayList<>();
        try (Stream<Path> files = Files.list(results)) {
            files.filter(f -> isSuitePage(f) && !chartNames.containsKey(stemOf(f))).forEach(stale::add);
        }
        Path charts = results.resolve("charts");
        if (Files.isDirectory(charts)) {
            List<String> all = chartNames.values().stream().flatMap(List::stream).toList();
            try (Stream<Path> files = Files.list(charts)) {
                files.filter(f -> !all.contains(f.getFileName().toString())).forEach(stale::add);
            }
        }
        for (Path f : stale) {
            Files.delete(f);
            System.out.println("removed " + f + " (no result JSON for it)");
        }
    }

    /** {@code <suite>-<machine>.md}: a page this class writes, as opposed to other notes in bench/results. */
    static boolean isSuitePage(Path p) {
        String name = p.getFileName().toString();
        return name.endsWith(".md") && SuiteResult.SUITE_ORDER.stream().anyMatch(s -> name.startsWith(s + "-"));
    }

    private static String stemOf(Path page) {
        return page.getFileName().toString().replaceFirst("\\.md$", "");
    }

    /** Chart file names per result stem. */
    public static Map<String, List<String>> chartNames(List<SuiteResult> all) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (SuiteResult r : all) {
            m.put(r.stem(), Charts.names(r));
        }
        return m;
    }
}
