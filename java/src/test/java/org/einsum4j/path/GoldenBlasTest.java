package org.einsum4j.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every row of golden/einsum/expected_blas.tsv (opt_einsum's can_blas) as a test. */
class GoldenBlasTest {
    @TestFactory
    Stream<DynamicTest> classesMatchCanBlas() throws IOException {
        return GoldenPathsTest.rows("expected_blas.tsv").stream().map(f -> DynamicTest.dynamicTest(
                f[1] + "->" + f[2] + " removed " + f[3] + " " + f[4] + " " + f[6], () -> {
                    String[] terms = f[1].split(",");
                    int[][] ops = {ids(terms[0]), ids(terms[1])};
                    int[][] shapes = null;
                    if (!f[4].isEmpty()) {
                        shapes = new int[2][];
                        String[] sh = f[4].replace("),(", ")|(").split("\\|");
                        for (int k = 0; k < 2; k++) {
                            String body = sh[k].replaceAll("[()]", "");
                            shapes[k] = java.util.Arrays.stream(body.split(",")).map(String::trim)
                                    .mapToInt(Integer::parseInt).toArray();
                        }
                    }
                    BlasClass got = BlasClass.classify(ops, ids(f[2]), ids(f[3]), shapes);
                    assertEquals(f[5], got.label());
                }));
    }

    private static int[] ids(String letters) {
        return letters.chars().toArray();
    }
}
