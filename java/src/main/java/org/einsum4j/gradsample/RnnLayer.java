package org.einsum4j.gradsample;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * One layer, one direction of {@code torch.nn.RNN/GRU/LSTM(input, hidden, bias, batch_first)}. The sampler takes
 * two activations, {@code x_t} {@code [B·K, T, input]} and {@code h_(t−1)} {@code [B·K, T, hidden]}, and two
 * backprops, dL/d({@code x_t W_ihᵀ + b_ih}) and dL/d({@code h_(t−1) W_hhᵀ + b_hh}), both
 * {@code [B·K, T, gates·hidden]}; time-first ({@code [T, B·K, …]}) when {@code batchFirst} is false.
 * {@code layerIndex} and {@code reverse} only name the parameters as PyTorch does for stacked and
 * bidirectional modules ({@code weight_ih_l1_reverse}); each (layer, direction) is sampled on its own inputs.
 */
public record RnnLayer(RnnKind cell, int input, int hidden, boolean bias, boolean batchFirst, int layerIndex,
                       boolean reverse) implements Layer {
    /** The recurrent cells; {@link #gates()} is how many stacked gate blocks W_ih and W_hh have. */
    public enum RnnKind {
        RNN(1), GRU(3), LSTM(4);

        private final int gates;

        RnnKind(int gates) {
            this.gates = gates;
        }

        public int gates() {
            return gates;
        }
    }

    public RnnLayer {
        if (cell == null) {
            throw new GradSampleException("Rnn cell kind is null");
        }
        Checks.positive("Rnn input size", input);
        Checks.positive("Rnn hidden size", hidden);
        if (layerIndex < 0) {
            throw new GradSampleException("Rnn layer index must be >= 0, got " + layerIndex);
        }
    }

    /** Layer 0, forward direction: parameters {@code weight_ih_l0} … */
    public RnnLayer(RnnKind cell, int input, int hidden, boolean bias, boolean batchFirst) {
        this(cell, input, hidden, bias, batchFirst, 0, false);
    }

    /** PyTorch's name of one of this layer's parameters: {@code weight_ih} → {@code weight_ih_l0}. */
    public String parameterName(String base) {
        return base + "_l" + layerIndex + (reverse ? "_reverse" : "");
    }

    @Override
    public String kind() {
        return cell.name();
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        int gh = cell.gates() * hidden;
        Map<String, int[]> m = new LinkedHashMap<>();
        m.put(parameterName("weight_ih"), new int[] {gh, input});
        m.put(parameterName("weight_hh"), new int[] {gh, hidden});
        if (bias) {
            m.put(parameterName("bias_ih"), new int[] {gh});
            m.put(parameterName("bias_hh"), new int[] {gh});
        }
        return Collections.unmodifiableMap(m);
    }
}

/**
 * Per-sample gradients of one RNN/GRU/LSTM layer. Each step is two linear maps, {@code x_t W_ihᵀ + b_ih} and
 * {@code h_(t−1) W_hhᵀ + b_hh}, so each weight is Linear's formula with time and K as summed labels, in one
 * contraction over all steps (not one call per step as Opacus's DPLSTM): batch-first
 * {@code nkti,nktj->nij}, time-first {@code tnki,tnkj->nij}; biases {@code nkto->no} / {@code tnko->no}.
 * Inputs: activations {@code [x, hPrev]}, backprops {@code [gIh, gHh]}.
 */
final class RnnSampler implements LayerSampler<RnnLayer>, LayerKind {
    static final String WEIGHT_BATCH_FIRST = "nkti,nktj->nij";
    static final String BIAS_BATCH_FIRST = "nkto->no";
    static final String WEIGHT_TIME_FIRST = "tnki,tnkj->nij";
    static final String BIAS_TIME_FIRST = "tnko->no";

