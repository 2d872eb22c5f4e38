package org.einsum4j.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.einsum4j.Einsum4jException;
import org.einsum4j.path.PathInfo;
import org.einsum4j.path.Planner;
import org.einsum4j.spec.Contraction;
import org.einsum4j.spec.EinsumSpec;

/**
 * Coverage-guided fuzzing (Jazzer) of the spec parser: any text is parsed and bound to random shapes, then
 * planned. Each step either succeeds or throws an {@link Einsum4jException}; any other exception (an index out of
 * bounds, an overflow, a null) is a finding. In {@code mvn test} this replays the seed corpus in
 * {@code src/test/resources/org/einsum4j/fuzz/SpecFuzzTestInputs}; with {@code JAZZER_FUZZ=1} it fuzzes.
 */
class SpecFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void parseBindAndPlan(FuzzedDataProvider data) {
        int operands = data.consumeInt(0, 6);
        int[][] shapes = new int[operands][];
        for (int k = 0; k < operands; k++) {
            shapes[k] = new int[data.consumeInt(0, 5)];
            for (int d = 0; d < shapes[k].length; d++) {
                // mostly small sizes; sometimes anything (negative, huge) to reach the size checks
                shapes[k][d] = data.consumeBoolean() ? data.consumeInt(0, 4) : data.consumeInt();
            }
        }
        boolean plan = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        EinsumSpec spec;
        try {
            spec = EinsumSpec.parse(text);
        } catch (Einsum4jException expected) {
            return;
        }
        Contraction c;
        try {
            c = spec.bind(shapes);
        } catch (Einsum4jException expected) {
            return;
        }
        if (plan && c.numInputs() <= 8) {
            try {
                PathInfo info = Planner.plan(c, "auto", -1);
                info.toString();
            } catch (Einsum4jException expected) {
                // e.g. a network too large for the search
            }
        }
    }
}
