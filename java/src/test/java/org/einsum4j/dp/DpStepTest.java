package org.einsum4j.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.einsum4j.Einsum;
import org.einsum4j.Einsum4jException;
import org.einsum4j.gradsample.CustomLayer;
import org.einsum4j.gradsample.GradSamplerRegistry;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.LayerShapeException;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The DP step's API: bad input rejected before any work, the cost model, per-sample gradients on request, and
 * ghost norms registered for a user's own layer. */
class DpStepTest {
    private static final LinearLayer LINEAR = new LinearLayer(4, 3, true);

    private static DpStep.Builder step() {
        return DpStep.builder().maxGradNorm(1).noiseMultiplier(1).noise(GaussianNoise.seeded(0));
    }

    @Test
    void rejectsNonFiniteActivationsAndBackpropsBeforeAnyWork() {
        for (double bad : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
            try (Tensor a = Tensor.random(DType.FLOAT32, 1, 6, 4); Tensor g = Tensor.random(DType.FLOAT32, 2, 6, 3)) {
                a.set(bad, 4, 2);
                long live = HostAllocator.liveBytes();
                NonFiniteInputException e = assertThrows(NonFiniteInputException.class,
                        () -> step().build().run(List.of(LayerBatch.of("fc", LINEAR, a, g))));
                assertTrue(e.getMessage().contains("fc") && e.getMessage().contains("activations")
                        && e.getMessage().contains("[4, 2]") && e.getMessage().contains(String.valueOf(bad)),
                        e.getMessage());
                assertEquals(live, HostAllocator.liveBytes(), "nothing left allocated");
            }
            try (Tensor a = Tensor.random(DType.FLOAT64, 1, 6, 4); Tensor g = Tensor.random(DType.FLOAT64, 2, 6, 3)) {
                g.set(bad, 5, 0);
                NonFiniteInputException e = assertThrows(NonFiniteInputException.class,
                        () -> step().build().run(List.of(LayerBatch.of("fc", LINEAR, a, g))));
                assertTrue(e.getMessage().contains("backprops[0]") && e.getMessage().contains("[5, 0]"),
                        e.getMessage());
            }
        }
    }

