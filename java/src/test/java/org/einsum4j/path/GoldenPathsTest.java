package org.einsum4j.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum4jException;
import org.einsum4j.spec.Contraction;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every row of golden/einsum/expected_paths.tsv (opt_einsum's own path assertions) as a test. */
class GoldenPathsTest {
    static List<String[]> rows(String name) throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = GoldenPathsTest.class.getResourceAsStream("/golden/einsum/" + name);
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = r.readLine();
            int cols = header.split("\t", -1).length;
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                rows.add(Arrays.copyOf(f, Math.max(cols, f.length)));
            }
        }
        return rows;
    }

    private static final Set<String> NAMED = Set.of("greedy", "branch-all", "branch-2", "branch-1", "optimal",
            "dp", "auto", "auto-hq");

    @TestFactory
    Stream<DynamicTest> expectedPaths() throws IOException {
        return rows("expected_paths.tsv").stream().map(f -> DynamicTest.dynamicTest(f[0], () -> check(f)));
    }

    private static long limitOf(String s) {
        return s.isEmpty() ? ContractOptions.NO_LIMIT : ContractOptions.parseMemoryLimit(s);
    }

    private static void check(String[] f) {
        String id = f[0];
        String expr = f[2];
        String algo = f[5];
        String mem = f[6];
        String expected = f[7];
        String expectedCost = f[8];
        String expectedLargest = f[9];
        String notes = f[10];
        Contraction c = Nets.bind(expr, f[3]);
        if (algo.startsWith("paths.")) {
            // called as fn(inputs_sets, output_set, size_dict, memory_limit), no contract_path around it
            PathOptimizer o = PathOptimizers.get(algo.substring(6, algo.indexOf('(')));
            List<int[]> p = o.optimize(c.inputs(), c.output(), c.sizes(), Long.parseLong(mem));
            assertEquals(expected, Nets.format(p), id);
            return;
        }
        if (NAMED.contains(algo)) {
            if (mem.startsWith("mincost")) {
                // the least possible largest intermediate, from dp minimizing size: dp fits in it, not in one less
                PathInfo sizeInfo = Planner.plan(c, ContractOptions.defaults().withOptimize("dp-size"));
                long mincost = sizeInfo.largestIntermediate().longValueExact();
                assertEquals(6912, mincost, id);
                PathInfo ok = Planner.plan(c, "dp", mincost);
                assertTrue(ok.largestIntermediate().longValueExact() <= mincost
                        || ok.steps().size() == 1, id);
                assertThrows(Einsum4jException.class, () -> Planner.plan(c, "dp", mincost - 1), id);
                return;
            }
            PathInfo info = Planner.plan(c, algo, limitOf(mem));
            if (!expected.isEmpty()) {
                assertEquals(expected, Nets.format(info.path()), id);
            }
            if (!expectedCost.isEmpty()) {
                assertEquals(new BigInteger(expectedCost), info.optCost(), id);
            }
            if (!expectedLargest.isEmpty()) {
                assertEquals(new BigInteger(expectedLargest), info.largestIntermediate(), id);
            }
            Matcher naive = Pattern.compile("naive_cost=(\\d+)").matcher(notes);
            if (naive.find()) {
                assertEquals(new BigInteger(naive.group(1)), info.naiveCost(), id);
            }
            Matcher scale = Pattern.compile("max\\(scale_list\\)==(\\d+)").matcher(notes);
            if (scale.find()) {
                assertEquals(Integer.parseInt(scale.group(1)), info.optimizedScaling(), id);
            }
            return;
        }
        if (algo.equals("ALL(_PATH_OPTIONS)")) {
            Matcher m = Pattern.compile("len\\(path\\)==(\\d+)").matcher(notes);
            assertTrue(m.find(), id);
            for (String name : OptimalityTest.BUILT_IN) {
                PathInfo info = Planner.plan(c, name, ContractOptions.NO_LIMIT);
                assertEquals(Integer.parseInt(m.group(1)), info.path().size(), id + " " + name);
            }
            return;
        }
        Matcher dp = Pattern.compile("DynamicProgramming\\(minimize='([a-z0-9-]+)'\\)").matcher(algo);
        if (dp.matches()) {
            PathInfo info = Planner.plan(c, ContractOptions.defaults().withOptimizer(PathOptimizers.dp(dp.group(1))));
            assertEquals(expected, Nets.format(info.path()), id);
            assertEquals(new BigInteger(expectedCost), info.optCost(), id);
            assertEquals(new BigInteger(expectedLargest), info.largestIntermediate(), id);
            return;
        }
        if (algo.startsWith("DynamicProgramming(search_outer=True)")) {
            PathInfo outer = Planner.plan(c, ContractOptions.defaults()
                    .withOptimizer(PathOptimizers.dp("flops", -1, true)));
            PathInfo inner = Planner.plan(c, ContractOptions.defaults()
                    .withOptimizer(PathOptimizers.dp("flops", -1, false)));
            assertEquals(BigInteger.valueOf(28), outer.optCost(), id);
            assertEquals(BigInteger.valueOf(36), inner.optCost(), id);
            assertEquals("(0,1),(0,1)", Nets.format(outer.path()), id);
            assertEquals("(1,2),(0,1)", Nets.format(inner.path()), id);
            return;
        }
        if (algo.startsWith("DynamicProgramming(cost_cap=")) {
            for (long cap : new long[] {-1, 0, 100}) {
                PathInfo info = Planner.plan(c, ContractOptions.defaults()
                        .withOptimizer(PathOptimizers.dp("flops", cap, false)));
                assertEquals(BigInteger.valueOf(6928), info.optCost(), id + " cap " + cap);
            }
            return;
        }
        if (algo.startsWith("explicit")) {
            List<int[]> path = Nets.parsePath(algo.substring("explicit".length()));
            PathInfo info = Planner.plan(c, ContractOptions.defaults().withPath(path));
            assertEquals(Nets.format(path), Nets.format(info.path()), id);
            if (!expectedLargest.isEmpty()) {
                assertEquals(new BigInteger(expectedLargest), info.largestIntermediate(), id);
                assertFalse(info.toString().isEmpty(), id);
            }
            return;
        }
        if (algo.startsWith("custom:")) {
            PathOptimizer leftToRight = (inputs, output, sizes, limit) -> {
                List<int[]> p = new ArrayList<>();
                for (int k = 0; k < inputs.length - 1; k++) {
                    p.add(new int[] {0, 1});
                }
                return p;
            };
            PathInfo info = Planner.plan(c, ContractOptions.defaults().withOptimizer(leftToRight));
            assertEquals(expected, Nets.format(info.path()), id);
            assertEquals("custom", info.optimizer(), id);
            return;
        }
        if (algo.equals("True|False|None")) {
            PathInfo info = Planner.plan(c, ContractOptions.defaults());
            assertEquals(2, info.path().size(), id);
            assertArrayEquals(new int[] {0, 1}, info.steps().get(1).result().length == 2 ? new int[] {0, 1}
                    : null, id);
            return;
        }
        if (algo.equals("auto (contract_expression)")) {
            PathInfo info = Planner.plan(c, ContractOptions.defaults());
            assertEquals("bc,ab->bca", info.steps().get(0).einsum(), id);
            assertEquals(BlasClass.NONE, info.steps().get(0).blas(), id);
            assertEquals("bca,bd->acd", info.steps().get(1).einsum(), id);
            assertEquals(BlasClass.GEMM, info.steps().get(1).blas(), id);
            return;
        }
        throw new AssertionError("row not understood: " + id + " / " + algo);
    }

    private static void assertArrayEquals(int[] a, int[] b, String msg) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(a, b, msg);
    }
}
