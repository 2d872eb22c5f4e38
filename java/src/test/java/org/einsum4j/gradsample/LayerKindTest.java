package org.einsum4j.gradsample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * One layer, one place: every built-in layer kind describes itself (names, hyperparameters, input shapes) beside
 * its sampler, and what it describes is what its sampler accepts.
 */
class LayerKindTest {
    /** Hyperparameters for each name (as in layer_suite.tsv, small). */
    private static final Map<String, String> EXAMPLES = Map.ofEntries(
            Map.entry("Linear", "in=3 out=2 T=2 bias"),
            Map.entry("Conv1d", "cin=2 cout=4 k=3 pad=same groups=2 L=5 bias"),
            Map.entry("Conv2d", "cin=2 cout=2 k=2 stride=2 H=4 W=5"),
            Map.entry("Conv3d", "cin=1 cout=2 k=1,2,2 D=2 H=3 W=3 bias"),
            Map.entry("Embedding", "V=7 D=3 T=4 pad_idx=0"),
            Map.entry("LayerNorm", "D=4 T=3"),
            Map.entry("GroupNorm", "C=4 groups=2 H=2 W=3"),
            Map.entry("InstanceNorm1d", "C=3 L=4"),
            Map.entry("InstanceNorm2d", "C=2 H=2 W=2"),
            Map.entry("InstanceNorm3d", "C=2 D=2 H=2 W=2"),
            Map.entry("RNN", "T=3 in=2 H=3"),
            Map.entry("GRU", "T=2 in=2 H=2 time_first"),
            Map.entry("LSTM", "T=2 in=3 H=2 bias=false"),
            Map.entry("SequenceBias", "T=3 D=2"));

    @Test
    void everyBuiltinIsDescribedOnceAndEveryExampleRunsThroughItsSampler() {
        Set<String> names = new HashSet<>();
        for (LayerKind kind : GradSamplerRegistry.builtinKinds()) {
            assertTrue(kind.help().startsWith(kind.names().get(0).substring(0, 3)), kind.help());
            for (String name : kind.names()) {
                assertTrue(names.add(name), "name " + name + " described twice");
                int b = 2;
                int k = 2;
                LayerKind.Workload w = kind.describe(name,
                        Hyperparameters.parse(name, List.of(EXAMPLES.get(name).split(" "))), b * k);
                assertEquals(name, w.layer().kind(), name);
                List<Tensor> acts = new ArrayList<>();
                List<Tensor> backs = new ArrayList<>();
                try {
                    long seed = 1;
                    for (int[] s : w.activationShapes()) {
                        acts.add(w.layer() instanceof EmbeddingLayer e ? indices(e.num(), s)
                                : Tensor.random(DType.FLOAT64, seed++, s));
                    }
                    for (int[] s : w.backpropShapes()) {
                        backs.add(Tensor.random(DType.FLOAT64, seed++, s));
                    }
                    Map<String, Tensor> grads = GradSampler.compute(w.layer(), acts, backs, k, KReduction.SUM);
                    for (Map.Entry<String, int[]> p : w.layer().parameterShapes().entrySet()) {
                        try (Tensor g = grads.get(p.getKey())) {
                            int[] want = new int[p.getValue().length + 1];
                            want[0] = b;
                            System.arraycopy(p.getValue(), 0, want, 1, p.getValue().length);
                            assertArrayEquals(want, g.dims(), name + " " + p.getKey());
                        }
                    }
                } finally {
                    acts.forEach(Tensor::close);
                    backs.forEach(Tensor::close);
                }
            }
        }
        assertEquals(EXAMPLES.keySet(), names);
    }

    private static Tensor indices(int v, int[] shape) {
        long[] idx = new long[shape[0] * shape[1]];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = i % v;
        }
        return Tensor.ofLongs(idx, shape);
    }

    @Test
    void hyperparametersAreChecked() {
        LayerKind linear = GradSamplerRegistry.builtinKinds().get(0);
        GradSampleException e = assertThrows(GradSampleException.class, () -> linear.describe("Linear",
                Hyperparameters.parse("Linear", List.of("in=2", "out=2", "colour=red")), 1));
        assertTrue(e.getMessage().contains("unknown hyperparameter 'colour'"), e.getMessage());
        assertThrows(GradSampleException.class, () -> linear.describe("Linear",
                Hyperparameters.parse("Linear", List.of("in=2")), 1));
        assertThrows(GradSampleException.class, () -> Hyperparameters.parse("Linear", List.of("in=2", "in=3")));
        assertThrows(GradSampleException.class, () -> linear.describe("Linear",
                Hyperparameters.parse("Linear", List.of("in=99999999999", "out=2")), 1));
    }

    @Test
    void recordsWithArraysCompareByContent() {
        ConvLayer a = ConvLayer.of(2, 3, 4, 3, 3).withPadding(1);
        ConvLayer b = ConvLayer.of(2, 3, 4, 3, 3).withPadding(1);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        assertNotEquals(a, ConvLayer.of(2, 3, 4, 3, 2).withPadding(1));
        assertNotEquals(a, a.withPadding(ConvLayer.Padding.SAME));
        assertEquals(LayerNormLayer.of(1e-5, 4, 5), LayerNormLayer.of(1e-5, 4, 5));
        assertEquals(LayerNormLayer.of(1e-5, 4, 5).hashCode(), LayerNormLayer.of(1e-5, 4, 5).hashCode());
        assertNotEquals(LayerNormLayer.of(1e-5, 4, 5), LayerNormLayer.of(1e-5, 5, 4));
        assertNotEquals(LayerNormLayer.of(1e-5, 4), LayerNormLayer.of(1e-6, 4));
        assertEquals(ConvLayer.Padding.of(1, 2), ConvLayer.Padding.of(1, 2));
        assertNotEquals(ConvLayer.Padding.of(1, 2), ConvLayer.Padding.of(2, 1));
        assertTrue(LayerNormLayer.of(1e-5, 4, 5).toString().contains("[4, 5]"));
    }
}
