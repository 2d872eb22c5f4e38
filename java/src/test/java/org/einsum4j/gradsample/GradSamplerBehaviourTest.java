package org.einsum4j.gradsample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.einsum4j.testing.UnderTest;

/** Behaviour beyond the formulas: sparse Embedding, time-first RNNs, empty batches, user samplers, the registry. */
class GradSamplerBehaviourTest {

    @Test
    void sparseEmbeddingGradientEqualsTheDenseOne() {
        SplittableRandom r = new SplittableRandom(7);
        for (int trial = 0; trial < 10; trial++) {
            int k = 1 + r.nextInt(3);
            try (RandomLayers.Case c = RandomLayers.random(RandomLayers.Kind.EMBEDDING, r, 1 + r.nextInt(3), k,
                    DType.FLOAT32, true)) {
                EmbeddingLayer e = (EmbeddingLayer) c.layer();
                for (KReduction red : KReduction.values()) {
                    Map<String, Tensor> dense = UnderTest.compute(e, c.acts(), c.backs(), k, red);
                    try (SparseEmbeddingGrad sparse = new EmbeddingSampler().computeSparse(e, c.acts().get(0),
                            c.backs().get(0), k, red);
                         Tensor back = sparse.toDense(e.num())) {
                        GradTensors.assertClose(c + " " + red, back, dense.get("weight"), 1, 1e-6);
                        long[] rows = sparse.rows().toLongArray();
                        long[] off = sparse.offsets();
                        for (int n = 0; n < sparse.samples(); n++) {
                            for (long i = off[n]; i < off[n + 1]; i++) {
                                assertTrue(rows[(int) i] != e.paddingIdx(), "padding row stored");
                                assertTrue(i == off[n] || rows[(int) i] > rows[(int) i - 1], "rows not ascending");
                            }
                        }
                    } finally {
                        GradTensors.closeAll(dense);
                    }
                }
            }
        }
    }

