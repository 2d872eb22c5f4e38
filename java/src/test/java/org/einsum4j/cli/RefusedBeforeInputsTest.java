package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.tensor.HostAllocator;
import org.einsum4j.tensor.LiveBytes;
import org.einsum4j.testing.SystemProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Issue 13, item 2, the command line: {@code contract} and {@code gradsample} check what the run will need (the
 * random inputs plus the call's result, intermediates and workspace) before they make the inputs, so an
 * impossible run fails at once with one line saying what it needs and what is available, instead of filling
 * memory with inputs first. Checked with the allocator's peak: it does not move.
 */
@Isolated
class RefusedBeforeInputsTest {
    private static String refused(String... args) {
        long before = LiveBytes.settled();
        HostAllocator.resetPeak();
        String line = CliRun.of(args).assertOneLineError(Main.FAILED);
        assertEquals(before, HostAllocator.peakBytes(), "inputs were made before the refusal: " + line);
        assertTrue(line.contains("needs") && line.contains("available"), line);
        return line;
    }

    @Test
    void contractLargerThanTheHost() {
        // 2 x 1.6 GB of inputs and a 6.4e17-byte result: refused before the inputs exist
        String line = refused("contract", "ij,kl->ijkl", "20000x20000", "20000x20000");
        assertTrue(line.contains("640"), line);
    }

    @Test
    void theUserLimitCountsTheInputs() {
        SystemProperties.with("einsum4j.maxCallBytes", "1000000", () -> {
            // 8 MB of inputs and 4 MB of result over a 1 MB limit
            refused("contract", "ij,jk->ik", "1000x1000", "1000x1000");
            refused("gradsample", "Linear", "--B", "64", "--K", "16", "in=1024", "out=1024");
        });
    }

    @Test
    void gradsampleLargerThanTheHost() {
        // B*K = 1e7 rows of a Conv2d: the unfolded input alone is 1e7 x 27 x 900 x 4 bytes
        refused("gradsample", "Conv2d", "--B", "100000", "--K", "100", "cin=3", "cout=16", "k=3", "H=32", "W=32");
    }
}
