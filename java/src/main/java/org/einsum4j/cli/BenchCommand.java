package org.einsum4j.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.einsum4j.cli.bench.BenchRunner;
import org.einsum4j.cli.bench.BenchRunner.Result;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code einsum4j bench}: the benchmark suites timed in this JVM for people who want numbers without JMH — a
 * progress bar on the terminal while the rows run, then a table (or {@code --json}). The published figures, with
 * numpy/opt_einsum/PyTorch beside them, come from {@code bench/run} (JMH); this command is the quick look.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = "time the benchmark suites (einsum, paths, layers) in this JVM",
        synopsisHeading = "",
        customSynopsis = "Usage: einsum4j bench [--suite einsum|paths|layers|dp] [--backend cpu|cuda] [--quick]"
            + " [--json]",
        footer = {"",
            "Times every row of a benchmark suite in this JVM (warm-up calls, then timed calls) and prints a table",
            "of the median and fastest time per row; a progress bar shows on the terminal while it runs. The rows",
            "are those of bench/run (../shared/bench/*.tsv): einsum (Einsum.contract on the einsum suite's shapes),",
            "paths (path search on seeded random networks of 6-60 operands), layers (grad samplers, layer suite,",
            "with the extra native memory per call). For figures beside numpy, opt_einsum and PyTorch use bench/run.",
            "",
            "Examples:",
            "  einsum4j bench --quick",
            "  einsum4j bench --suite layers --quick --json"})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Option(names = "--suite", paramLabel = "NAME", defaultValue = "einsum",
            description = "einsum (default), paths, layers, dp (dp: not in this build yet)")
    String suite;

    @Option(names = "--backend", paramLabel = "NAME", defaultValue = "cpu",
            description = "cpu (default) or cuda (einsum suite only, GPU shapes, needs a GPU)")
    String backend;

    @Option(names = "--quick", description = "fewer rows and calls (a minute or two on 2 cores)")
    boolean quick;

    @Option(names = "--json", description = "print one JSON object: suite, backend, rows with median_ms, min_ms, "
            + "calls, extra_mib")
    boolean json;

    @Override
    public Integer call() {
        BenchRunner.Options o = new BenchRunner.Options(suite(suite), backend(backend), quick);
        // the bar needs a PrintStream and shows only on a terminal: the JVM's stderr is that terminal
        command.commandLine().getOut().print(execute(o, json, System.err));
        return Main.OK;
    }

    /** Parses the suite name as the command line gives it. */
    static BenchRunner.Suite suite(String name) {
        for (BenchRunner.Suite s : BenchRunner.Suite.values()) {
            if (s.label().equals(name.toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new UsageException("unknown suite '" + name + "' (suites: einsum, paths, layers, dp)");
    }

    /** Checks the backend name as the command line gives it. */
    static String backend(String name) {
        String b = name.toLowerCase(Locale.ROOT);
        if (!b.equals("cpu") && !b.equals("cuda")) {
            throw new UsageException("unknown backend '" + name + "' (backends: cpu, cuda)");
        }
        return b;
    }

    /**
     * Runs the suite and returns the table or JSON text; the progress bar goes to {@code progress} when this JVM
     * has a terminal. A suite this build cannot run throws {@link BenchRunner.NotAvailableException} before any work.
     * Independent of the command-line parser: {@link #run} (and any other front end) only parses and prints.
     */
    static String execute(BenchRunner.Options o, boolean json, PrintStream progress) {
        int total = BenchRunner.rows(o).size();
        List<Result> results;
        try (ProgressBar bar = System.console() == null ? null : new ProgressBarBuilder()
                .setTaskName(o.suite().label()).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(progress)).hideEta().build()) {
            results = BenchRunner.run(o, (i, n, id) -> {
                if (bar != null) {
                    bar.stepTo(i);
                    bar.setExtraMessage(id);
                }
            });
        }
        return json ? json(o, results) : table(o, results);
    }

    static String table(BenchRunner.Options o, List<Result> rows) {
        boolean mib = rows.stream().anyMatch(r -> r.extraMib() != null);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "einsum4j bench: suite %s, backend %s, %s; %s, %d cores%n",
                o.suite().label(), o.backend(), o.quick() ? "quick" : "full", System.getProperty("os.arch"),
                Runtime.getRuntime().availableProcessors()));
        int w0 = Math.max(3, rows.stream().mapToInt(r -> r.id().length()).max().orElse(3));
        int w1 = Math.max(4, rows.stream().mapToInt(r -> r.label().length()).max().orElse(4));
        String fmt = "%-" + w0 + "s  %-" + w1 + "s  %12s  %12s  %5s" + (mib ? "  %9s" : "%s") + "  %s%n";
        sb.append(String.format(Locale.ROOT, fmt, "row", "what", "median", "fastest", "calls", mib ? "extra MiB" : "",
                "shapes"));
        for (Result r : rows) {
            sb.append(String.format(Locale.ROOT, fmt, r.id(), r.label(), ms(r.medianMs()), ms(r.minMs()), r.calls(),
                    mib ? (r.extraMib() == null ? "-" : String.format(Locale.ROOT, "%.1f", r.extraMib())) : "",
                    r.detail()));
        }
        return sb.toString();
    }

    static String json(BenchRunner.Options o, List<Result> rows) {
        StringBuilder sb = new StringBuilder();
        sb.append("{\"suite\": ").append(Json.string(o.suite().label())).append(", \"backend\": ")
                .append(Json.string(o.backend())).append(", \"quick\": ").append(o.quick()).append(", \"cores\": ")
                .append(Runtime.getRuntime().availableProcessors()).append(", \"rows\": [");
        for (int i = 0; i < rows.size(); i++) {
            Result r = rows.get(i);
            sb.append(i > 0 ? ", " : "").append("{\"id\": ").append(Json.string(r.id())).append(", \"what\": ")
                    .append(Json.string(r.label())).append(", \"detail\": ").append(Json.string(r.detail()))
                    .append(", \"median_ms\": ").append(Json.number(r.medianMs())).append(", \"min_ms\": ")
                    .append(Json.number(r.minMs())).append(", \"calls\": ").append(r.calls())
                    .append(", \"extra_mib\": ").append(r.extraMib() == null ? "null" : Json.number(r.extraMib()))
                    .append('}');
        }
        return sb.append("]}\n").toString();
    }

    private static String ms(double v) {
        if (v >= 1000) {
            return String.format(Locale.ROOT, "%.2f s", v / 1000);
        }
        if (v >= 1) {
            return String.format(Locale.ROOT, "%.3f ms", v);
        }
        return String.format(Locale.ROOT, "%.1f µs", v * 1000);
    }
}
