package org.einsum4j.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.einsum4j.ContractOptions;
import org.einsum4j.spec.Contraction;
import org.einsum4j.spec.EinsumSpec;
import org.junit.jupiter.api.Test;

/** The exhaustive optimizers refuse what they cannot finish, and stop at the search deadline (issue 13 item 5). */
class SearchLimitTest {
    /** A ring of n operands {@code abA,bcB,...}: every operand shares a label with both neighbours. */
    static Contraction ring(int n) {
        String letters = "abcdefghijklmnopqrstuvwxyz";
        String upper = letters.toUpperCase(java.util.Locale.ROOT);
        StringBuilder spec = new StringBuilder();
        int[][] shapes = new int[n][];
        for (int i = 0; i < n; i++) {
            spec.append(i > 0 ? "," : "").append(letters.charAt(i)).append(letters.charAt((i + 1) % n))
                    .append(upper.charAt(i));
            shapes[i] = new int[] {4, 4, 2};
        }
        return EinsumSpec.parse(spec + "->").bind(shapes);
    }

    private static void assertNamesAlternatives(SearchLimitException e) {
        for (String alt : new String[] {"greedy", "dp", "auto-hq"}) {
            assertTrue(e.getMessage().contains(alt), e.getMessage());
        }
    }

    @Test
    void optimalRefusesTwentyOperandsBeforeSearching() {
        long t0 = System.nanoTime();
        SearchLimitException e = assertThrows(SearchLimitException.class,
                () -> Planner.plan(ring(20), "optimal", ContractOptions.NO_LIMIT));
        assertTrue(System.nanoTime() - t0 < 5_000_000_000L, "refused late");
        assertTrue(e.getMessage().contains("20 operands"), e.getMessage());
        assertNamesAlternatives(e);
    }

    @Test
    void optimalStillSearchesSixteenOperands() {
        PathInfo info = Planner.plan(ring(16), "optimal", ContractOptions.NO_LIMIT);
        assertEquals(15, info.path().size());
    }

    @Test
    void depthFirstSearchesRefuseThirteenOperands() {
        assertNamesAlternatives(assertThrows(SearchLimitException.class,
                () -> Planner.plan(ring(13), "branch-all", ContractOptions.NO_LIMIT)));
        assertNamesAlternatives(assertThrows(SearchLimitException.class,
                () -> Planner.plan(ring(13), "optimal", 1_000_000)));
        // the alternatives named do handle it
        assertTrue(Planner.plan(ring(13), "greedy", ContractOptions.NO_LIMIT).path().size() >= 12);
        assertTrue(Planner.plan(ring(13), "dp", ContractOptions.NO_LIMIT).path().size() >= 12);
        assertTrue(Planner.plan(ring(13), "auto-hq", ContractOptions.NO_LIMIT).path().size() >= 12);
    }

    @Test
    void searchStopsAtTheDeadline() {
        // branch-all on a 12-ring takes seconds; 50 ms of search must end it well before
        ContractOptions options = ContractOptions.defaults().withOptimize("branch-all")
                .withMaxSearchTime(Duration.ofMillis(50));
        long t0 = System.nanoTime();
        SearchLimitException e = assertThrows(SearchLimitException.class, () -> Planner.plan(ring(12), options));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms < 1500, "stopped after " + ms + " ms");
        assertTrue(e.getMessage().contains("time limit of 50 ms"), e.getMessage());
        assertNamesAlternatives(e);
        ContractOptions optimal = options.withOptimize("optimal").withMemoryLimit(1_000_000);
        assertThrows(SearchLimitException.class, () -> Planner.plan(ring(12), optimal));
    }

    @Test
    void aDeadlineLeavesFastSearchesAlone() {
        ContractOptions options = ContractOptions.defaults().withOptimize("optimal")
                .withMaxSearchTime(Duration.ofSeconds(30));
        assertEquals(Planner.plan(ring(8), "optimal", ContractOptions.NO_LIMIT).path().size(),
                Planner.plan(ring(8), options).path().size());
        assertEquals(Duration.ofSeconds(30), options.withOptimize("greedy").withMemoryLimit(5).maxSearchTime());
    }

    @Test
    void rejectsNonPositiveDeadline() {
        assertThrows(org.einsum4j.Einsum4jException.class,
                () -> ContractOptions.defaults().withMaxSearchTime(Duration.ZERO));
    }
}
