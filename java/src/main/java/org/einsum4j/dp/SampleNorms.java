package org.einsum4j.dp;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The per-sample gradient norms of one DP step ({@code double[B]} each, on the host): per parameter (keys
 * {@code layer.param}), per layer (keys {@code layer}), and flat over all layers of the step.
 */
public record SampleNorms(Map<String, double[]> perParameter, Map<String, double[]> perLayer, double[] flat) {
    public SampleNorms {
        perParameter = Collections.unmodifiableMap(new LinkedHashMap<>(perParameter));
        perLayer = Collections.unmodifiableMap(new LinkedHashMap<>(perLayer));
        flat = flat.clone();
    }

    @Override
    public double[] flat() {
        return flat.clone();
    }

    /** Number of samples B. */
    public int samples() {
        return flat.length;
    }
}