    @Test
    void embeddingPaddingRowStaysZero() {
        EmbeddingLayer e = new EmbeddingLayer(4, 2, 1);
        try (Tensor idx = Tensor.ofLongs(new long[] {1, 1, 2, 0}, 2, 2);
             Tensor g = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2)) {
            Map<String, Tensor> out = UnderTest.compute(e, idx, g, 1);
            try {
                assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 0, 7, 8, 0, 0, 5, 6, 0, 0},
                        out.get("weight").toFloatArray());
            } finally {
                GradTensors.closeAll(out);
            }
        }
    }

    @Test
    void timeFirstRnnEqualsBatchFirstOnTransposedData() {
        SplittableRandom r = new SplittableRandom(11);
        for (int trial = 0; trial < 5; trial++) {
            int k = 1 + r.nextInt(3);
            try (RandomLayers.Case c = RandomLayers.random(RandomLayers.Kind.RNN, r, 2, k, DType.FLOAT64, true)) {
                RnnLayer bf = (RnnLayer) c.layer();
                RnnLayer tf = new RnnLayer(bf.cell(), bf.input(), bf.hidden(), bf.bias(), false);
                List<Tensor> ta = c.acts().stream().map(t -> t.permute(1, 0, 2)).toList();
                List<Tensor> tb = c.backs().stream().map(t -> t.permute(1, 0, 2)).toList();
                Map<String, Tensor> a = UnderTest.compute(bf, c.acts(), c.backs(), k, KReduction.SUM);
                Map<String, Tensor> b = UnderTest.compute(tf, ta, tb, k, KReduction.SUM);
                try {
                    for (String p : a.keySet()) {
                        GradTensors.assertClose(p, b.get(p), a.get(p), 1, 1e-12);
                    }
                } finally {
                    GradTensors.closeAll(a);
                    GradTensors.closeAll(b);
                }
            }
        }
    }

    @Test
    void emptyBatchGivesZeroRowsOfEveryParameterShape() {
        SplittableRandom r = new SplittableRandom(3);
        for (RandomLayers.Kind kind : RandomLayers.Kind.values()) {
            try (RandomLayers.Case c = RandomLayers.random(kind, r, 0, 3, DType.FLOAT32, true)) {
                Map<String, Tensor> out = UnderTest.compute(c.layer(), c.acts(), c.backs(), 3, KReduction.MEAN);
                try {
                    assertEquals(c.layer().parameterShapes().keySet(), out.keySet());
                    for (Map.Entry<String, int[]> p : c.layer().parameterShapes().entrySet()) {
                        assertArrayEquals(RandomLayers.concat(new int[] {0}, p.getValue()),
                                out.get(p.getKey()).dims(), kind + " " + p.getKey());
                    }
                } finally {
                    GradTensors.closeAll(out);
                }
            }
        }
    }

    @Test
    void emptyPositionsGiveZeroGradientsNotNaN() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 4, 4, 0); Tensor g = Tensor.random(DType.FLOAT32, 2, 4, 4, 0);
             Tensor x = Tensor.random(DType.FLOAT32, 3, 4, 0, 3);
             Tensor gx = Tensor.random(DType.FLOAT32, 4, 4, 0, 2)) {
            Map<String, Tensor> gn = UnderTest.compute(new GroupNormLayer(2, 4, 1e-5, true), a, g, 2);
            Map<String, Tensor> lin = UnderTest.compute(new LinearLayer(3, 2, true), x, gx, 2);
            try {
                for (Map<String, Tensor> m : List.of(gn, lin)) {
                    for (Tensor t : m.values()) {
                        for (double v : t.toDoubleArray()) {
                            assertEquals(0.0, v, t.toString());
                        }
                    }
                }
            } finally {
                GradTensors.closeAll(gn);
                GradTensors.closeAll(lin);
            }
        }
    }

    @Test
    void nonContiguousInputsGiveTheSameGradients() {
        LinearLayer l = new LinearLayer(3, 4, true);
        try (Tensor aT = Tensor.random(DType.FLOAT64, 1, 3, 6); Tensor g = Tensor.random(DType.FLOAT64, 2, 6, 4);
             Tensor a = aT.transpose(); Tensor ac = a.copy()) {
            Map<String, Tensor> x = UnderTest.compute(l, a, g, 2);
            Map<String, Tensor> y = UnderTest.compute(l, ac, g, 2);
            try {
                GradTensors.assertClose("weight", x.get("weight"), y.get("weight"), 1, 1e-14);
            } finally {
                GradTensors.closeAll(x);
                GradTensors.closeAll(y);
            }
        }
    }

    @Test
    void layersWithoutAffineParametersGiveNoGradients() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 4, 3, 5); Tensor g = Tensor.random(DType.FLOAT32, 2, 4, 3, 5)) {
            assertTrue(UnderTest.compute(new InstanceNormLayer(1, 3, 1e-5, false), a, g, 2).isEmpty());
            assertTrue(UnderTest.compute(new GroupNormLayer(3, 3, 1e-5, false), a, g, 2).isEmpty());
            assertTrue(UnderTest.compute(new LayerNormLayer(new int[] {5}, 1e-5, false, false), a, g, 2)
                    .isEmpty());
            Map<String, Tensor> w = UnderTest.compute(new LayerNormLayer(new int[] {5}, 1e-5, true, false), a, g, 2);
            try {
                assertEquals(List.of("weight"), List.copyOf(w.keySet()));
            } finally {
                GradTensors.closeAll(w);
            }
        }
    }

    @Test
    void stackedAndReverseRnnLayersUsePyTorchNames() {
        SplittableRandom r = new SplittableRandom(5);
        try (RandomLayers.Case c = RandomLayers.random(RandomLayers.Kind.RNN, r, 2, 2, DType.FLOAT64, true)) {
            RnnLayer l0 = (RnnLayer) c.layer();
            RnnLayer l1r = new RnnLayer(l0.cell(), l0.input(), l0.hidden(), l0.bias(), true, 1, true);
            Map<String, Tensor> a = UnderTest.compute(l0, c.acts(), c.backs(), 2, KReduction.SUM);
            Map<String, Tensor> b = UnderTest.compute(l1r, c.acts(), c.backs(), 2, KReduction.SUM);
            try {
                GradTensors.assertClose("weight_ih", b.get("weight_ih_l1_reverse"), a.get("weight_ih_l0"), 1, 0);
                assertEquals(a.size(), b.size());
            } finally {
                GradTensors.closeAll(a);
                GradTensors.closeAll(b);
            }
        }
    }

    record Scale(int n) implements CustomLayer {
        @Override
        public String kind() {
            return "Scale";
        }

        @Override
        public Map<String, int[]> parameterShapes() {
            return Map.of("weight", new int[] {n});
        }
    }

    @Test
    void userSamplersServeCustomLayersAndCanBeRemoved() {
        GradSamplerRegistry reg = GradSamplerRegistry.withBuiltins();
        LayerSampler<Scale> sampler = (layer, acts, backs, k, red) -> {
            // y = w ⊙ x: per-sample grad is Σ_k x ⊙ g, one contraction
            int b = acts.get(0).dim(0) / k;
            try (Tensor a = acts.get(0).reshape(b, k, layer.n()); Tensor g = backs.get(0).reshape(b, k, layer.n())) {
                return Map.of("weight", org.einsum4j.Einsum.contract("nki,nki->ni", a, g));
            }
        };
        assertTrue(reg.register(Scale.class, sampler).isEmpty());
        assertSame(sampler, reg.find(new Scale(3)).orElseThrow());
        try (Tensor a = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
             Tensor g = Tensor.of(new double[] {1, 1, 2, 2}, 2, 2)) {
            Map<String, Tensor> out = UnderTest.compute(reg, new Scale(2), List.of(a), List.of(g), 2,
                    KReduction.SUM);
            try {
                assertArrayEquals(new double[] {7, 10}, out.get("weight").toDoubleArray());
            } finally {
                GradTensors.closeAll(out);
            }
        }
        assertTrue(reg.unregister(Scale.class).isPresent());
        assertTrue(reg.find(new Scale(3)).isEmpty());
        assertTrue(GradSamplerRegistry.global().find(new Scale(3)).isEmpty(), "registries are independent");
    }

    @Test
    void registryIsSafeUnderConcurrentRegistrationAndLookup() throws Exception {
        GradSamplerRegistry reg = GradSamplerRegistry.withBuiltins();
        LayerSampler<Scale> s = (layer, a, b, k, red) -> Map.of();
        Thread[] ts = new Thread[4];
        java.util.concurrent.atomic.AtomicInteger misses = new java.util.concurrent.atomic.AtomicInteger();
        for (int i = 0; i < ts.length; i++) {
            final int id = i;
            ts[i] = new Thread(() -> {
                for (int j = 0; j < 2000; j++) {
                    if (id % 2 == 0) {
                        reg.register(Scale.class, s);
                    } else if (reg.find(new LinearLayer(1, 1, true)).isEmpty()) {
                        misses.incrementAndGet();
                    }
                }
            });
            ts[i].start();
        }
        for (Thread t : ts) {
            t.join();
        }
        assertEquals(0, misses.get());
        assertSame(s, reg.find(new Scale(1)).orElseThrow());
    }

    @Test
    void parameterNamesAndShapesFollowPyTorch() {
        assertEquals(List.of("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"),
                List.copyOf(new RnnLayer(RnnLayer.RnnKind.GRU, 3, 5, true, true).parameterShapes().keySet()));
        assertArrayEquals(new int[] {15, 3},
                new RnnLayer(RnnLayer.RnnKind.GRU, 3, 5, true, true).parameterShapes().get("weight_ih_l0"));
        assertArrayEquals(new int[] {8, 2, 3, 3},
                ConvLayer.of(2, 4, 8, 3).withGroups(2).parameterShapes().get("weight"));
        assertEquals("Conv3d", ConvLayer.of(3, 1, 1, 1).kind());
        assertEquals(List.of("weight_ih_l2_reverse", "weight_hh_l2_reverse"),
                List.copyOf(new RnnLayer(RnnLayer.RnnKind.RNN, 3, 5, false, true, 2, true).parameterShapes().keySet()));
        assertEquals(4, EmbeddingLayer.of(5, 2, -1).paddingIdx());
    }
}
