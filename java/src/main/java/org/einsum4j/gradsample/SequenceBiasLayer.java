package org.einsum4j.gradsample;

import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * Opacus's {@code SequenceBias(embedDim, batchFirst)}: appends a learned vector as the last sequence position;
 * backprops {@code [B·K, T+1, D]} (or {@code [T+1, B·K, D]} time-first); the bias gradient is the last
 * position's backprop.
 */
public record SequenceBiasLayer(int embedDim, boolean batchFirst) implements Layer {
    public SequenceBiasLayer {
        Checks.positive("SequenceBias embed dim", embedDim);
    }

    @Override
    public String kind() {
        return "SequenceBias";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        return Map.of("bias", new int[] {embedDim});
    }
}

/**
 * Per-sample gradients of Opacus's {@code SequenceBias}, which appends its bias as the last sequence position:
 * the gradient is the last position's backprop, summed over K ({@code nkd->nd}). Activations are optional (the
 * gradient does not depend on them); when given they must be {@code [B·K, T, D]} for backprops
 * {@code [B·K, T+1, D]} (time-first: {@code [T, B·K, D]} and {@code [T+1, B·K, D]}).
 */
final class SequenceBiasSampler implements LayerSampler<SequenceBiasLayer>, LayerKind {
    static final String SPEC = "nkd->nd";

    @Override
    public Map<String, Tensor> compute(SequenceBiasLayer layer, List<Tensor> activations, List<Tensor> backprops,
                                       int k, KReduction reduction) {
        if (activations.size() > 1) {
            Checks.count(layer, activations, 1, "activations", "the layer input, optional");
        }
        Checks.count(layer, backprops, 1, "backprops", "dL/d output");
        Tensor g = backprops.get(0);
        boolean bf = layer.batchFirst();
        String layout = bf ? "[B*K, T+1, " + layer.embedDim() + "]" : "[T+1, B*K, " + layer.embedDim() + "]";
        Checks.floating(layer, g, "backprops");
        Checks.rank(layer, g, "backprops", 3, layout);
        Checks.dim(layer, g, "backprops", 2, layer.embedDim(), "embed dim");
        int timeAxis = bf ? 1 : 0;
        int rowAxis = bf ? 0 : 1;
        if (g.dim(timeAxis) < 1) {
            throw new LayerShapeException(layer.kind() + ": backprops need at least one sequence position (the "
                    + "bias), got shape " + g.shape());
        }
        if (activations.size() == 1) {
            Tensor a = activations.get(0);
            Checks.sameFloating(layer, a, "activations", g, "backprops");
            Checks.rank(layer, a, "activations", 3, bf ? "[B*K, T, D]" : "[T, B*K, D]");
            Checks.dim(layer, a, "activations", rowAxis, g.dim(rowAxis), "rows B*K");
            Checks.dim(layer, a, "activations", timeAxis, g.dim(timeAxis) - 1,
                    "sequence length T (backprops have T+1 = " + g.dim(timeAxis) + ")");
            Checks.dim(layer, a, "activations", 2, layer.embedDim(), "embed dim");
        }
        int b = Checks.samples(layer, g, "backprops", rowAxis, k);
        if (b == 0) {
            return Checks.emptyBatch(layer, g.dtype());
        }
        int last = g.dim(timeAxis) - 1;
        Checks.Results out = new Checks.Results();
        try (Scope s = new Scope()) {
            Tensor lastPos = s.add(g.slice(timeAxis, last, last + 1));
            Tensor gv = s.reshape(lastPos, b, k, layer.embedDim());
            out.put("bias", SampleKernels.finish(SampleKernels.contract(SPEC, gv), reduction, k, b,
                    layer.embedDim()));
            return out.done();
        } catch (RuntimeException e) {
            out.closeAll();
            throw e;
        }
    }

    // ------------------------------------------------------------------ as tools describe it

    @Override
    public List<String> names() {
        return List.of("SequenceBias");
    }

    @Override
    public String help() {
        return "SequenceBias   T= D=";
    }

    @Override
    public Workload describe(String name, Hyperparameters h, int rows) {
        h.allow("T", "D");
        SequenceBiasLayer l = new SequenceBiasLayer(h.req("D"), true);
        int t = h.req("T");
        return new Workload(l, t, false, List.of(new int[] {rows, t, l.embedDim()}),
                List.of(new int[] {rows, t + 1, l.embedDim()}));
    }
}
