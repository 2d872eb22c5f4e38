package org.einsum4j.gradsample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.einsum4j.testing.UnderTest;

/**
 * Every golden case (per-sample gradients from PyTorch by microbatching) against the samplers, for SUM and for
 * MEAN (= expected / K). Relative error ≤ 1e-5, norm layers ≤ 1e-4 (golden/README.md).
 */
class GoldenGradSampleTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (GoldenGradCases.Case c : GoldenGradCases.all()) {
            for (KReduction r : KReduction.values()) {
                out.add(Arguments.of(c, r));
            }
        }
        return out.stream();
    }

    @Test
    void discoversEveryLayerKindInTheGoldenFolder() {
        List<GoldenGradCases.Case> all = GoldenGradCases.all();
        assertTrue(all.size() >= 32, "found only " + all.size() + " golden cases");
        for (String kind : List.of("Linear", "Conv1d", "Conv2d", "Conv3d", "Embedding", "LayerNorm", "GroupNorm",
                "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "RNN", "GRU", "LSTM")) {
            assertTrue(all.stream().anyMatch(c -> c.layerName().equals(kind)), "no golden case for " + kind);
        }
        assertTrue(all.stream().anyMatch(c -> c.b() == 0), "no B = 0 case");
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void matchesPyTorchPerSampleGradients(GoldenGradCases.Case c, KReduction reduction) {
        Layer layer = GoldenGradCases.layer(c);
        double tol = isNorm(layer) ? 1e-4 : 1e-5;
        List<Tensor> inputs = new ArrayList<>();
        Map<String, Tensor> got = null;
        try {
            List<Tensor> acts = new ArrayList<>();
            List<Tensor> backs = new ArrayList<>();
            for (String name : c.tensors()) {
                Tensor t = c.load(name);
                inputs.add(t);
            }
            if (layer instanceof RnnLayer) {
                acts.add(find(c, inputs, "activations_ih"));
                acts.add(find(c, inputs, "activations_hh"));
                backs.add(find(c, inputs, "backprops_ih"));
                backs.add(find(c, inputs, "backprops_hh"));
            } else {
                acts.add(find(c, inputs, "activations"));
                backs.add(find(c, inputs, "backprops"));
            }
            got = UnderTest.compute(layer, acts, backs, c.k(), reduction);
            assertEquals(c.expected().size(), got.size(), c + ": parameters " + got.keySet());
            for (String e : c.expected()) {
                String param = e.substring("expected_".length());
                Tensor out = got.get(param);
                assertNotNull(out, c + ": no gradient for " + param + " in " + got.keySet());
                assertEquals(c.b(), out.dim(0), c + " " + param + ": batch dim");
                try (Tensor ref = c.load(e)) {
                    double scale = reduction == KReduction.MEAN ? 1.0 / c.k() : 1.0;
                    GradTensors.assertClose(c + " " + reduction + " " + param, out, ref, scale, tol);
                    if (c.b() > 0) {
                        assertFalse(allZero(ref), c + " " + param + ": golden data is all zero");
                    }
                }
            }
        } finally {
            GradTensors.closeAll(got);
            inputs.forEach(Tensor::close);
        }
    }

    private static Tensor find(GoldenGradCases.Case c, List<Tensor> inputs, String name) {
        int i = c.tensors().indexOf(name);
        if (i < 0) {
            throw new IllegalArgumentException(c + ": no tensor " + name + " in " + c.tensors());
        }
        return inputs.get(i);
    }

    private static boolean allZero(Tensor t) {
        for (double v : t.toDoubleArray()) {
            if (v != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isNorm(Layer l) {
        return l instanceof LayerNormLayer || l instanceof GroupNormLayer || l instanceof InstanceNormLayer;
    }
}
