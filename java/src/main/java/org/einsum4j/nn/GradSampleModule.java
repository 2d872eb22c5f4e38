package org.einsum4j.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.Tensor;

/**
 * The Java counterpart of Opacus's {@code GradSampleModuleAugmented}: wraps a {@link Sequential}, takes batches of
 * {@code B·K} rows (sample-major: rows {@code n·K … n·K+K−1} are sample n's K augmented copies), and after a
 * backward pass hands each layer's captured activations and backprops, with K, to the grad samplers
 * ({@link #perSampleGradients()}) or to the DP step's ghost norms ({@link #captures()}).
 *
 * <p>Each sample's gradient is the mean over its K copies ({@link KReduction#MEAN}): the backprops come from a
 * per-row loss, and De et al. (2022) average the K augmented gradients before clipping.
 */
public final class GradSampleModule {
    private final Sequential model;
    private final int multiplicity;

    /** The layers with parameters as the last pass left them: description, parameters, activations, backprops. */
    public record Capture(Layer layer, List<Parameter> parameters, Tensor activations, Tensor backprops) {
    }

    public GradSampleModule(Sequential model, int multiplicity) {
        if (model == null) {
            throw new NnException("model is null");
        }
        if (multiplicity < 1) {
            throw new NnException("augmentation multiplicity K must be >= 1, got " + multiplicity);
        }
        this.model = model;
        this.multiplicity = multiplicity;
    }

    public Sequential model() {
        return model;
    }

    public int multiplicity() {
        return multiplicity;
    }

    /** The reduction over a sample's K copies used everywhere here. */
    public KReduction reduction() {
        return KReduction.MEAN;
    }

    /** A training forward pass over {@code B·K} rows. */
    public Tensor forward(Tensor x) {
        if (x.rank() < 1 || x.dim(0) % multiplicity != 0) {
            throw new NnException("batch of " + (x.rank() < 1 ? 0 : x.dim(0)) + " rows is not a multiple of K = "
                    + multiplicity + " (rows must be B·K, sample-major)");
        }
        return model.forward(x, true);
    }

    /**
     * Backpropagates each row's loss gradient {@code dℓ_r/d output_r}; no batch parameter gradients. The gradient is
     * copied (the last layer's backprops must outlive the caller's loss result).
     */
    public void backward(Tensor rowGradients) {
        List<Module> ms = model.modules();
        model.backward(ms.get(ms.size() - 1).own(rowGradients.copy()), false);
    }

    /** Number of samples B in the last batch. */
    public int samples() {
        for (Capture c : captures()) {
            return c.activations().dim(0) / multiplicity;
        }
        throw new NnException("model has no layer with parameters");
    }

    /** Every layer with parameters, with what the last forward and backward passes captured. */
    public List<Capture> captures() {
        List<Capture> out = new ArrayList<>();
        for (Module m : model.modules()) {
            if (m.layer().isPresent()) {
                if (m.capturedInput() == null || m.capturedGradOut() == null) {
                    throw new NnException(m + ": no activations or backprops captured (run forward and backward"
                            + " first)");
                }
                out.add(new Capture(m.layer().get(), m.parameters(), m.capturedInput(), m.capturedGradOut()));
            }
        }
        return out;
    }

    /** Materialized per-sample gradients {@code [B, *shape]} per parameter (the caller closes them). */
    public Map<Parameter, Tensor> perSampleGradients() {
        Map<Parameter, Tensor> out = new LinkedHashMap<>();
        for (Capture c : captures()) {
            Map<String, Tensor> g = GradSampler.compute(c.layer(), c.activations(), c.backprops(), multiplicity,
                    reduction());
            for (Parameter p : c.parameters()) {
                out.put(p, g.get(p.shortName()));
            }
        }
        return out;
    }
}
