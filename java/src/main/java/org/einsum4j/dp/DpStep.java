package org.einsum4j.dp;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.einsum4j.Backend;
import org.einsum4j.InvalidOperandException;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.GradSamplerRegistry;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.tensor.Tensor;

/**
 * One DP-SGD step for a framework that owns its autograd (ALGORITHMS.md §5): give each layer's activations and
 * backprops (B·K rows, K augmented copies per sample); get back the clipped, noised gradient sum per parameter
 * and the per-sample norms, in one call, with no per-sample gradient tensor unless asked for.
 *
 * <pre>{@code
 * DpStep step = DpStep.builder().maxGradNorm(1.0).noiseMultiplier(1.1).multiplicity(4).build();
 * try (DpResult r = step.run(List.of(LayerBatch.of("fc1", new LinearLayer(512, 512, true), a, g)))) {
 *     Tensor w = r.gradients().get("fc1.weight");          // Σ_n c_n G_n + N(0, (σC)²)
 * }
 * }</pre>
 *
 * Per layer the norms come from a {@link GhostNorm} (no per-sample gradient) or from materialized per-sample
 * gradients, whichever the layer's cost model says is cheaper ({@link NormMode#AUTO}), or as overridden. The
 * clipped sum {@code Σ_n c_n G_n} is a weighted contraction in which the clip factors scale the backprops.
 * Clipping is flat (one C over the model), per layer, or per parameter (Opacus's {@code per_layer} with one
 * threshold per parameter). Backprops are the gradients of the per-sample (summed) losses; for a mean loss the
 * result is divided by the expected batch size B of the sampler (Poisson sampling: q·N), never by the realized
 * one (the division rides on the clip factors, no extra pass), and an empty batch still gets its noise. The noise
 * is drawn on the host and added on the gradients' device; nothing parameter-sized is read back to the host.
 * Every input is checked (thresholds, σ, NaN/Inf, shapes, batch sizes) before any work.
 * Shapes and dtypes are checked by each layer's grad sampler on an empty slice of the batch (so a user's
 * sampler must accept B = 0, as the built-ins do). Immutable and thread-safe apart from the shared
 * {@link GaussianNoise}.
 */
public final class DpStep {
    /** What one clipping threshold covers. */
    private enum Scope { FLAT, LAYER, PARAMETER }

    private final double maxGradNorm;
    private final Scope scope;
    /** Thresholds per layer name (LAYER) or per {@code layer.param} (PARAMETER); null for FLAT. */
    private final Map<String, Double> thresholds;
    private final double noiseMultiplier;
    private final GaussianNoise noise;
    private final int k;
    private final KReduction reduction;
    private final double expectedBatchSize;
    private final NormMode mode;
    private final Map<String, NormMode> modeOverrides;
    private final boolean keepPerSampleGradients;
    private final GhostNormRegistry ghosts;
    private final GradSamplerRegistry samplers;

