package org.einsum4j.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum;
import org.einsum4j.Einsum4jException;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.spec.Contraction;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The public planning API: Einsum.contractPath, ContractOptions' optimizer / path / memory limit, the registry. */
class PlannerApiTest {
    @Test
    void contractPathNeedsOnlyShapesAndPrintsOptEinsumsTable() {
        PathInfo info = Einsum.contractPath("ij,jk,kl->il", new int[] {2, 2}, new int[] {2, 5}, new int[] {5, 2});
        assertEquals("[(1, 2), (0, 1)]", Paths.format(info.path()));
        assertEquals(BigInteger.valueOf(56), info.optCost());
        assertEquals(BigInteger.valueOf(120), info.naiveCost());
        assertEquals(BigInteger.valueOf(4), info.largestIntermediate());
        assertEquals("auto", info.optimizer());
        assertTrue(info.toString().contains("   3           GEMM              kl,jk->lj"), info.toString());
        assertEquals(List.of("ij", "lj"), info.steps().get(0).remaining());
        assertEquals("ij,jk,kl", info.inputSubscripts());
        assertEquals("il", info.outputSubscript());
        assertEquals(java.util.Map.of("i", 2L, "j", 2L, "k", 5L, "l", 2L), info.sizeDict());
        assertEquals(List.of(BigInteger.valueOf(4), BigInteger.valueOf(4)), info.sizeList());
        assertEquals(5, info.shapes()[1][1]);
    }

    @Test
    void contractPathHonoursOptions() {
        PathInfo info = Einsum.contractPath("abc,bdef,fghj,cem,mhk,ljk->adgl",
                ContractOptions.defaults().withOptimize("GREEDY").withMemoryLimit(5), new int[] {2, 3, 4},
                new int[] {3, 5, 4, 3}, new int[] {3, 2, 6, 4}, new int[] {4, 4, 5}, new int[] {5, 6, 3},
                new int[] {2, 4, 3});
        assertEquals("[(0, 1, 2, 3, 4, 5)]", Paths.format(info.path()));
        assertEquals("greedy", info.optimizer());
    }

    @Test
    void explicitPathAndUserOptimizerDriveContract() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 3, 4); Tensor b = Tensor.random(DType.FLOAT64, 2, 4, 5);
                Tensor c = Tensor.random(DType.FLOAT64, 3, 5, 2);
                Tensor expected = ReferenceEinsum.evaluate("ij,jk,kl->il", a, b, c)) {
            List<int[]> path = List.of(new int[] {0, 2}, new int[] {0, 1});
            try (Tensor r = Einsum.contract("ij,jk,kl->il", ContractOptions.defaults().withPath(path), a, b, c)) {
                Close.assertClose(expected, r, 1e-12, "explicit path");
            }
            AtomicInteger calls = new AtomicInteger();
            PathOptimizer mine = (inputs, output, sizes, limit) -> {
                calls.incrementAndGet();
                return new ArrayList<>(List.of(new int[] {1, 2}, new int[] {0, 1}));
            };
            try (Tensor r = Einsum.contract("ij,jk,kl->il", ContractOptions.defaults().withOptimizer(mine), a, b, c)) {
                Close.assertClose(expected, r, 1e-12, "user optimizer");
            }
            assertEquals(1, calls.get());
        }
    }

    @Test
    void badPathsAreRejectedWithTheStepAndPositions() {
        Contraction c = Nets.bindSizes("ij,jk,kl->il", "i=2 j=3 k=4 l=5");
        InvalidPathException e = assertThrows(InvalidPathException.class,
                () -> Planner.plan(c, List.of(new int[] {0, 3})));
        assertTrue(e.getMessage().contains("step 0") && e.getMessage().contains("position 3"), e.getMessage());
        e = assertThrows(InvalidPathException.class, () -> Planner.plan(c, List.of(new int[] {1, 1})));
        assertTrue(e.getMessage().contains("twice"), e.getMessage());
        e = assertThrows(InvalidPathException.class, () -> Planner.plan(c, List.of(new int[] {0, 1})));
        assertTrue(e.getMessage().contains("leaves 2 operands"), e.getMessage());
        PathOptimizer broken = (inputs, output, sizes, limit) -> List.of(new int[] {0, 7});
        assertThrows(InvalidPathException.class,
                () -> Planner.plan(c, ContractOptions.defaults().withOptimizer(broken)));
    }

    @Test
    void unknownOptimizerNamesTheValidOnes() {
        Contraction c = Nets.bindSizes("ij,jk,kl->il", "i=2 j=3 k=4 l=5");
        Einsum4jException e = assertThrows(Einsum4jException.class, () -> Planner.plan(c, "fastest", -1));
        assertTrue(e.getMessage().contains("'fastest'") && e.getMessage().contains("branch-2"), e.getMessage());
        assertThrows(Einsum4jException.class, () -> PathOptimizers.get("dp-speed"));
    }

    @Test
    void registeredOptimizersAreFoundCaseInsensitivelyAndNeverReplaced() {
        PathOptimizer leftToRight = (inputs, output, sizes, limit) -> {
            List<int[]> p = new ArrayList<>();
            for (int k = 0; k < inputs.length - 1; k++) {
                p.add(new int[] {0, 1});
            }
            return p;
        };
        PathOptimizers.register("Left-To-Right-Test", leftToRight);
        Contraction c = Nets.bindSizes("ab,bc,cd", "a=2 b=3 c=4 d=5");
        assertEquals("[(0, 1), (0, 1)]", Paths.format(Planner.plan(c, "left-to-right-test", -1).path()));
        assertThrows(Einsum4jException.class, () -> PathOptimizers.register("greedy", leftToRight));
    }

    @Test
    void memoryLimitsParseAsOptEinsumAcceptsThem() {
        assertEquals(ContractOptions.MAX_INPUT, ContractOptions.parseMemoryLimit("max_input"));
        assertEquals(ContractOptions.NO_LIMIT, ContractOptions.parseMemoryLimit("-1"));
        assertEquals(1_000_000_000L, ContractOptions.parseMemoryLimit("1e9"));
        assertEquals(5, ContractOptions.parseMemoryLimit("5"));
        assertThrows(Einsum4jException.class, () -> ContractOptions.parseMemoryLimit("0"));
        assertThrows(Einsum4jException.class, () -> ContractOptions.parseMemoryLimit("-3"));
        assertThrows(Einsum4jException.class, () -> ContractOptions.parseMemoryLimit("lots"));
        assertThrows(Einsum4jException.class, () -> ContractOptions.defaults().withMemoryLimit(0));
    }

    @Test
    void costsBeyondSixtyThreeBitsAreExact() {
        // 40 operands of one shared label of size 2^40, chained: sizes overflow long, PathInfo stays exact
        StringBuilder spec = new StringBuilder();
        List<int[]> shapes = new ArrayList<>();
        for (int k = 0; k < 6; k++) {
            spec.append(k > 0 ? "," : "").append((char) ('a' + k)).append((char) ('a' + k + 1));
            shapes.add(new int[] {1 << 20, 1 << 20});
        }
        spec.append("->ag");
        Contraction c = Nets.bind(spec.toString(), shapes.toArray(new int[0][]));
        PathInfo info = Planner.plan(c, "greedy", -1);
        BigInteger m = BigInteger.ONE.shiftLeft(20);
        // every step: i·j·k with j summed → 2·m³; five steps
        assertEquals(m.pow(3).multiply(BigInteger.TWO).multiply(BigInteger.valueOf(5)), info.optCost());
        assertTrue(info.naiveCost().bitLength() > 63);
    }
}
