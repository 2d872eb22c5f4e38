package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line's contract (issue 13 item 6): every bad input exits 2 with one line, shapes parse strictly,
 * {@code --output} is checked before the work. Each case here failed on the hand-written parser.
 */
class CommandLineContractTest {
    private static String usage(String... args) {
        return CliRun.of(args).assertOneLineError(2);
    }

    @Test
    void unknownOptimizerIsAUsageErrorInBothCommands() {
        assertTrue(usage("contract", "ij,jk->ik", "2x3", "3x4", "--optimize", "fastest")
                .contains("unknown path optimizer 'fastest'"));
        assertTrue(usage("path", "ij,jk->ik", "2x3", "3x4", "--optimize", "fastest")
                .contains("unknown path optimizer 'fastest'"));
    }

    @Test
    void badLayerHyperparametersAreUsageErrors() {
        assertTrue(usage("gradsample", "Embedding", "V=10", "D=4", "T=3", "pad_idx=10").contains("padding_idx"));
        assertTrue(usage("gradsample", "Conv2d", "cin=3", "cout=4", "k=3", "groups=2", "H=5", "W=5")
                .contains("groups"));
        assertTrue(usage("gradsample", "Conv1d", "cin=2", "cout=2", "k=3", "pad=-1", "L=8").contains("padding"));
    }

    @Test
    void overflowingRowCountIsAUsageErrorNotAnInternalError() {
        String line = usage("gradsample", "Linear", "in=2", "out=2", "--B", "100000", "--K", "100000");
        assertTrue(line.contains("--B 100000 times --K 100000"), line);
        assertFalse(line.contains("internal error"), line);
        assertTrue(usage("gradsample", "Linear", "in=2", "out=2", "--B", "99999999999").contains("--B"));
        assertTrue(usage("gradsample", "LSTM", "T=x", "in=2", "H=2", "--T", "3").contains("T=x"));
    }

    @Test
    void shapesParseStrictly() {
        for (String bad : new String[] {"3x", "x", "+2x3", "2xx3", "", " ", "3x+2", "0x-0"}) {
            String line = usage("contract", "ij->ij", bad);
            assertTrue(line.contains("operand 0") && line.contains("bad shape"), bad + " -> " + line);
        }
        String negative = usage("contract", "ij->ij", "-1x2");
        assertTrue(negative.contains("cannot be negative") && !negative.contains("unknown option"), negative);
        String big = usage("path", "ij,jk", "99999999999x2", "2x2");
        assertTrue(big.contains("larger than 2147483647") && !big.contains("non-negative"), big);
        assertEquals(0, CliRun.of("contract", "ij,jk->ik", "2X3", "3x4", "--repeat", "1").status());
    }

    @Test
    void unknownOptionsAreStillNamed() {
        assertTrue(usage("contract", "ij->ij", "2x2", "--fast").contains("unknown option '--fast'"));
        assertTrue(usage("contract", "--fast", "ij->ij", "2x2").contains("unknown option '--fast'"));
        assertTrue(usage("path", "ij->ij", "2x2", "-q").contains("unknown option '-q'"));
        assertTrue(usage("gradsample", "Linear", "in=2", "out=2", "--fast").contains("--fast"));
        // specs that start with a dash are specs
        assertEquals(0, CliRun.of("contract", "->", "scalar", "--repeat", "1").status(), CliRun.of("contract", "->",
                "scalar").err());
    }

    @Test
    void outputIsCheckedBeforeTheWorkWithTheReason(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no/such/dir/out.npy");
        String line = usage("contract", "ij->ij", "2x2", "--output", missing.toString());
        assertTrue(line.contains("does not exist"), line);
        line = usage("contract", "ij->ij", "2x2", "--output", dir.toString());
        assertTrue(line.contains("is a directory"), line);
        Path ro = Files.createDirectory(dir.resolve("ro"));
        if (ro.toFile().setWritable(false) && !Files.isWritable(ro)) { // root can write anyway
            line = usage("contract", "ij->ij", "2x2", "--output", ro.resolve("x.npy").toString());
            assertTrue(line.contains("not writable"), line);
        }
        ro.toFile().setWritable(true);
    }

    @Test
    void exhaustiveSearchTooLargeIsAUsageErrorNamingTheAlternatives() {
        StringBuilder spec = new StringBuilder();
        String[] shapes = new String[20];
        for (int i = 0; i < 20; i++) {
            spec.append(i > 0 ? "," : "").append((char) ('a' + i)).append((char) ('a' + (i + 1) % 20));
            shapes[i] = "2x2";
        }
        String[] args = new String[24];
        args[0] = "path";
        args[1] = spec + "->";
        System.arraycopy(shapes, 0, args, 2, 20);
        args[22] = "--optimize";
        args[23] = "optimal";
        String line = usage(args);
        assertTrue(line.contains("greedy") && line.contains("dp") && line.contains("auto-hq"), line);
        String timed = usage("path", "ij,jk,kl->il", "2x2", "2x2", "2x2", "--max-time", "0");
        assertTrue(timed.contains("--max-time"), timed);
    }

    @Test
    void typedOptionsRejectBadValues() {
        assertTrue(usage("contract", "ij->ij", "2x2", "--repeat", "1.5").contains("--repeat"));
        assertTrue(usage("gradsample", "Linear", "in=2", "out=2", "--reduction", "max").contains("--reduction"));
        assertTrue(usage("contract", "ij->ij", "2x2", "--dtype", "i64").contains("dtype"));
        assertTrue(usage("contract", "ij->ij", "2x2", "--repeat", "1", "--repeat", "2").contains("--repeat"));
    }

    @Test
    void argumentFilesAreNotExpanded() {
        String line = usage("contract", "@/etc/hostname");
        assertFalse(line.contains("No such file"), line);
    }

    /** Found by CliFuzzTest (crash-9c56f2c9…): an argument "+\tat " was echoed raw, a tab inside the one line. */
    @Test
    void controlCharactersInArgumentsAreEscapedInTheOneLine() {
        for (String[] args : new String[][] {{"+\tat "}, {"contract", "ij\n,jk->ik", "2x2", "2x2"},
            {"contract", "ij->ij", "2x\n2"}, {"path", "ij->ij", "--sizes", "i=2\n\tat x"}, {"fro\rb"}}) {
            CliRun r = CliRun.of(args);
            String line = r.assertOneLineError(2);
            assertFalse(line.contains("\t") || line.contains("\r"), line);
        }
        assertTrue(CliRun.of("+\tat ").err().contains("'+\\tat '"), CliRun.of("+\tat ").err());
    }
}
