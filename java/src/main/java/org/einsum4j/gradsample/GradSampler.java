package org.einsum4j.gradsample;

import java.util.List;
import java.util.Map;
import org.einsum4j.InvalidOperandException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Hold;
import org.einsum4j.tensor.Tensor;

/**
 * Per-sample gradients with augmentation multiplicity K: the entry point. Looks up the layer's sampler in the
 * {@link GradSamplerRegistry#global() global registry} and runs it.
 *
 * <pre>{@code
 * try (Tensor a = ..., g = ...) {               // [B·K, in], [B·K, out], rows sample-major
 *     Map<String, Tensor> grads = GradSampler.compute(new LinearLayer(512, 512, true), a, g, k);
 *     Tensor w = grads.get("weight");            // [B, 512, 512], the sum over each sample's K copies
 * }
 * }</pre>
 *
 * Formulas: ALGORITHMS.md §4 (each gradient is one einsum contraction with K as one more summed label).
 */
public final class GradSampler {
    private GradSampler() {
    }

    /** Per-sample gradients, summed over each sample's K copies ({@link KReduction#SUM}). */
    public static Map<String, Tensor> compute(Layer layer, Tensor activations, Tensor backprops, int multiplicity) {
        return compute(layer, activations, backprops, multiplicity, KReduction.SUM);
    }

    /** Per-sample gradients with the given K reduction. */
    public static Map<String, Tensor> compute(Layer layer, Tensor activations, Tensor backprops, int multiplicity,
                                              KReduction reduction) {
        return compute(layer, activations == null ? List.of() : List.of(activations),
                List.of(nonNull(backprops, "backprops")), multiplicity, reduction);
    }

    /**
     * Per-sample gradients for layers with several inputs (RNN/GRU/LSTM: activations {@code [x, hPrev]}, backprops
     * {@code [gIh, gHh]}).
     */
    public static Map<String, Tensor> compute(Layer layer, List<Tensor> activations, List<Tensor> backprops,
                                              int multiplicity, KReduction reduction) {
        return compute(GradSamplerRegistry.global(), layer, activations, backprops, multiplicity, reduction);
    }

    /** As {@link #compute(Layer, List, List, int, KReduction)} with samplers from {@code registry}. */
    public static Map<String, Tensor> compute(GradSamplerRegistry registry, Layer layer, List<Tensor> activations,
                                              List<Tensor> backprops, int multiplicity, KReduction reduction) {
        if (layer == null) {
            throw new GradSampleException("layer description is null");
        }
        if (multiplicity < 1) {
            throw new MultiplicityException("augmentation multiplicity K must be >= 1, got " + multiplicity);
        }
        if (reduction == null) {
            throw new GradSampleException("K reduction is null (use KReduction.SUM or MEAN)");
        }
        checkTensors(activations, "activations");
        checkTensors(backprops, "backprops");
        List<Tensor> all = new java.util.ArrayList<>(activations);
        all.addAll(backprops);
        // one device for every input (else a clear exception naming each); empty-batch results are made there
        org.einsum4j.Backend backend = org.einsum4j.Backend.of(all.toArray(new Tensor[0]));
        Device device = backend.device();
        // results and the convolutions' unfolded input are known from the shapes: refuse what cannot fit first
        if (!backprops.isEmpty()) {
            Tensor g = backprops.get(0);
            org.einsum4j.MemoryBudget.require("grad sample of " + layer + " (results, unfolded input)", Checks.bytesNeeded(layer, g.dims(), g.dtype(),
                    multiplicity), backend);
        }
        // held for the call: another thread's close() then frees the memory only once the sampler is done with it
        try (Hold held = Hold.of(all)) {
            return Checks.onDevice(device, () -> registry.require(layer).compute(layer, List.copyOf(activations),
                    List.copyOf(backprops), multiplicity, reduction));
        }
    }

    /**
     * A lower bound, from the shapes alone, of the bytes {@link #compute} allocates for {@code layer} with backprops
     * of {@code backpropsShape} (rows B·K first): the per-sample results and, for convolutions, the unfolded
     * input. For tools that check a workload before making its inputs; {@code compute} makes the same check.
     */
    public static long bytesNeeded(Layer layer, int[] backpropsShape, DType dtype, int multiplicity) {
        return Checks.bytesNeeded(layer, backpropsShape, dtype, multiplicity);
    }

    private static void checkTensors(List<Tensor> ts, String what) {
        if (ts == null) {
            throw new InvalidOperandException(what + " list is null");
        }
        for (int i = 0; i < ts.size(); i++) {
            Tensor t = ts.get(i);
            if (t == null) {
                throw new InvalidOperandException(what + "[" + i + "] is null");
            }
            if (t.isClosed()) {
                throw new InvalidOperandException(what + "[" + i + "] " + t + " is closed");
            }
        }
    }

    private static Tensor nonNull(Tensor t, String what) {
        if (t == null) {
            throw new InvalidOperandException(what + " is null");
        }
        return t;
    }
}
