package org.einsum4j.dp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * What one DP step returns: per parameter ({@code layer.param}) the clipped, noised gradient — the sum
 * {@code Σ_n c_n G_n + N(0, (σC)²)}, divided by the expected batch size for a mean loss — and the per-sample norms
 * (before clipping), the clip factors (per layer, or per parameter), the norm mode each layer used, and the
 * per-sample gradients only when {@link DpStep.Builder#keepPerSampleGradients asked for}. Owns its tensors: close it.
 */
public final class DpResult implements AutoCloseable {
    private final Map<String, Tensor> gradients;
    private final SampleNorms norms;
    private final Map<String, double[]> clipFactors;
    private final Map<String, NormMode> modes;
    private final Map<String, Tensor> perSampleGradients;
    private final double noiseStd;

    DpResult(Map<String, Tensor> gradients, SampleNorms norms, Map<String, double[]> clipFactors,
             Map<String, NormMode> modes, Map<String, Tensor> perSampleGradients, double noiseStd) {
        this.gradients = Collections.unmodifiableMap(new LinkedHashMap<>(gradients));
        this.norms = norms;
        this.clipFactors = Collections.unmodifiableMap(new LinkedHashMap<>(clipFactors));
        this.modes = Collections.unmodifiableMap(new LinkedHashMap<>(modes));
        this.perSampleGradients = Collections.unmodifiableMap(new LinkedHashMap<>(perSampleGradients));
        this.noiseStd = noiseStd;
    }

    /** The clipped, noised gradient of each parameter, keyed {@code layer.param}, of the parameter's shape. */
    public Map<String, Tensor> gradients() {
        return gradients;
    }

    /** The per-sample norms before clipping. */
    public SampleNorms norms() {
        return norms;
    }

    /**
     * The clip factors {@code c_n} ({@code double[B]}) of each clipping unit: keyed by layer under flat clipping (the
     * same array for all) and per-layer clipping, by {@code layer.param} under per-parameter clipping.
     */
    public Map<String, double[]> clipFactors() {
        return clipFactors;
    }

    /** {@link NormMode#GHOST} or {@link NormMode#MATERIALIZED} per layer, as the step ran it. */
    public Map<String, NormMode> modes() {
        return modes;
    }

    /** The per-sample gradients {@code [B, *param]}, only when asked for (else empty). */
    public Map<String, Tensor> perSampleGradients() {
        return perSampleGradients;
    }

    /** The standard deviation of the noise added to each coordinate (before the mean-loss division): σ·C. */
    public double noiseStd() {
        return noiseStd;
    }

    /** Number of samples B. */
    public int samples() {
        return norms.samples();
    }

    @Override
    public void close() {
        gradients.values().forEach(Tensor::close);
        perSampleGradients.values().forEach(Tensor::close);
    }
}
