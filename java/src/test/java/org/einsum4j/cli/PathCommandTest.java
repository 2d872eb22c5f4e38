package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PathCommandTest {
    @Test
    void printsPathAndOptEinsumsTable() {
        CliRun r = CliRun.of("path", "ij,jk,kl->il", "2x2", "2x5", "5x2");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("path = [(1, 2), (0, 1)]\n  Complete contraction:  ij,jk,kl->il\n"), r.out());
        assertTrue(r.out().contains("  Optimized FLOP count:  5.600e+1\n"), r.out());
        assertTrue(r.out().contains("   3           GEMM              kl,jk->lj                             ij,lj->il"),
                r.out());
        assertEquals("", r.err());
    }

    @Test
    void sizesGiveTheSameAsShapes() {
        CliRun a = CliRun.of("path", "ea,fb,abcd,gc,hd->efgh", "--sizes", "a=10,b=10,c=10,d=10,e=10,f=10,g=10,h=10",
                "--json");
        assertEquals(0, a.status(), a.err());
        CliRun b = CliRun.of("path", "ea,fb,abcd,gc,hd->efgh", "10x10", "10x10", "10x10x10x10", "10x10", "10x10",
                "--json");
        assertEquals(a.out().replaceAll("\"search_ns\": \\d+", ""), b.out().replaceAll("\"search_ns\": \\d+", ""));
    }

    @Test
    void jsonHasExactCostsAndTheSearchTime() {
        CliRun r = CliRun.of("path", "bgk,bkd,bk->bgd", "64x8x4096", "64x4096x128", "64x4096", "--optimize",
                "optimal", "--json");
        assertEquals(0, r.status(), r.err());
        String json = r.out().strip();
        Matcher m = Pattern.compile("\\{\"path\": \\[\\[\\d,\\d\\],\\[0,1\\]\\], \"opt_cost\": 538968064, "
                + "\"naive_cost\": (\\d+), \"largest_intermediate\": (\\d+), \"scalings\": \\[\\d,\\d\\], "
                + "\"optimizer\": \"optimal\", \"search_ns\": (\\d+)\\}").matcher(json);
        assertTrue(m.matches(), json);
        // naive: b·g·k·d over 3 terms with an inner product: 64·8·4096·128 · (2 + 1)
        assertEquals(String.valueOf(64L * 8 * 4096 * 128 * 3), m.group(1));
    }

    @Test
    void memoryLimitIsHonoured() {
        CliRun r = CliRun.of("path", "abc,bdef,fghj,cem,mhk,ljk->adgl", "2x3x4", "3x5x4x3", "3x2x6x4", "4x4x5",
                "5x6x3", "2x4x3", "--optimize", "greedy", "--memory-limit", "5", "--json");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().startsWith("{\"path\": [[0,1,2,3,4,5]]"), r.out());
        CliRun m = CliRun.of("path", "a,ac,ab,ad,cd,bd,bc->", "20", "20x20", "20x20", "20x20", "20x20", "20x20",
                "20x20", "--optimize", "optimal", "--memory-limit", "max_input", "--json");
        assertTrue(m.out().startsWith("{\"path\": [[0,1],[0,1,2,3,4,5]]"), m.out());
    }

    @Test
    void badArgumentsAreOneLineErrors() {
        assertTrue(CliRun.of("path").assertOneLineError(2).contains("missing SPEC"));
        assertTrue(CliRun.of("path", "ij,jk", "2x3").assertOneLineError(2).contains("2 operand(s) but 1"));
        assertTrue(CliRun.of("path", "ij,jk", "2x3", "3x4", "--optimize", "fastest").assertOneLineError(2)
                .contains("unknown path optimizer 'fastest'"));
        assertTrue(CliRun.of("path", "ij,jk", "2x3", "3x4", "--memory-limit", "lots").assertOneLineError(2)
                .contains("memory limit"));
        assertTrue(CliRun.of("path", "ij,jk", "2x3", "4x4").assertOneLineError(2).contains("j"));
        assertTrue(CliRun.of("path", "ij,jk", "--sizes", "i=2,j=3").assertOneLineError(2).contains("'k'"));
        assertTrue(CliRun.of("path", "ij,jk", "2xq", "3x4").assertOneLineError(2).contains("operand 0"));
        assertTrue(CliRun.of("path", "ij,jk", "2x3", "3x4", "--bogus").assertOneLineError(2)
                .contains("--bogus"));
    }
}
