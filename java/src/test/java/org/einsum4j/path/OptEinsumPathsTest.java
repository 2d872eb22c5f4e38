package org.einsum4j.path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.einsum4j.ContractOptions;
import org.einsum4j.spec.Contraction;
import org.junit.jupiter.api.Test;

/**
 * opt_einsum's own paths on ~1000 seeded random networks (resources/path/opt_einsum_random_paths.tsv, written by
 * bench/compare/opt_einsum_paths.py with opt_einsum 3.4.0): greedy and branch-* give the same paths, with and
 * without memory limits; optimal gives the same paths where it runs the same depth-first search (up to 6
 * operands, or with a memory limit) and the same cost elsewhere; our dp is never costlier than opt_einsum's
 * (ours counts the ×2 of summed labels and also searches outer products in small components).
 */
class OptEinsumPathsTest {
    @Test
    void pathsMatchOptEinsum() throws IOException {
        List<String> mismatches = new ArrayList<>();
        int rows = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(OptEinsumPathsTest.class
                .getResourceAsStream("/path/opt_einsum_random_paths.tsv"), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                StringBuilder shapes = new StringBuilder();
                for (String s : f[1].split(";", -1)) {
                    shapes.append("(").append(s.replace('x', ',')).append(")");
                }
                Contraction c = Nets.bind(f[0], shapes.toString());
                ContractOptions o = ContractOptions.defaults().withOptimize(f[2]);
                if (!f[3].isEmpty()) {
                    o = o.withMemoryLimit(f[3]);
                }
                PathInfo info = Planner.plan(c, o);
                String path = "[" + Nets.format(info.path()) + "]";
                BigInteger cost = new BigInteger(f[5]);
                boolean dfs = c.numInputs() <= 6 || !f[3].isEmpty();
                if (f[2].equals("dp")) {
                    if (info.optCost().compareTo(cost) > 0) {
                        mismatches.add("dp costlier: " + line + " ours " + path + " " + info.optCost());
                    }
                } else if (f[2].equals("optimal") && !dfs) {
                    if (!info.optCost().equals(cost)) {
                        mismatches.add("optimal cost: " + line + " ours " + info.optCost());
                    }
                } else if (!path.equals(f[4])) {
                    mismatches.add(line + " ours " + path + " " + info.optCost());
                }
                rows++;
            }
        }
        assertTrue(rows > 900, "rows: " + rows);
        assertEquals(List.of(), mismatches);
    }
}
