package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MainTest {

    @Test
    void topLevelHelpListsEveryRegisteredCommand() {
        for (String flag : new String[] {"--help", "-h", "help"}) {
            CliRun r = CliRun.of(flag);
            assertEquals(0, r.status());
            assertTrue(r.out().startsWith("einsum4j: "), r.out());
            for (Main.Command c : Main.COMMANDS) {
                assertTrue(r.out().contains("  " + c.name() + " "), c.name() + " missing from help: " + r.out());
            }
            assertEquals("", r.err());
        }
    }

    @Test
    void helpShowsOnlyRegisteredCommands() {
        String help = CliRun.of("--help").out();
        for (String later : new String[] {"path", "gradsample"}) {
            boolean registered = Main.COMMANDS.stream().anyMatch(c -> c.name().equals(later));
            assertEquals(registered, help.contains("  " + later + " "), later + " in help: " + help);
        }
    }

    @Test
    void everySubcommandHasHelp() {
        for (Main.Command c : Main.COMMANDS) {
            for (String flag : new String[] {"--help", "-h"}) {
                CliRun r = CliRun.of(c.name(), flag);
                assertEquals(0, r.status(), c.name() + " " + flag + ": " + r.err());
                assertTrue(r.out().startsWith("Usage: einsum4j " + c.name()), r.out());
                assertEquals("", r.err());
            }
            CliRun viaHelp = CliRun.of("help", c.name());
            assertEquals(0, viaHelp.status());
            assertEquals(CliRun.of(c.name(), "--help").out(), viaHelp.out());
        }
    }

    @Test
    void versionPrintsOneLine() {
        CliRun r = CliRun.of("--version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("einsum4j ") && r.out().strip().split("\n").length == 1, r.out());
    }

    @Test
    void noCommandIsAUsageError() {
        String line = CliRun.of().assertOneLineError(2);
        assertTrue(line.contains("no command given"), line);
    }

    @Test
    void unknownCommandIsAUsageErrorNamingIt() {
        String line = CliRun.of("frobnicate", "x").assertOneLineError(2);
        assertTrue(line.contains("'frobnicate'") && line.contains("contract"), line);
        CliRun.of("help", "frobnicate").assertOneLineError(2);
    }

    @Test
    void unexpectedExceptionsBecomeOneLineWithoutStackTrace() {
        java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
        int status = Main.report("einsum4j test", new NullPointerException("boom"), new java.io.PrintStream(e, true));
        assertEquals(1, status);
        String err = e.toString();
        assertEquals(1, err.strip().split("\n").length, err);
        assertTrue(err.startsWith("einsum4j test: internal error: java.lang.NullPointerException: boom"), err);
    }

    @Test
    void multiLineMessagesAreCutToTheirFirstLine() {
        java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
        int status = Main.report("einsum4j x",
                new org.einsum4j.spec.EinsumSyntaxException("ij%k", 2, "bad character '%'"),
                new java.io.PrintStream(e, true));
        assertEquals(2, status);
        assertEquals("einsum4j x: error: bad character '%' at position 2 in spec 'ij%k'", e.toString().strip());
    }
}