    private DpStep(Builder b) {
        this.maxGradNorm = b.maxGradNorm;
        this.scope = b.scope;
        this.thresholds = b.thresholds == null ? null : Map.copyOf(b.thresholds);
        this.noiseMultiplier = b.noiseMultiplier;
        this.noise = b.noise == null ? GaussianNoise.secure() : b.noise;
        this.k = b.k;
        this.reduction = b.reduction;
        this.expectedBatchSize = b.expectedBatchSize;
        this.mode = b.mode;
        this.modeOverrides = Map.copyOf(b.overrides);
        this.keepPerSampleGradients = b.keepPerSample;
        this.ghosts = b.ghosts;
        this.samplers = b.samplers;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Runs the step on these layers; the result owns its tensors. */
    public DpResult run(List<LayerBatch> layers) {
        int b = validate(layers);
        double noiseStd = noiseMultiplier * totalThreshold(layers);
        double divisor = expectedBatchSize > 0 ? expectedBatchSize : 1;
        Map<String, Map<String, Tensor>> perSample = new LinkedHashMap<>();
        Map<String, Tensor> keep = new LinkedHashMap<>();
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            Map<String, NormMode> modes = new LinkedHashMap<>();
            Map<String, double[]> perParam = new LinkedHashMap<>();
            Map<String, double[]> perLayer = new LinkedHashMap<>();
            for (LayerBatch l : layers) {
                NormMode m = chooseMode(l);
                modes.put(l.name(), m);
                Map<String, double[]> sq;
                if (b == 0) {
                    sq = emptyNorms(l.layer());
                } else if (m == NormMode.GHOST) {
                    sq = ghost(l.layer()).orElseThrow().squaredNorms(l.layer(), l.activations(), l.backprops(), k,
                            reduction);
                } else {
                    Map<String, Tensor> g = GradSampler.compute(samplers, l.layer(), l.activations(), l.backprops(),
                            k, reduction);
                    perSample.put(l.name(), g);
                    sq = PerSampleNorms.squared(g);
                }
                for (Map.Entry<String, double[]> e : sq.entrySet()) {
                    perParam.put(l.name() + "." + e.getKey(), PerSampleNorms.sqrt(e.getValue()));
                }
                perLayer.put(l.name(), PerSampleNorms.sqrt(PerSampleNorms.sum(sq.values(), b)));
            }
            double[] flat = PerSampleNorms.sqrt(PerSampleNorms.sum(squares(perLayer.values()), b));
            Map<String, double[]> factors = new LinkedHashMap<>();
            Map<String, Map<String, double[]>> weights = clipFactors(layers, flat, perLayer, perParam, factors);
            for (LayerBatch l : layers) {
                Map<String, double[]> w = scaled(weights.get(l.name()),
                        divisor * (reduction == KReduction.MEAN && !perSample.containsKey(l.name()) ? k : 1));
                for (Map.Entry<String, Tensor> e : clippedSum(l, b, w, perSample).entrySet()) {
                    out.put(l.name() + "." + e.getKey(), e.getValue());
                }
                Map<String, Tensor> g = perSample.remove(l.name());
                if (g != null) {
                    if (keepPerSampleGradients) {
                        g.forEach((p, t) -> keep.put(l.name() + "." + p, t));
                    } else {
                        g.values().forEach(Tensor::close);
                    }
                }
            }
            if (noiseStd > 0) {
                for (Map.Entry<String, Tensor> e : out.entrySet()) {
                    e.setValue(addNoise(e.getValue(), noiseStd, divisor));
                }
            }
            return new DpResult(out, new SampleNorms(perParam, perLayer, flat), factors, modes, keep, noiseStd);
        } catch (RuntimeException e) {
            perSample.values().forEach(m -> m.values().forEach(Tensor::close));
            keep.values().forEach(Tensor::close);
            out.values().forEach(Tensor::close);
            throw e;
        }
    }

    // ------------------------------------------------------------------ steps of run

    /**
     * The clip factors of each clipping unit into {@code factors} (keyed by layer under flat and per-layer
     * clipping, by {@code layer.param} under per-parameter clipping), and returned per layer and parameter (one
     * shared array for all parameters a threshold covers).
     */
    private Map<String, Map<String, double[]>> clipFactors(List<LayerBatch> layers, double[] flat,
                                                           Map<String, double[]> perLayer,
                                                           Map<String, double[]> perParam,
                                                           Map<String, double[]> factors) {
        double[] flatFactors = scope == Scope.FLAT ? Clipping.factors(flat, maxGradNorm) : null;
        Map<String, Map<String, double[]>> weights = new LinkedHashMap<>();
        for (LayerBatch l : layers) {
            double[] layerFactors = switch (scope) {
                case FLAT -> flatFactors;
                case LAYER -> Clipping.factors(perLayer.get(l.name()), thresholds.get(l.name()));
                case PARAMETER -> null;
            };
            if (layerFactors != null) {
                factors.put(l.name(), layerFactors);
            }
            Map<String, double[]> w = new LinkedHashMap<>();
            for (String p : l.layer().parameterShapes().keySet()) {
                String key = l.name() + "." + p;
                double[] f = layerFactors;
                if (f == null) {
                    f = Clipping.factors(perParam.get(key), thresholds.get(key));
                    factors.put(key, f);
                }
                w.put(p, f);
            }
            weights.put(l.name(), w);
        }
        return weights;
    }

