package org.einsum4j.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum;
import org.einsum4j.Einsum4jException;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.GoldenCases;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.einsum4j.testing.UnderTest;

/**
 * All 70 expressions of golden/einsum/cases.tsv, contracted with every optimizer (and with memory limits), give
 * the oracle's results: whatever path a planner picks, the result must not change.
 */
class EveryOptimizerContractTest {
    static final List<String> OPTIMIZERS = List.of("auto", "auto-hq", "optimal", "branch-all", "branch-2",
            "branch-1", "greedy", "random-greedy", "random-greedy-128", "dp", "dp-size", "dp-write", "dp-combo",
            "dp-limit");

    static List<Arguments> cases() {
        List<Arguments> args = new ArrayList<>();
        for (GoldenCases.Case c : GoldenCases.all()) {
            args.add(Arguments.of(c));
        }
        assertEquals(70, args.size());
        return args;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void everyOptimizerGivesTheOraclesResult(GoldenCases.Case c) {
        Tensor[] ops = GoldenCases.operands(c);
        try (Tensor expected = ReferenceEinsum.evaluate(c.expression(), ops)) {
            for (String name : OPTIMIZERS) {
                for (String limit : List.of("-1", "max_input")) {
                    ContractOptions o = ContractOptions.defaults().withOptimize(name).withMemoryLimit(limit);
                    Tensor actual;
                    try {
                        actual = UnderTest.contract(c.expression(), o, ops);
                    } catch (Einsum4jException e) {
                        // dp fails clearly when no tree of pairwise steps fits the limit (e.g. dba,ead,cad->bce:
                        // every pair makes 120 elements, max_input is 48); the others contract all at once then
                        assertTrue(name.startsWith("dp") && !limit.equals("-1"), c + " " + name + ": " + e);
                        assertTrue(e.getMessage().contains("no contraction found"), e.getMessage());
                        continue;
                    }
                    try (actual) {
                        Close.assertClose(expected, actual, 1e-10, c + " with " + name + ", memory " + limit);
                    }
                }
            }
        } finally {
            GoldenCases.closeAll(ops);
        }
    }
}
