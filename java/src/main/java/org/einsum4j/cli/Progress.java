package org.einsum4j.cli;

import java.io.PrintWriter;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on stderr when the process has a terminal ({@code me.tongfei:progressbar}); nothing otherwise,
 * so logs and pipes get plain lines without control characters.
 */
final class Progress implements AutoCloseable {
    private final ProgressBar bar;

    private Progress(ProgressBar bar) {
        this.bar = bar;
    }

    /** A bar for {@code total} steps if {@code wanted} and stdout is a terminal. */
    static Progress start(boolean wanted, String task, long total) {
        if (!wanted || System.console() == null) {
            return new Progress(null);
        }
        return new Progress(new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUnit(" steps", 1).showSpeed()
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).build());
    }

    void step(int n) {
        if (bar != null) {
            bar.stepBy(n);
        }
    }

    /** Prints a line; on a terminal the bar's line is cleared first and redrawn on its next update. */
    void println(String line, PrintWriter out) {
        if (bar != null) {
            System.err.print("\r\033[K");
            System.err.flush();
        }
        out.println(line);
        out.flush();
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
        }
    }
}
