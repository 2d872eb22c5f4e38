package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.tensor.DType;
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
    void readmeGradSampleExample() throws IOException {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 64 * 16, 1024);   // activations [B*K, in]
             Tensor g = Tensor.random(DType.FLOAT32, 2, 64 * 16, 512)) {  // backprops   [B*K, out]
            Map<String, Tensor> grads = GradSampler.compute(new LinearLayer(1024, 512, true), a, g, 16);
            try (Tensor w = grads.get("weight"); Tensor b = grads.get("bias")) {
                assertEquals("(64, 512, 1024) (64, 512)", w.shape() + " " + b.shape());
            }
        }
        String text = Files.readString(Path.of("..", "README.md"));
        assertTrue(text.contains("Map<String, Tensor> grads = GradSampler.compute(new LinearLayer(1024, 512, true), a, g, 16);"),
                "README grad sampler example changed");
        assertTrue(text.contains("// (64, 512, 1024) (64, 512)"), "README grad sampler output changed");
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
