package org.einsum4j.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        Files.writeString(readme, Markdown.replaceSection(text, Markdown.readmeSection(all, chartNames)),
                StandardCharsets.UTF_8);
        System.out.println("README results section: " + all.size() + " tables from " + results);
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
