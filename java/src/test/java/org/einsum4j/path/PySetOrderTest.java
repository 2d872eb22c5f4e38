package org.einsum4j.path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * CPython's set iteration order as opt_einsum's searches build their sets. The resource holds 300 random
 * sequences {@code s = set(range(n)); s = s - {i, j} | {next}} with the order CPython 3.11 listed each set in.
 */
class PySetOrderTest {
    @Test
    void reproducesCPythonsIterationOrder() throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(
                PySetOrderTest.class.getResourceAsStream("/path/cpython_set_order.txt"), StandardCharsets.UTF_8))) {
            String line;
            PySetOrder s = null;
            int next = 0;
            int checked = 0;
            while ((line = r.readLine()) != null) {
                if (line.equals("END")) {
                    s = null;
                    continue;
                }
                int[] f = Arrays.stream(line.trim().split(" ")).mapToInt(Integer::parseInt).toArray();
                if (s == null) {
                    s = PySetOrder.range(f[0]);
                    next = f[0];
                    assertArrayEquals(Arrays.copyOfRange(f, 1, f.length), s.order(), line);
                } else {
                    s = s.minusPairPlus(f[0], f[1], next++);
                    assertArrayEquals(Arrays.copyOfRange(f, 2, f.length), s.order(), line);
                }
                checked++;
            }
            org.junit.jupiter.api.Assertions.assertTrue(checked > 1000);
        }
    }
}
