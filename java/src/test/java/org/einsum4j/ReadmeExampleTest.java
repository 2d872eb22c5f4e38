package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.einsum4j.tensor.Shape;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The README's Java example, kept compiling and correct. */
class ReadmeExampleTest {

    @Test
    void readmeMatrixProductExample() {
        try (Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
             Tensor b = Tensor.of(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
             Tensor c = Einsum.contract("ij,jk->ik", a, b)) {
            assertEquals(Shape.of(2, 2), c.shape());
            assertArrayEquals(new float[] {4, 5, 10, 11}, c.toFloatArray());
            assertEquals("(2, 2) [4.0, 5.0, 10.0, 11.0]", c.shape() + " " + java.util.Arrays.toString(c.toFloatArray()));
        }
    }

    @Test
    void readmeShowsThisExampleVerbatim() throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        assertTrue(text.contains("Tensor c = Einsum.contract(\"ij,jk->ik\", a, b)) {"), "README example changed");
        assertTrue(text.contains("// (2, 2) [4.0, 5.0, 10.0, 11.0]"), "README example output changed");
        assertTrue(text.contains("mvn -B verify"), "README test command");
    }

    @Test
    void ciRunsExactlyTheReadmeTestCommand() throws IOException {
        String readme = Files.readString(Path.of("..", "README.md"));
        java.util.List<String> ci = Files.readAllLines(Path.of("..", ".ci", "run"));
        String last = ci.get(ci.size() - 1).strip();
        assertEquals("mvn -B verify", last);
        assertTrue(readme.contains("```bash\n" + last + "\n```"), "README's test command block is not: " + last);
    }
}
