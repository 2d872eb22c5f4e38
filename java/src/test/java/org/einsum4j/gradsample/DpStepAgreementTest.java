package org.einsum4j.gradsample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.einsum4j.dp.DpResult;
import org.einsum4j.dp.DpStep;
import org.einsum4j.dp.GaussianNoise;
import org.einsum4j.dp.LayerBatch;
import org.einsum4j.dp.NormMode;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The DP step ({@code org.einsum4j.dp}) against materialized per-sample gradients, on every golden case and on
 * random layers of every kind: ghost norms equal the norms of the grad samplers' per-sample gradients (relative
 * 1e-5), and the clipped sum, ghost or materialized, equals Σ_n c_n G_n computed here in float64 from those
 * gradients, each contribution of norm ≤ C(1 + 1e-6). Lives beside the grad sampler tests to reuse their golden
 * cases and random layers.
 */
class DpStepAgreementTest {

    static Stream<Arguments> goldenCases() {
        List<Arguments> out = new ArrayList<>();
        for (GoldenGradCases.Case c : GoldenGradCases.all()) {
            for (KReduction r : KReduction.values()) {
                out.add(Arguments.of(c, r));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("goldenCases")
    void ghostAndMaterializedAgreeOnGoldenCases(GoldenGradCases.Case c, KReduction reduction) {
        Layer layer = GoldenGradCases.layer(c);
        List<Tensor> inputs = new ArrayList<>();
        try {
            for (String name : c.tensors()) {
                inputs.add(c.load(name));
            }
            List<Tensor> acts = new ArrayList<>();
            List<Tensor> backs = new ArrayList<>();
            if (layer instanceof RnnLayer) {
                acts.add(inputs.get(c.tensors().indexOf("activations_ih")));
                acts.add(inputs.get(c.tensors().indexOf("activations_hh")));
                backs.add(inputs.get(c.tensors().indexOf("backprops_ih")));
                backs.add(inputs.get(c.tensors().indexOf("backprops_hh")));
            } else {
                acts.add(inputs.get(c.tensors().indexOf("activations")));
                backs.add(inputs.get(c.tensors().indexOf("backprops")));
            }
            agree(c.toString(), layer, acts, backs, c.k(), reduction);
            matchesPyTorchNorms(c, layer, acts, backs, reduction);
        } finally {
            inputs.forEach(Tensor::close);
        }
    }

    /** Ghost norms against the norms of PyTorch's per-sample gradients (the golden expected_* tensors). */
    private static void matchesPyTorchNorms(GoldenGradCases.Case c, Layer layer, List<Tensor> acts,
                                            List<Tensor> backs, KReduction reduction) {
        double tol = layer instanceof LayerNormLayer || layer instanceof GroupNormLayer
                || layer instanceof InstanceNormLayer ? 1e-4 : 1e-5; // as golden/README.md
        double scale = reduction == KReduction.MEAN ? 1.0 / c.k() : 1;
        DpStep step = DpStep.builder().maxGradNorm(1).noiseMultiplier(0).multiplicity(c.k()).kReduction(reduction)
                .normMode(NormMode.GHOST).build();
        try (DpResult res = step.run(List.of(new LayerBatch("l", layer, acts, backs)))) {
            for (String e : c.expected()) {
                String param = e.substring("expected_".length());
                double[] got = res.norms().perParameter().get("l." + param);
                try (Tensor ref = c.load(e)) {
                    double[] want = norms(perSample(Map.of(param, ref.copy()), c.b()), c.b());
                    for (int n = 0; n < c.b(); n++) {
                        assertEquals(want[n] * scale, got[n], tol * want[n] * scale + 1e-12,
                                c + " " + reduction + " " + param + " sample " + n + " vs PyTorch");
                    }
                }
            }
        }
    }

    static Stream<Arguments> randomCases() {
        List<Arguments> out = new ArrayList<>();
        for (RandomLayers.Kind kind : RandomLayers.Kind.values()) {
            for (int k : new int[] {1, 3}) {
                for (KReduction r : KReduction.values()) {
                    for (int seed = 0; seed < 4; seed++) {
                        out.add(Arguments.of(kind, k, r, seed));
                    }
                }
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} K={1} {2} seed={3}")
    @MethodSource("randomCases")
    void ghostAndMaterializedAgreeOnRandomLayers(RandomLayers.Kind kind, int k, KReduction reduction, int seed) {
        SplittableRandom r = new SplittableRandom(1000 * seed + k * 10 + kind.ordinal());
        int b = 1 + r.nextInt(4);
        try (RandomLayers.Case c = RandomLayers.random(kind, r, b, k, DType.FLOAT64, seed % 2 == 0)) {
            agree(c.toString(), c.layer(), c.acts(), c.backs(), k, reduction);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void emptyBatchGetsZeroSumAndNoNorms(RandomLayers.Kind kind) {
        try (RandomLayers.Case c = RandomLayers.random(kind, new SplittableRandom(7), 0, 2, DType.FLOAT32, true)) {
            for (NormMode mode : new NormMode[] {NormMode.GHOST, NormMode.MATERIALIZED}) {
                DpStep step = DpStep.builder().maxGradNorm(1).noiseMultiplier(0).multiplicity(2).normMode(mode)
                        .noise(GaussianNoise.seeded(1)).build();
                try (DpResult res = step.run(List.of(new LayerBatch("l", c.layer(), c.acts(), c.backs())))) {
                    assertEquals(0, res.samples());
                    assertEquals(c.layer().parameterShapes().size(), res.gradients().size());
                    for (Map.Entry<String, int[]> e : c.layer().parameterShapes().entrySet()) {
                        Tensor t = res.gradients().get("l." + e.getKey());
                        assertArrayEquals(e.getValue(), t.dims());
                        for (double v : t.toDoubleArray()) {
                            assertEquals(0, v);
                        }
                    }
                }
            }
        }
    }

    static Stream<RandomLayers.Kind> kinds() {
        return Stream.of(RandomLayers.Kind.values());
    }

    @Test
    void multiLayerFlatAndPerLayerClipping() {
        SplittableRandom r = new SplittableRandom(5);
        try (RandomLayers.Case lin = RandomLayers.random(RandomLayers.Kind.LINEAR, r, 3, 2, DType.FLOAT64, true);
             RandomLayers.Case conv = RandomLayers.random(RandomLayers.Kind.CONV, r, 3, 2, DType.FLOAT64, true)) {
            List<LayerBatch> layers = List.of(new LayerBatch("a", lin.layer(), lin.acts(), lin.backs()),
                    new LayerBatch("b", conv.layer(), conv.acts(), conv.backs()));
            Map<String, double[][]> ga = perSample(lin, KReduction.SUM);
            Map<String, double[][]> gb = perSample(conv, KReduction.SUM);
            double[] na = norms(ga, 3);
            double[] nb = norms(gb, 3);
            // flat: one factor per sample from the norm over both layers
            double c = 0.5 * Math.sqrt(na[0] * na[0] + nb[0] * nb[0]);
            DpStep flat = DpStep.builder().maxGradNorm(c).noiseMultiplier(0).multiplicity(2).build();
            try (DpResult res = flat.run(layers)) {
                double[] f = new double[3];
                for (int n = 0; n < 3; n++) {
                    double norm = Math.sqrt(na[n] * na[n] + nb[n] * nb[n]);
                    assertEquals(norm, res.norms().flat()[n], 1e-9 * norm);
                    f[n] = Math.min(1, c / (norm + 1e-6));
                }
                assertSums(res, "a", ga, f, 1e-9);
                assertSums(res, "b", gb, f, 1e-9);
            }
            // per layer: each layer its own threshold and factors; noise std σ·sqrt(Σ C_l²)
            DpStep perLayer = DpStep.builder().perLayerMaxGradNorms(Map.of("a", na[1] / 2, "b", nb[2] / 3))
                    .noiseMultiplier(0.5).noise(GaussianNoise.seeded(3)).multiplicity(2).build();
            try (DpResult res = perLayer.run(layers)) {
                assertEquals(0.5 * Math.hypot(na[1] / 2, nb[2] / 3), res.noiseStd(), 1e-12);
                assertArrayEquals(clip(na, na[1] / 2), res.clipFactors().get("a"), 1e-12);
                assertArrayEquals(clip(nb, nb[2] / 3), res.clipFactors().get("b"), 1e-12);
            }
        }
    }

    static Stream<Arguments> perParameterCases() {
        List<Arguments> out = new ArrayList<>();
        for (NormMode mode : new NormMode[] {NormMode.GHOST, NormMode.MATERIALIZED}) {
            for (int k : new int[] {1, 3}) {
                for (KReduction r : KReduction.values()) {
                    out.add(Arguments.of(mode, k, r));
                }
            }
        }
        return out.stream();
    }

    /**
     * Per-parameter clipping (Opacus's per_layer with one max_grad_norm per parameter) on three layers with weights
     * and biases: each parameter's factors come from its own norm and threshold, each clipped contribution has
     * norm ≤ C_p(1 + 1e-6), each sum equals Σ_n c_{p,n} G_{p,n} from the materialized gradients, the noise std is
     * σ·sqrt(Σ C_p²), and the thresholds differ enough that weight and bias of one layer get different factors.
     */
    @ParameterizedTest(name = "{0} K={1} {2}")
    @MethodSource("perParameterCases")
    void perParameterClippingClipsEachParameterByItsOwnNorm(NormMode mode, int k, KReduction reduction) {
        SplittableRandom r = new SplittableRandom(31 + k);
        int b = 4;
        try (RandomLayers.Case lin = RandomLayers.random(RandomLayers.Kind.LINEAR, r, b, k, DType.FLOAT64, true);
             RandomLayers.Case conv = RandomLayers.random(RandomLayers.Kind.CONV, r, b, k, DType.FLOAT64, true);
             RandomLayers.Case rnn = RandomLayers.random(RandomLayers.Kind.RNN, r, b, k, DType.FLOAT64, false)) {
            Map<String, RandomLayers.Case> cases = new LinkedHashMap<>();
            cases.put("lin", lin);
            cases.put("conv", conv);
            cases.put("rnn", rnn);
            List<LayerBatch> layers = new ArrayList<>();
            Map<String, double[][]> grads = new LinkedHashMap<>();
            Map<String, Double> thresholds = new LinkedHashMap<>();
            int seed = 0;
            for (Map.Entry<String, RandomLayers.Case> e : cases.entrySet()) {
                RandomLayers.Case c = e.getValue();
                layers.add(new LayerBatch(e.getKey(), c.layer(), c.acts(), c.backs()));
                perSample(GradSampler.compute(c.layer(), c.acts(), c.backs(), k, reduction), b)
                        .forEach((p, g) -> grads.put(e.getKey() + "." + p, g));
            }
            double sumSq = 0;
            for (Map.Entry<String, double[][]> e : grads.entrySet()) {
                double[] n = norms(Map.of(e.getKey(), e.getValue()), b);
                // between the smallest and the largest norm: some samples clipped, some not
                double c = 0.5 * (java.util.Arrays.stream(n).min().orElseThrow()
                        + java.util.Arrays.stream(n).max().orElseThrow()) * (1 + 0.1 * seed++);
                thresholds.put(e.getKey(), c);
                sumSq += c * c;
            }
            DpStep step = DpStep.builder().perParameterMaxGradNorms(thresholds).noiseMultiplier(0).multiplicity(k)
                    .kReduction(reduction).normMode(mode).build();
            int clipped = 0;
            boolean factorsDiffer = false;
            try (DpResult res = step.run(layers)) {
                for (Map.Entry<String, double[][]> e : grads.entrySet()) {
                    String key = e.getKey();
                    double c = thresholds.get(key);
                    double[] n = norms(Map.of(key, e.getValue()), b);
                    double[] f = clip(n, c);
                    assertArrayEquals(n, res.norms().perParameter().get(key), 1e-9 * (1 + max(n)), key + " norms");
                    assertArrayEquals(f, res.clipFactors().get(key), 1e-6, key + " clip factors");
                    double[] got = res.clipFactors().get(key);
                    for (int i = 0; i < b; i++) {
                        assertTrue(got[i] * n[i] <= c * (1 + 1e-6), key + " sample " + i + ": clipped norm "
                                + got[i] * n[i] + " > C_p = " + c);
                        clipped += got[i] < 1 ? 1 : 0;
                    }
                    assertSums(res, key.substring(0, key.indexOf('.')),
                            Map.of(key.substring(key.indexOf('.') + 1), e.getValue()), f, 1e-9);
                    String layerName = key.substring(0, key.indexOf('.'));
                    for (String other : grads.keySet()) {
                        if (other.startsWith(layerName + ".") && !other.equals(key)
                                && !java.util.Arrays.equals(res.clipFactors().get(other), got)) {
                            factorsDiffer = true;
                        }
                    }
                }
                assertEquals(grads.keySet(), res.clipFactors().keySet(), "one factor array per parameter");
            }
            assertTrue(clipped > 0, "some contributions are clipped");
            assertTrue(factorsDiffer, "parameters of one layer get their own factors");
            DpStep noisy = DpStep.builder().perParameterMaxGradNorms(thresholds).noiseMultiplier(0.7)
                    .noise(GaussianNoise.seeded(2)).multiplicity(k).kReduction(reduction).normMode(mode).build();
            try (DpResult res = noisy.run(layers)) {
                assertEquals(0.7 * Math.sqrt(sumSq), res.noiseStd(), 1e-12 * res.noiseStd());
            }
        }
    }

    private static double max(double[] v) {
        return java.util.Arrays.stream(v).max().orElse(0);
    }

    // ------------------------------------------------------------------ the check

    private static void agree(String what, Layer layer, List<Tensor> acts, List<Tensor> backs, int k,
                              KReduction reduction) {
        int b = backs.get(0).dim(layer instanceof RnnLayer rnn && !rnn.batchFirst()
                || layer instanceof SequenceBiasLayer sb && !sb.batchFirst() ? 1 : 0) / k;
        Map<String, double[][]> ref = perSample(GradSampler.compute(layer, acts, backs, k, reduction), b);
        double[] refNorms = norms(ref, b);
        double max = 0;
        for (double v : refNorms) {
            max = Math.max(max, v);
        }
        double c = b == 0 || max == 0 ? 1 : 0.6 * max; // clips the larger samples, leaves the smaller
        LayerBatch batch = new LayerBatch("l", layer, acts, backs);
        for (NormMode mode : new NormMode[] {NormMode.GHOST, NormMode.MATERIALIZED}) {
            DpStep step = DpStep.builder().maxGradNorm(c).noiseMultiplier(0).multiplicity(k).kReduction(reduction)
                    .normMode(mode).build();
            try (DpResult res = step.run(List.of(batch))) {
                assertEquals(mode, res.modes().get("l"), what);
                for (Map.Entry<String, double[][]> e : ref.entrySet()) {
                    double[] got = res.norms().perParameter().get("l." + e.getKey());
                    double[] want = norms(Map.of(e.getKey(), e.getValue()), b);
                    for (int n = 0; n < b; n++) {
                        assertEquals(want[n], got[n], 1e-5 * Math.max(want[n], 1e-3 * max),
                                what + " " + mode + " " + reduction + " norm of " + e.getKey() + " sample " + n);
                    }
                }
                double[] f = clip(refNorms, c);
                assertArrayEquals(f, res.clipFactors().get("l"), 1e-5, what + " " + mode + " clip factors");
                for (int n = 0; n < b; n++) {
                    assertTrue(f[n] * refNorms[n] <= c * (1 + 1e-6), what + ": clipped contribution of sample " + n
                            + " has norm " + f[n] * refNorms[n] + " > C = " + c);
                }
                assertSums(res, "l", ref, f, 1e-5);
            }
        }
    }

    /** The result's gradient of each parameter equals Σ_n f_n G_n (float64 here), relative {@code tol}. */
    private static void assertSums(DpResult res, String layer, Map<String, double[][]> g, double[] f, double tol) {
        for (Map.Entry<String, double[][]> e : g.entrySet()) {
            double[][] gs = e.getValue();
            int p = gs.length == 0 ? 0 : gs[0].length;
            double[] want = new double[p];
            for (int n = 0; n < gs.length; n++) {
                for (int i = 0; i < p; i++) {
                    want[i] += f[n] * gs[n][i];
                }
            }
            Tensor t = res.gradients().get(layer + "." + e.getKey());
            double[] got = t.toDoubleArray();
            if (gs.length == 0) {
                continue;
            }
            assertEquals(p, got.length, layer + "." + e.getKey());
            double num = 0;
            double den = 0;
            for (int i = 0; i < p; i++) {
                num += (got[i] - want[i]) * (got[i] - want[i]);
                den += want[i] * want[i];
            }
            assertTrue(Math.sqrt(num) <= tol * Math.max(Math.sqrt(den), 1e-12), layer + "." + e.getKey()
                    + ": clipped sum relative error " + Math.sqrt(num / Math.max(den, 1e-300)));
        }
    }

    private static Map<String, double[][]> perSample(RandomLayers.Case c, KReduction r) {
        return perSample(GradSampler.compute(c.layer(), c.acts(), c.backs(), c.k(), r), c.b());
    }

    /** Host copies {@code [B][P]} of per-sample gradients; closes them. */
    private static Map<String, double[][]> perSample(Map<String, Tensor> grads, int b) {
        Map<String, double[][]> out = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : grads.entrySet()) {
                double[] v = e.getValue().toDoubleArray();
                int p = b == 0 ? 0 : v.length / b;
                double[][] rows = new double[b][];
                for (int n = 0; n < b; n++) {
                    rows[n] = java.util.Arrays.copyOfRange(v, n * p, (n + 1) * p);
                }
                out.put(e.getKey(), rows);
            }
            return out;
        } finally {
            GradTensors.closeAll(grads);
        }
    }

    private static double[] norms(Map<String, double[][]> g, int b) {
        double[] sq = new double[b];
        for (double[][] rows : g.values()) {
            for (int n = 0; n < b; n++) {
                for (double v : rows[n]) {
                    sq[n] += v * v;
                }
            }
        }
        for (int n = 0; n < b; n++) {
            sq[n] = Math.sqrt(sq[n]);
        }
        return sq;
    }

    private static double[] clip(double[] norms, double c) {
        double[] f = new double[norms.length];
        for (int n = 0; n < f.length; n++) {
            f[n] = Math.min(1, c / (norms[n] + 1e-6));
        }
        return f;
    }
}