    /** Each weight array divided by {@code d} (arrays shared between parameters stay shared); the same map for 1. */
    private static Map<String, double[]> scaled(Map<String, double[]> weights, double d) {
        if (d == 1) {
            return weights;
        }
        Map<double[], double[]> done = new java.util.IdentityHashMap<>();
        Map<String, double[]> out = new LinkedHashMap<>();
        weights.forEach((p, w) -> out.put(p, done.computeIfAbsent(w, x -> {
            double[] y = x.clone();
            for (int i = 0; i < y.length; i++) {
                y[i] /= d;
            }
            return y;
        })));
        return out;
    }

    /**
     * {@code Σ_n w_{p,n} G_{n,p}} per parameter p (the clip factors, already divided by the mean-loss divisor and,
     * for ghost K-mean layers, by K: the division rides on the weights, no pass over the result).
     */
    private Map<String, Tensor> clippedSum(LayerBatch l, int b, Map<String, double[]> weights,
                                           Map<String, Map<String, Tensor>> perSample) {
        if (b == 0) {
            Map<String, Tensor> z = new LinkedHashMap<>();
            Tensor g0 = l.backprops().get(0);
            l.layer().parameterShapes().forEach((p, s) -> z.put(p, Tensor.zeros(g0.device(), g0.dtype(), s)));
            return z;
        }
        Map<String, Tensor> g = perSample.get(l.name());
        if (g != null) {
            return WeightedSums.ofMaterialized(g, weights);
        }
        return ghost(l.layer()).orElseThrow().weightedSumPerParameter(l.layer(), l.activations(), l.backprops(), k,
                weights, samplers);
    }

