package org.einsum4j.dp;

import java.util.LinkedHashMap;
import java.util.Map;
import org.einsum4j.Einsum;
import org.einsum4j.tensor.Tensor;

/**
 * Per-sample gradient norms from materialized per-sample gradients {@code [B, *param]}: per parameter, and
 * combined per layer or flat over the model ({@code ‖G_n‖² = Σ_p ‖G_n,p‖²}). Each squared norm is one contraction
 * {@code np,np->n}; the {@code [B]} result is read to the host with {@code toDoubleArray} (B values — small next
 * to the gradients, and the clip factors are computed from it on the host).
 */
public final class PerSampleNorms {
    private PerSampleNorms() {
    }

    /** {@code ‖G_n‖²} of one per-sample gradient tensor {@code [B, …]}: {@code double[B]}. */
    public static double[] squared(Tensor perSample) {
        if (perSample.rank() < 1) {
            throw new DpException("per-sample gradient must have a batch dim, got " + perSample);
        }
        int b = perSample.dim(0);
        if (b == 0) {
            return new double[0];
        }
        try (Tensor flat = Tensors.view(perSample, b, -1);
             Tensor sq = Einsum.contract("np,np->n", flat, flat)) {
            return sq.toDoubleArray();
        }
    }

    /** {@link #squared(Tensor)} of each parameter's per-sample gradient, in the map's order. */
    public static Map<String, double[]> squared(Map<String, Tensor> perSample) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : perSample.entrySet()) {
            out.put(e.getKey(), squared(e.getValue()));
        }
        return out;
    }

    /** Per parameter norms {@code ‖G_n,p‖}. */
    public static Map<String, double[]> perParameter(Map<String, Tensor> perSample) {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, double[]> e : squared(perSample).entrySet()) {
            out.put(e.getKey(), sqrt(e.getValue()));
        }
        return out;
    }

    /** The norm over all parameters of the map (a layer, or a whole model): {@code sqrt(Σ_p ‖G_n,p‖²)}. */
    public static double[] flat(Map<String, Tensor> perSample) {
        return sqrt(sum(squared(perSample).values(), -1));
    }

    /** Element-wise sum of squared-norm vectors of one length ({@code b}, or any when negative). */
    static double[] sum(Iterable<double[]> squared, int b) {
        double[] acc = b < 0 ? null : new double[b];
        for (double[] s : squared) {
            if (acc == null) {
                acc = new double[s.length];
            }
            if (s.length != acc.length) {
                throw new DpException("per-sample norms of different batch sizes: " + s.length + " vs "
                        + acc.length);
            }
            for (int i = 0; i < s.length; i++) {
                acc[i] += s[i];
            }
        }
        return acc == null ? new double[0] : acc;
    }

    static double[] sqrt(double[] sq) {
        double[] r = new double[sq.length];
        for (int i = 0; i < sq.length; i++) {
            r[i] = Math.sqrt(sq[i]);
        }
        return r;
    }
}
