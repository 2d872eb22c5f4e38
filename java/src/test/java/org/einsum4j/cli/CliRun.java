package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** One in-process run of the command line, with its captured output streams. */
record CliRun(int status, String out, String err) {

    static CliRun of(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        int status;
        try (PrintStream po = new PrintStream(o, true, StandardCharsets.UTF_8);
                PrintStream pe = new PrintStream(e, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, po, pe);
        }
        return new CliRun(status, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** Asserts a failure with this status and exactly one stderr line, no stack trace; returns the line. */
    String assertOneLineError(int expectedStatus) {
        assertEquals(expectedStatus, status, "status; stderr: " + err + " stdout: " + out);
        String[] lines = err.strip().split("\n");
        assertEquals(1, lines.length, "stderr should be one line: " + err);
        assertTrue(lines[0].startsWith("einsum4j"), lines[0]);
        assertTrue(lines[0].contains("error: "), lines[0]);
        assertFalse(err.contains("\tat "), "stack trace on stderr: " + err);
        return lines[0];
    }
}