    @Override
    public Map<String, Tensor> compute(RnnLayer layer, List<Tensor> activations, List<Tensor> backprops, int k,
                                       KReduction reduction) {
        Checks.count(layer, activations, 2, "activations", "x_t and h_(t-1)");
        Checks.count(layer, backprops, 2, "backprops", "dL/d(x_t W_ih^T + b_ih) and dL/d(h_(t-1) W_hh^T + b_hh)");
        Tensor x = activations.get(0);
        Tensor h = activations.get(1);
        Tensor gIh = backprops.get(0);
        Tensor gHh = backprops.get(1);
        boolean bf = layer.batchFirst();
        String rowsT = bf ? "[B*K, T, " : "[T, B*K, ";
        int gh = layer.cell().gates() * layer.hidden();
        Checks.sameFloating(layer, x, "activations[0] (x)", gIh, "backprops[0] (ih)");
        Checks.sameFloating(layer, h, "activations[1] (h_prev)", gHh, "backprops[1] (hh)");
        Checks.sameFloating(layer, x, "activations[0] (x)", h, "activations[1] (h_prev)");
        Checks.rank(layer, x, "activations[0] (x)", 3, rowsT + "input]");
        Checks.rank(layer, h, "activations[1] (h_prev)", 3, rowsT + "hidden]");
        Checks.rank(layer, gIh, "backprops[0] (ih)", 3, rowsT + "gates*hidden]");
        Checks.rank(layer, gHh, "backprops[1] (hh)", 3, rowsT + "gates*hidden]");
        Checks.dim(layer, x, "activations[0] (x)", 2, layer.input(), "input size");
        Checks.dim(layer, h, "activations[1] (h_prev)", 2, layer.hidden(), "hidden size");
        Checks.dim(layer, gIh, "backprops[0] (ih)", 2, gh, layer.cell().gates() + " gates x hidden");
        Checks.dim(layer, gHh, "backprops[1] (hh)", 2, gh, layer.cell().gates() + " gates x hidden");
        Checks.sameDims(layer, x, "activations[0] (x)", h, "activations[1] (h_prev)", 0, 2);
        Checks.sameDims(layer, x, "activations[0] (x)", gIh, "backprops[0] (ih)", 0, 2);
        Checks.sameDims(layer, x, "activations[0] (x)", gHh, "backprops[1] (hh)", 0, 2);
        int rowAxis = bf ? 0 : 1;
        int b = Checks.samples(layer, x, "activations[0] (x)", rowAxis, k);
        if (b == 0) {
            return Checks.emptyBatch(layer, gIh.dtype());
        }
        int t = x.dim(bf ? 1 : 0);
        Checks.Results out = new Checks.Results();
        try (Scope s = new Scope()) {
            Tensor xv = s.reshape(x, view(bf, b, k, t, layer.input()));
            Tensor hv = s.reshape(h, view(bf, b, k, t, layer.hidden()));
            Tensor gi = s.reshape(gIh, view(bf, b, k, t, gh));
            Tensor gh2 = s.reshape(gHh, view(bf, b, k, t, gh));
            String w = bf ? WEIGHT_BATCH_FIRST : WEIGHT_TIME_FIRST;
            String bs = bf ? BIAS_BATCH_FIRST : BIAS_TIME_FIRST;
            out.put(layer.parameterName("weight_ih"), SampleKernels.finish(SampleKernels.contract(w, gi, xv),
                    reduction, k, b, gh, layer.input()));
            out.put(layer.parameterName("weight_hh"), SampleKernels.finish(SampleKernels.contract(w, gh2, hv),
                    reduction, k, b, gh, layer.hidden()));
            if (layer.bias()) {
                out.put(layer.parameterName("bias_ih"), SampleKernels.finish(SampleKernels.contract(bs, gi),
                        reduction, k, b, gh));
                out.put(layer.parameterName("bias_hh"), SampleKernels.finish(SampleKernels.contract(bs, gh2),
                        reduction, k, b, gh));
            }
            return out.done();
        } catch (RuntimeException e) {
            out.closeAll();
            throw e;
        }
    }

    private static int[] view(boolean batchFirst, int b, int k, int t, int f) {
        return batchFirst ? new int[] {b, k, t, f} : new int[] {t, b, k, f};
    }

    // ------------------------------------------------------------------ as tools describe it

    @Override
    public List<String> names() {
        return List.of("RNN", "GRU", "LSTM");
    }

    @Override
    public String help() {
        return "RNN, GRU, LSTM T= in= H= (hidden) [bias=false] [time_first]";
    }

    @Override
    public Workload describe(String name, Hyperparameters h, int rows) {
        h.allow("T", "in", "H", "bias", "time_first");
        RnnLayer l = new RnnLayer(RnnLayer.RnnKind.valueOf(name), h.req("in"), h.req("H"), h.bool("bias", true),
                !h.bool("time_first", false));
        int t = h.req("T");
        int gh = l.cell().gates() * l.hidden();
        return new Workload(l, t, false, List.of(rows(l, rows, t, l.input()), rows(l, rows, t, l.hidden())),
                List.of(rows(l, rows, t, gh), rows(l, rows, t, gh)));
    }

    private static int[] rows(RnnLayer l, int rows, int t, int f) {
        return l.batchFirst() ? new int[] {rows, t, f} : new int[] {t, rows, f};
    }
}