    /**
     * {@code sum + N(0, std²) / divisor} in place on the sum's device, returned (a contiguous copy first when a
     * custom ghost norm returned a view). The noise is drawn on the host (SecureRandom runs there; a seed gives the
     * same draws whatever the device), converted to the sum's dtype there, moved with one {@code Backend.copy} and
     * added by the backend's GEMM with beta = 1 ({@code [1,1,1]·[1,1,P] + sum}): the sum itself never comes to the
     * host.
     */
    private Tensor addNoise(Tensor sum, double std, double divisor) {
        Tensor s = sum.isContiguous() && sum.ownsMemory() ? sum : Tensors.owned(sum, sum.dims());
        int len = Math.toIntExact(s.numel());
        if (len == 0) {
            return s;
        }
        double[] v = noise.sample(len, std);
        if (divisor != 1) {
            for (int i = 0; i < len; i++) {
                v[i] /= divisor;
            }
        }
        Backend be = Backend.of(s);
        try (Tensor n = Tensors.onDevice(Tensors.array(v, s.dtype(), 1, 1, len), s.device());
             Tensor one = be.empty(s.dtype(), 1, 1, 1);
             Tensor view = s.viewAs(1, 1, len).orElseThrow()) {
            be.fill(one, 1);
            be.gemm(one, n, view, 1);
            return s;
        } catch (RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private NormMode chooseMode(LayerBatch l) {
        NormMode m = keepPerSampleGradients ? NormMode.MATERIALIZED : modeOverrides.getOrDefault(l.name(), mode);
        Optional<GhostNorm<Layer>> g = ghost(l.layer());
        if (m == NormMode.GHOST && g.isEmpty()) {
            throw new DpException("layer " + l.name() + " (" + l.layer().kind() + "): ghost norms asked for, but no "
                    + "GhostNorm is registered for " + l.layer().getClass().getName()
                    + " (register one with GhostNormRegistry.register, or use NormMode.MATERIALIZED)");
        }
        if (m != NormMode.AUTO) {
            return m;
        }
        if (g.isEmpty()) {
            return NormMode.MATERIALIZED;
        }
        return g.get().cost(l.layer(), l.activations(), l.backprops(), k).ghostIsCheaper() ? NormMode.GHOST
                : NormMode.MATERIALIZED;
    }

    @SuppressWarnings("unchecked")
    private Optional<GhostNorm<Layer>> ghost(Layer layer) {
        return (Optional<GhostNorm<Layer>>) (Optional<?>) ghosts.find(layer);
    }

    private static Map<String, double[]> emptyNorms(Layer layer) {
        Map<String, double[]> m = new LinkedHashMap<>();
        layer.parameterShapes().keySet().forEach(p -> m.put(p, new double[0]));
        return m;
    }

    private static List<double[]> squares(Iterable<double[]> norms) {
        List<double[]> out = new ArrayList<>();
        for (double[] n : norms) {
            double[] s = new double[n.length];
            for (int i = 0; i < n.length; i++) {
                s[i] = n[i] * n[i];
            }
            out.add(s);
        }
        return out;
    }

    /**
     * C for flat clipping; sqrt(Σ C²) over the layers' (per-layer) or the parameters' (per-parameter) thresholds,
     * Opacus's noise scale for {@code clipping="per_layer"}: each sample's clipped gradient has norm at most that.
     */
    private double totalThreshold(List<LayerBatch> layers) {
        if (scope == Scope.FLAT) {
            return maxGradNorm;
        }
        double s = 0;
        for (LayerBatch l : layers) {
            if (scope == Scope.LAYER) {
                double c = thresholds.get(l.name());
                s += c * c;
            } else {
                for (String p : l.layer().parameterShapes().keySet()) {
                    double c = thresholds.get(l.name() + "." + p);
                    s += c * c;
                }
            }
        }
        return Math.sqrt(s);
    }

    // ------------------------------------------------------------------ validation

    /** Checks everything before any work; returns B. */
    private int validate(List<LayerBatch> layers) {
        if (layers == null) {
            throw new DpException("layers list is null");
        }
        Set<String> names = new HashSet<>();
        for (LayerBatch l : layers) {
            if (l == null) {
                throw new DpException("layers list holds null");
            }
            if (!names.add(l.name())) {
                throw new DpException("layer name '" + l.name() + "' appears twice");
            }
        }
        if (scope == Scope.LAYER) {
            for (LayerBatch l : layers) {
                if (!thresholds.containsKey(l.name())) {
                    throw new DpException("per-layer clipping: no threshold for layer '" + l.name()
                            + "' (thresholds given for " + thresholds.keySet() + ")");
                }
            }
            for (String n : thresholds.keySet()) {
                if (!names.contains(n)) {
                    throw new DpException("per-layer clipping: threshold for unknown layer '" + n + "' (layers "
                            + names + ")");
                }
            }
        } else if (scope == Scope.PARAMETER) {
            Set<String> params = new java.util.LinkedHashSet<>();
            for (LayerBatch l : layers) {
                for (String p : l.layer().parameterShapes().keySet()) {
                    String key = l.name() + "." + p;
                    params.add(key);
                    if (!thresholds.containsKey(key)) {
                        throw new DpException("per-parameter clipping: no threshold for parameter '" + key
                                + "' (thresholds given for " + thresholds.keySet() + ")");
                    }
                }
            }
            for (String n : thresholds.keySet()) {
                if (!params.contains(n)) {
                    throw new DpException("per-parameter clipping: threshold for unknown parameter '" + n
                            + "' (parameters " + params + ")");
                }
            }
        }
        for (String n : modeOverrides.keySet()) {
            if (!names.contains(n)) {
                throw new DpException("norm mode override for unknown layer '" + n + "' (layers " + names + ")");
            }
        }
        int b = -1;
        String first = null;
        for (LayerBatch l : layers) {
            List<Tensor> all = new ArrayList<>(l.activations());
            all.addAll(l.backprops());
            for (int i = 0; i < all.size(); i++) {
                String what = "layer " + l.name() + " " + (i < l.activations().size() ? "activations[" + i + "]"
                        : "backprops[" + (i - l.activations().size()) + "]");
                Tensor t = all.get(i);
                if (t == null) {
                    throw new InvalidOperandException(what + " is null");
                }
                if (t.isClosed()) {
                    throw new InvalidOperandException(what + " " + t + " is closed");
                }
            }
            if (l.backprops().isEmpty()) {
                throw new DpException("layer " + l.name() + ": no backprops given");
            }
            int axis = ghost(l.layer()).map(g -> g.rowAxis(l.layer())).orElse(0);
            Tensor g0 = l.backprops().get(0);
            if (g0.rank() <= axis) {
                throw new InvalidOperandException("layer " + l.name() + ": backprops " + g0.shape()
                        + " have no row axis " + axis);
            }
            int rows = g0.dim(axis);
            if (rows % k != 0) {
                throw new DpException("layer " + l.name() + ": " + rows + " rows (dim " + axis + " of backprops "
                        + g0.shape() + ") are not divisible by K = " + k);
            }
            if (b >= 0 && rows / k != b) {
                throw new DpException("layers disagree on the batch size: " + first + " has B = " + b + ", "
                        + l.name() + " has B = " + rows / k + " (rows " + rows + ", K = " + k + ")");
            }
            b = rows / k;
            first = first == null ? l.name() : first;
            validateShapes(l, axis);
            for (int i = 0; i < all.size(); i++) {
                Finite.check("layer " + l.name() + " " + (i < l.activations().size() ? "activations[" + i + "]"
                        : "backprops[" + (i - l.activations().size()) + "]"), all.get(i));
            }
        }
        return Math.max(b, 0);
    }

    /**
     * Shapes and dtypes checked by the layer's own grad sampler on an empty slice of the batch (rows 0..0 along
     * the row axis): the sampler validates everything before it works, and on zero rows it does no work.
     */
    private void validateShapes(LayerBatch l, int axis) {
        List<Tensor> views = new ArrayList<>();
        try {
            List<Tensor> a = new ArrayList<>();
            List<Tensor> g = new ArrayList<>();
            for (Tensor t : l.activations()) {
                a.add(add(views, t.rank() > axis ? t.slice(axis, 0, 0) : t));
            }
            for (Tensor t : l.backprops()) {
                g.add(add(views, t.rank() > axis ? t.slice(axis, 0, 0) : t));
            }
            Map<String, Tensor> r = GradSampler.compute(samplers, l.layer(), a, g, k, reduction);
            r.values().forEach(Tensor::close);
        } finally {
            views.forEach(v -> {
                if (!l.activations().contains(v) && !l.backprops().contains(v)) {
                    v.close();
                }
            });
        }
    }

    private static Tensor add(List<Tensor> views, Tensor t) {
        views.add(t);
        return t;
    }

    // ------------------------------------------------------------------ builder

    /** Configures a {@link DpStep}; {@link #build()} checks every value. */
    public static final class Builder {
        private double maxGradNorm = Double.NaN;
        private Scope scope = Scope.FLAT;
        private Map<String, Double> thresholds;
        private double noiseMultiplier = Double.NaN;
        private GaussianNoise noise;
        private int k = 1;
        private KReduction reduction = KReduction.SUM;
        private double expectedBatchSize = -1;
        private NormMode mode = NormMode.AUTO;
        private final Map<String, NormMode> overrides = new HashMap<>();
        private boolean keepPerSample;
        private GhostNormRegistry ghosts = GhostNormRegistry.global();
        private GradSamplerRegistry samplers = GradSamplerRegistry.global();

        private Builder() {
        }

        /** Flat clipping: one threshold C for each sample's gradient over all layers. */
        public Builder maxGradNorm(double c) {
            this.maxGradNorm = c;
            this.scope = Scope.FLAT;
            this.thresholds = null;
            return this;
        }

        /**
         * Per-layer clipping: each layer's per-sample gradient (all its parameters together) clipped to its own
         * C_l, keyed by layer name; the noise std is σ·sqrt(Σ C_l²), as Opacus's per-layer noise scale.
         */
        public Builder perLayerMaxGradNorms(Map<String, Double> thresholds) {
            return thresholds(Scope.LAYER, thresholds);
        }

        /**
         * Per-parameter clipping, as Opacus's {@code clipping="per_layer"} with a list of {@code max_grad_norm} (one
         * threshold per parameter): each parameter's per-sample gradient clipped to its own C_p from its own norm,
         * keyed {@code layer.param} as {@link DpResult#gradients()}; the noise std is σ·sqrt(Σ C_p²), Opacus's.
         * Every parameter of every layer of a step needs a threshold.
         */
        public Builder perParameterMaxGradNorms(Map<String, Double> thresholds) {
            return thresholds(Scope.PARAMETER, thresholds);
        }

        private Builder thresholds(Scope s, Map<String, Double> t) {
            this.scope = s;
            this.thresholds = t == null ? null : new HashMap<>(t);
            this.maxGradNorm = Double.NaN;
            return this;
        }

        /** The noise multiplier σ ≥ 0: noise std σ·C. */
        public Builder noiseMultiplier(double sigma) {
            this.noiseMultiplier = sigma;
            return this;
        }

        /** The noise source; {@link GaussianNoise#secure()} when not set. */
        public Builder noise(GaussianNoise source) {
            this.noise = source;
            return this;
        }

        /** The augmentation multiplicity K ≥ 1 (default 1). */
        public Builder multiplicity(int multiplicity) {
            this.k = multiplicity;
            return this;
        }

        /** How a sample's K copies combine (default SUM). */
        public Builder kReduction(KReduction r) {
            this.reduction = r;
            return this;
        }

        /**
         * A mean loss: divide the noised sum by the expected batch size (B unique samples per step; q·N under
         * Poisson sampling), never the realized one. Without it the result is the noised sum.
         */
        public Builder meanLoss(double expectedBatch) {
            if (!(expectedBatch > 0) || Double.isInfinite(expectedBatch)) {
                throw new DpException("expected batch size must be finite and > 0, got " + expectedBatch);
            }
            this.expectedBatchSize = expectedBatch;
            return this;
        }

        /** How every layer gets its norms (default {@link NormMode#AUTO}). */
        public Builder normMode(NormMode m) {
            this.mode = m;
            return this;
        }

        /** How the layer named {@code layer} gets its norms, overriding {@link #normMode(NormMode)}. */
        public Builder normMode(String layer, NormMode m) {
            overrides.put(layer, m);
            return this;
        }

        /** Return the per-sample gradients too (forces {@link NormMode#MATERIALIZED} on every layer). */
        public Builder keepPerSampleGradients(boolean keep) {
            this.keepPerSample = keep;
            return this;
        }

        /** Ghost norms from this registry (default: the global one). */
        public Builder ghostNorms(GhostNormRegistry r) {
            this.ghosts = r;
            return this;
        }

        /** Grad samplers from this registry (default: the global one). */
        public Builder samplers(GradSamplerRegistry r) {
            this.samplers = r;
            return this;
        }

        public DpStep build() {
            if (scope == Scope.FLAT) {
                if (Double.isNaN(maxGradNorm)) {
                    throw new DpException("no clipping threshold: call maxGradNorm(C), perLayerMaxGradNorms or "
                            + "perParameterMaxGradNorms");
                }
                Clipping.checkThreshold("max gradient norm", maxGradNorm);
            } else {
                String unit = scope == Scope.LAYER ? "layer" : "parameter";
                if (thresholds == null || thresholds.isEmpty()) {
                    throw new DpException("per-" + unit + " clipping needs at least one threshold");
                }
                for (Map.Entry<String, Double> e : thresholds.entrySet()) {
                    if (e.getValue() == null) {
                        throw new DpException("per-" + unit + " threshold of " + unit + " '" + e.getKey()
                                + "' is null");
                    }
                    Clipping.checkThreshold("max gradient norm of " + unit + " '" + e.getKey() + "'",
                            e.getValue());
                }
            }
            if (Double.isNaN(noiseMultiplier)) {
                throw new DpException("no noise multiplier: call noiseMultiplier(sigma) (0 for no noise)");
            }
            RdpAccountant.checkSigma(noiseMultiplier);
            if (k < 1) {
                throw new DpException("augmentation multiplicity K must be >= 1, got " + k);
            }
            if (reduction == null || mode == null || ghosts == null || samplers == null) {
                throw new DpException("K reduction, norm mode and registries must not be null");
            }
            for (Map.Entry<String, NormMode> e : overrides.entrySet()) {
                if (e.getValue() == null) {
                    throw new DpException("norm mode of layer '" + e.getKey() + "' is null");
                }
            }
            return new DpStep(this);
        }
    }

    @Override
    public String toString() {
        return "DpStep(C=" + (scope == Scope.FLAT ? maxGradNorm : scope.name().toLowerCase(java.util.Locale.ROOT)
                + " " + thresholds) + ", sigma="
                + noiseMultiplier + ", K=" + k + " " + reduction + ", mode=" + mode + ", noise="
                + (noise.isSecure() ? "secure" : "seeded") + ")";
    }
}
