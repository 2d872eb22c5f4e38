package org.einsum4j.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.math.BigInteger;
import java.time.Duration;
import org.einsum4j.ContractOptions;
import org.einsum4j.spec.Contraction;
import org.junit.jupiter.api.Test;

/** Networks at the edges: zero-size labels, scalars, repeated labels, one operand. */
class EdgeCasesTest {
    @Test
    void zeroSizeLabelsPlanWithEveryOptimizer() {
        for (String expr : new String[] {"ab,bc,cd->ad", "ab,bc,cd->", "ab,bc,cd,de,ef->af"}) {
            for (String sizes : new String[] {"a=0 b=3 c=4 d=5 e=2 f=3", "a=2 b=0 c=4 d=5 e=2 f=3"}) {
                String s = sizes;
                Contraction c = Nets.bindSizes(expr, s);
                for (String name : OptimalityTest.BUILT_IN) {
                    PathInfo info = assertTimeoutPreemptively(Duration.ofSeconds(5),
                            () -> Planner.plan(c, name, -1), expr + " " + s + " " + name);
                    // n − 1 pairwise steps, plus dp's single-operand sums of labels on one operand alone
                    org.junit.jupiter.api.Assertions.assertTrue(info.path().size() >= c.numInputs() - 1, name);
                }
            }
        }
    }

    @Test
    void dpGivesUpUnderAMemoryLimitEvenWithAZeroSizeOutput() {
        // output size 0 makes dp's first cost cap 0; with nothing fitting the limit it must still end
        Contraction c = Nets.bindSizes("ab,bc,cd->a", "a=0 b=30 c=40 d=50");
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> org.junit.jupiter.api.Assertions.assertThrows(
                org.einsum4j.Einsum4jException.class,
                () -> PathOptimizers.get("dp").optimize(c.inputs(), c.output(), c.sizes(), 1)));
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> Planner.plan(c, "auto-hq", 1));
    }

    @Test
    void scalarsAndSingleOperands() {
        Contraction one = Nets.bind("aab->b", "(2,2,3)");
        PathInfo info = Planner.plan(one, ContractOptions.defaults());
        assertEquals("[(0,)]", Paths.format(info.path()));
        assertEquals(BigInteger.valueOf(12), info.optCost()); // labels {a, b}: 2·3, one term with a summed: ×2
        Contraction scalars = Nets.bind(",ab,->ab", "(),(2,3),()");
        for (String name : OptimalityTest.BUILT_IN) {
            assertEquals(2, Planner.plan(scalars, name, -1).path().size(), name);
        }
    }
}
