package org.einsum4j.gradsample;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.Linear(in, out, bias)}: activations {@code [B·K, …, in]}, backprops {@code [B·K, …, out]}.
 */
public record LinearLayer(int in, int out, boolean bias) implements Layer {
    public LinearLayer {
        Checks.positive("Linear in", in);
        Checks.positive("Linear out", out);
    }

    @Override
    public String kind() {
        return "Linear";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put("weight", new int[] {out, in});
        if (bias) {
            m.put("bias", new int[] {out});
        }
        return Collections.unmodifiableMap(m);
    }
}

/**
 * Per-sample gradients of {@code Linear}: weight {@code nkti,nktj->nij} (g, a) and bias {@code nkto->no}, where
 * rows {@code [B·K, …]} are viewed as {@code [B, K, …]} and all middle dims are flattened into t (both views,
 * no copies for contiguous inputs), so K and t are summed labels of one batched GEMM per sample
 * (ALGORITHMS.md §4, the seed's {@code n...i,n...j->nij} after the K reshape).
 */
final class LinearSampler implements LayerSampler<LinearLayer>, LayerKind {
    static final String WEIGHT_SPEC = "nkti,nktj->nij";
    static final String BIAS_SPEC = "nkto->no";

    @Override
    public Map<String, Tensor> compute(LinearLayer layer, List<Tensor> activations, List<Tensor> backprops, int k,
                                       KReduction reduction) {
        Checks.count(layer, activations, 1, "activations", "the layer input");
        Checks.count(layer, backprops, 1, "backprops", "dL/d output");
        Tensor a = activations.get(0);
        Tensor g = backprops.get(0);
        Checks.sameFloating(layer, a, "activations", g, "backprops");
        Checks.minRank(layer, a, "activations", 2, "[B*K, ..., in]");
        Checks.rank(layer, g, "backprops", a.rank(), "[B*K, ..., out] (same rank as activations " + a.shape() + ")");
        Checks.dim(layer, a, "activations", a.rank() - 1, layer.in(), "in features");
        Checks.dim(layer, g, "backprops", g.rank() - 1, layer.out(), "out features");
        Checks.sameDims(layer, a, "activations", g, "backprops", 0, a.rank() - 1);
        int b = Checks.samples(layer, a, "activations", 0, k);
        if (b == 0) {
            return Checks.emptyBatch(layer, g.dtype());
        }
        int t = Checks.prod(a.dims(), 1, a.rank() - 1);
        Checks.Results out = new Checks.Results();
        try (Scope s = new Scope()) {
            Tensor av = s.reshape(a, b, k, t, layer.in());
            Tensor gv = s.reshape(g, b, k, t, layer.out());
            out.put("weight", SampleKernels.finish(SampleKernels.contract(WEIGHT_SPEC, gv, av), reduction, k,
                    b, layer.out(), layer.in()));
            if (layer.bias()) {
                out.put("bias", SampleKernels.finish(SampleKernels.contract(BIAS_SPEC, gv), reduction, k,
                        b, layer.out()));
            }
            return out.done();
        } catch (RuntimeException e) {
            out.closeAll();
            throw e;
        }
    }

    // ------------------------------------------------------------------ as tools describe it

    @Override
    public List<String> names() {
        return List.of("Linear");
    }

    @Override
    public String help() {
        return "Linear         in= out= [T=] [bias]";
    }

    @Override
    public Workload describe(String name, Hyperparameters h, int rows) {
        h.allow("in", "out", "bias", "T");
        LinearLayer l = new LinearLayer(h.req("in"), h.req("out"), h.bool("bias", false));
        int t = h.opt("T", -1);
        int[] mid = t < 0 ? new int[0] : new int[] {t};
        return new Workload(l, t, false, List.of(Workload.rows(rows, mid, l.in())),
                List.of(Workload.rows(rows, mid, l.out())));
    }
}
