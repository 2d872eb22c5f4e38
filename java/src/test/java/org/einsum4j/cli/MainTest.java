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
            for (String c : Main.commandNames()) {
                assertTrue(r.out().contains("  " + c + " "), c + " missing from help: " + r.out());
            }
            assertEquals("", r.err());
        }
    }

    @Test
    void helpShowsOnlyRegisteredCommands() {
        String help = CliRun.of("--help").out();
        for (String later : new String[] {"path", "gradsample"}) {
            boolean registered = Main.commandNames().contains(later);
            assertEquals(registered, help.contains("  " + later + " "), later + " in help: " + help);
        }
    }

    @Test
    void everySubcommandHasHelp() {
        assertEquals(java.util.List.of("bench", "contract", "demo", "dp", "epsilon", "gradsample", "path"),
                Main.commandNames());
        for (String c : Main.commandNames()) {
            for (String flag : new String[] {"--help", "-h"}) {
                CliRun r = CliRun.of(c, flag);
                assertEquals(0, r.status(), c + " " + flag + ": " + r.err());
                assertTrue(r.out().startsWith("Usage: einsum4j " + c), r.out());
                assertTrue(r.out().contains("--help"), r.out());
                assertEquals("", r.err());
            }
            CliRun viaHelp = CliRun.of("help", c);
            assertEquals(0, viaHelp.status());
            assertEquals(CliRun.of(c, "--help").out(), viaHelp.out());
            CliRun version = CliRun.of(c, "--version");
            assertEquals(0, version.status(), version.err());
            assertTrue(version.out().startsWith("einsum4j "), version.out());
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