    @Test
    void acceptsLargeFiniteValuesWhoseSumOverflows() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 6, 4); Tensor g = Tensor.random(DType.FLOAT32, 2, 6, 3)) {
            a.set(3e38, 0, 0);
            a.set(3e38, 0, 1);
            try (DpResult r = step().normMode(NormMode.GHOST).build().run(List.of(LayerBatch.of("fc", LINEAR, a,
                    g)))) {
                assertEquals(6, r.samples());
            }
        }
    }

    @Test
    void rejectsBadPrivacyParameters() {
        assertThrows(DpException.class, () -> DpStep.builder().maxGradNorm(0).noiseMultiplier(1).build());
        assertThrows(DpException.class, () -> DpStep.builder().maxGradNorm(-1).noiseMultiplier(1).build());
        assertThrows(DpException.class, () -> DpStep.builder().maxGradNorm(Double.NaN).noiseMultiplier(1).build());
        assertThrows(DpException.class,
                () -> DpStep.builder().maxGradNorm(Double.POSITIVE_INFINITY).noiseMultiplier(1).build());
        DpException e = assertThrows(DpException.class,
                () -> DpStep.builder().maxGradNorm(1).noiseMultiplier(-0.5).build());
        assertTrue(e.getMessage().contains("-0.5"), e.getMessage());
        assertThrows(DpException.class, () -> DpStep.builder().noiseMultiplier(1).build());
        assertThrows(DpException.class, () -> DpStep.builder().maxGradNorm(1).build());
        assertThrows(DpException.class, () -> DpStep.builder().maxGradNorm(1).noiseMultiplier(1).multiplicity(0)
                .build());
        assertThrows(DpException.class, () -> DpStep.builder().meanLoss(0));
        assertThrows(DpException.class, () -> DpStep.builder().perLayerMaxGradNorms(Map.of("a", 0.0))
                .noiseMultiplier(1).build());
        assertThrows(DpException.class, () -> DpStep.builder().perParameterMaxGradNorms(Map.of("a.weight", -1.0))
                .noiseMultiplier(1).build());
        assertThrows(DpException.class, () -> DpStep.builder().perParameterMaxGradNorms(Map.of())
                .noiseMultiplier(1).build());
        DpException nan = assertThrows(DpException.class, () -> DpStep.builder()
                .perParameterMaxGradNorms(Map.of("a.bias", Double.NaN)).noiseMultiplier(1).build());
        assertTrue(nan.getMessage().contains("a.bias"), nan.getMessage());
    }

    @Test
    void rejectsInconsistentLayers() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 6, 4); Tensor g = Tensor.random(DType.FLOAT32, 2, 6, 3);
             Tensor a4 = Tensor.random(DType.FLOAT32, 3, 4, 4); Tensor g4 = Tensor.random(DType.FLOAT32, 4, 4, 3);
             Tensor gBad = Tensor.random(DType.FLOAT32, 5, 6, 5)) {
            DpStep s = step().build();
            DpException e = assertThrows(DpException.class, () -> s.run(List.of(LayerBatch.of("x", LINEAR, a, g),
                    LayerBatch.of("y", LINEAR, a4, g4))));
            assertTrue(e.getMessage().contains("B = 6") && e.getMessage().contains("B = 4"), e.getMessage());
            assertThrows(DpException.class, () -> step().multiplicity(4).build()
                    .run(List.of(LayerBatch.of("x", LINEAR, a, g))));
            assertThrows(DpException.class, () -> s.run(List.of(LayerBatch.of("x", LINEAR, a, g),
                    LayerBatch.of("x", LINEAR, a, g))));
            assertThrows(LayerShapeException.class, () -> s.run(List.of(LayerBatch.of("x", LINEAR, a, gBad))));
            assertThrows(DpException.class, () -> DpStep.builder().perLayerMaxGradNorms(Map.of("other", 1.0))
                    .noiseMultiplier(1).build().run(List.of(LayerBatch.of("x", LINEAR, a, g))));
            DpException missing = assertThrows(DpException.class, () -> DpStep.builder()
                    .perParameterMaxGradNorms(Map.of("x.weight", 1.0)).noiseMultiplier(1).build()
                    .run(List.of(LayerBatch.of("x", LINEAR, a, g))));
            assertTrue(missing.getMessage().contains("x.bias"), missing.getMessage());
            DpException unknown = assertThrows(DpException.class, () -> DpStep.builder()
                    .perParameterMaxGradNorms(Map.of("x.weight", 1.0, "x.bias", 1.0, "x.gain", 1.0))
                    .noiseMultiplier(1).build().run(List.of(LayerBatch.of("x", LINEAR, a, g))));
            assertTrue(unknown.getMessage().contains("x.gain"), unknown.getMessage());
            assertThrows(DpException.class, () -> step().normMode("nope", NormMode.GHOST).build()
                    .run(List.of(LayerBatch.of("x", LINEAR, a, g))));
        }
    }

    @Test
    void costModelPicksGhostForFewPositionsAndMaterializesForLongSequences() {
        LinearLayer wide = new LinearLayer(64, 64, true);
        try (Tensor a1 = Tensor.random(DType.FLOAT32, 1, 2 * 16, 64); Tensor g1 = Tensor.random(DType.FLOAT32, 2,
                2 * 16, 64);
             Tensor aT = Tensor.random(DType.FLOAT32, 3, 2 * 4, 128, 64);
             Tensor gT = Tensor.random(DType.FLOAT32, 4, 2 * 4, 128, 64)) {
            try (DpResult r = step().multiplicity(16).build().run(List.of(LayerBatch.of("fc", wide, a1, g1)))) {
                assertEquals(NormMode.GHOST, r.modes().get("fc"));
            }
            try (DpResult r = step().multiplicity(4).build().run(List.of(LayerBatch.of("fc", wide, aT, gT)))) {
                assertEquals(NormMode.MATERIALIZED, r.modes().get("fc"));
            }
            try (DpResult r = step().multiplicity(4).normMode("fc", NormMode.GHOST).build()
                    .run(List.of(LayerBatch.of("fc", wide, aT, gT)))) {
                assertEquals(NormMode.GHOST, r.modes().get("fc"), "override wins over the cost model");
            }
        }
    }

    @Test
    void perSampleGradientsOnlyWhenAskedFor() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 6, 4); Tensor g = Tensor.random(DType.FLOAT64, 2, 6, 3)) {
            try (DpResult r = step().multiplicity(2).build().run(List.of(LayerBatch.of("fc", LINEAR, a, g)))) {
                assertTrue(r.perSampleGradients().isEmpty());
                assertEquals(3, r.norms().perParameter().get("fc.weight").length);
            }
            try (DpResult r = step().multiplicity(2).keepPerSampleGradients(true).build()
                    .run(List.of(LayerBatch.of("fc", LINEAR, a, g)))) {
                assertArrayEquals(new int[] {3, 3, 4}, r.perSampleGradients().get("fc.weight").dims());
                assertArrayEquals(new int[] {3, 3}, r.perSampleGradients().get("fc.bias").dims());
                assertEquals(NormMode.MATERIALIZED, r.modes().get("fc"));
                double[] norms = PerSampleNorms.perParameter(r.perSampleGradients()).get("fc.weight");
                assertArrayEquals(norms, r.norms().perParameter().get("fc.weight"), 1e-12);
            }
        }
    }

    /** A user's layer: y = w ⊙ x elementwise over the last dim; per-sample gradient Σ_{k,t} g ⊙ x. */
    record Scale(int dim) implements CustomLayer {
        @Override
        public String kind() {
            return "Scale";
        }

        @Override
        public Map<String, int[]> parameterShapes() {
            return Map.of("weight", new int[] {dim});
        }
    }

    @Test
    void customLayerGetsGhostNormsFromTheRegistry() {
        GradSamplerRegistry samplers = GradSamplerRegistry.withBuiltins();
        samplers.register(Scale.class, (layer, acts, backs, k, red) -> {
            Tensor a = acts.get(0);
            Tensor g = backs.get(0);
            int b = a.dim(0) / k;
            int t = a.dim(1); // no -1: the DP step validates through the sampler on an empty slice (B = 0)
            try (Tensor av = a.reshape(b, k, t, layer.dim()); Tensor gv = g.reshape(b, k, t, layer.dim())) {
                Tensor w = Einsum.contract("nktd,nktd->nd", gv, av);
                return Map.of("weight", w);
            }
        });
        GhostNormRegistry ghosts = GhostNormRegistry.withBuiltins();
        // ghost form: ‖Σ_p g_p ⊙ a_p‖² = Σ_{p,q} Σ_d g_pd a_pd g_qd a_qd, here through a [P, P] "Gram" per sample
        ghosts.register(Scale.class, (GhostNorm<Scale>) (layer, acts, backs, k, red) -> {
            Tensor a = acts.get(0);
            int b = a.dim(0) / k;
            try (Tensor av = a.reshape(b, -1, layer.dim()); Tensor gv = backs.get(0).reshape(b, -1, layer.dim());
                 Tensor sq = Einsum.contract("npd,npd,nqd,nqd->n", gv, av, gv, av)) {
                return Map.of("weight", sq.toDoubleArray());
            }
        });
        Scale layer = new Scale(5);
        try (Tensor a = Tensor.random(DType.FLOAT64, 11, 8, 3, 5); Tensor g = Tensor.random(DType.FLOAT64, 12, 8, 3,
                5)) {
            DpStep.Builder b = step().multiplicity(2).maxGradNorm(0.3).noiseMultiplier(0).samplers(samplers)
                    .ghostNorms(ghosts);
            try (DpResult ghost = b.normMode(NormMode.GHOST).build().run(List.of(LayerBatch.of("s", layer, a, g)));
                 DpResult mat = b.normMode(NormMode.MATERIALIZED).build()
                         .run(List.of(LayerBatch.of("s", layer, a, g)))) {
                assertArrayEquals(mat.norms().flat(), ghost.norms().flat(), 1e-12);
                assertArrayEquals(mat.gradients().get("s.weight").toDoubleArray(),
                        ghost.gradients().get("s.weight").toDoubleArray(), 1e-12);
            }
            // without a registered ghost norm: AUTO materializes, GHOST is an error naming the fix
            GhostNormRegistry none = GhostNormRegistry.withBuiltins();
            try (DpResult r = step().samplers(samplers).ghostNorms(none).build()
                    .run(List.of(LayerBatch.of("s", layer, a, g)))) {
                assertEquals(NormMode.MATERIALIZED, r.modes().get("s"));
            }
            DpException e = assertThrows(DpException.class, () -> step().samplers(samplers).ghostNorms(none)
                    .normMode(NormMode.GHOST).build().run(List.of(LayerBatch.of("s", layer, a, g))));
            assertTrue(e.getMessage().contains("GhostNormRegistry.register"), e.getMessage());
        }
    }

    @Test
    void clipFactorsBoundEveryContribution() {
        double[] f = Clipping.factors(new double[] {0, 0.5, 1, 2, 1e9}, 1);
        assertArrayEquals(new double[] {1, 1, 1 / (1 + 1e-6), 1 / (2 + 1e-6), 1 / (1e9 + 1e-6)}, f, 1e-15);
        assertThrows(DpException.class, () -> Clipping.factors(new double[] {1}, 0));
    }

    @Test
    void errorsAreEinsum4jExceptions() {
        assertTrue(Einsum4jException.class.isAssignableFrom(DpException.class));
        assertTrue(DpException.class.isAssignableFrom(NonFiniteInputException.class));
    }

    @Test
    void kReductionMeanHalvesNormsOfTwoCopies() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 6, 4); Tensor g = Tensor.random(DType.FLOAT64, 2, 6, 3)) {
            try (DpResult sum = step().multiplicity(2).build().run(List.of(LayerBatch.of("fc", LINEAR, a, g)));
                 DpResult mean = step().multiplicity(2).kReduction(KReduction.MEAN).build()
                         .run(List.of(LayerBatch.of("fc", LINEAR, a, g)))) {
                double[] s = sum.norms().flat();
                double[] m = mean.norms().flat();
                for (int i = 0; i < s.length; i++) {
                    assertEquals(s[i] / 2, m[i], 1e-12);
                }
            }
        }
    }

    /**
     * With B > 0 the noise lands on the clipped sum: the σ > 0 result minus the σ = 0 result is exactly the seeded
     * draws (in the order of the parameters) divided by the expected batch size, in both modes — the division of
     * the sum rides on the clip factors, the noise's on the host draws.
     */
    @Test
    void noiseIsAddedToTheClippedSumInParameterOrder() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 6, 4); Tensor g = Tensor.random(DType.FLOAT64, 2, 6, 3)) {
            for (NormMode mode : new NormMode[] {NormMode.GHOST, NormMode.MATERIALIZED}) {
                DpStep.Builder b = DpStep.builder().maxGradNorm(0.3).multiplicity(2).normMode(mode).meanLoss(8);
                try (DpResult clean = b.noiseMultiplier(0).noise(GaussianNoise.seeded(5)).build()
                        .run(List.of(LayerBatch.of("fc", LINEAR, a, g)));
                     DpResult noisy = b.noiseMultiplier(0.5).noise(GaussianNoise.seeded(5)).build()
                             .run(List.of(LayerBatch.of("fc", LINEAR, a, g)))) {
                    double[] draws = GaussianNoise.seeded(5).sample(12 + 3, 0.5 * 0.3);
                    int at = 0;
                    for (String p : List.of("fc.weight", "fc.bias")) {
                        double[] c = clean.gradients().get(p).toDoubleArray();
                        double[] n = noisy.gradients().get(p).toDoubleArray();
                        for (int i = 0; i < c.length; i++) {
                            assertEquals(draws[at++] / 8, n[i] - c[i], 1e-12, mode + " " + p + "[" + i + "]");
                        }
                    }
                    assertEquals(15, at);
                }
            }
        }
    }
}
