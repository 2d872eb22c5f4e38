package org.einsum4j.gradsample;

import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * Per-sample gradients of {@code Conv1d/2d/3d}. The activations are unfolded (im2col, viewed as
 * {@code [B, K, G, C_in/G·Πk, L]}), then one contraction per call, per group (never Opacus's G² blocks):
 * weight {@code nkgoq,nkgpq->ngop} (g viewed {@code [B, K, G, C_out/G, L]}) reshaped to
 * {@code [B, C_out, C_in/G, k…]}; bias {@code nkoq->no}. ALGORITHMS.md §4.
 */
public final class ConvSampler implements LayerSampler<Layer.Conv>, LayerKind {
    static final String WEIGHT_SPEC = "nkgoq,nkgpq->ngop";
    static final String BIAS_SPEC = "nkoq->no";

    @Override
    public Map<String, Tensor> compute(Layer.Conv layer, List<Tensor> activations, List<Tensor> backprops, int k,
                                       KReduction reduction) {
        Checks.count(layer, activations, 1, "activations", "the layer input");
        Checks.count(layer, backprops, 1, "backprops", "dL/d output");
        Tensor a = activations.get(0);
        Tensor g = backprops.get(0);
        int nd = layer.dims();
        String spatial = nd == 1 ? "L" : nd == 2 ? "H, W" : "D, H, W";
        Checks.sameFloating(layer, a, "activations", g, "backprops");
        Checks.rank(layer, a, "activations", nd + 2, "[B*K, C_in, " + spatial + "]");
        Checks.rank(layer, g, "backprops", nd + 2, "[B*K, C_out, " + spatial + "_out]");
        Checks.dim(layer, a, "activations", 1, layer.in(), "in channels");
        Checks.dim(layer, g, "backprops", 1, layer.out(), "out channels");
        Checks.sameDims(layer, a, "activations", g, "backprops", 0, 1);
        int[] inSp = java.util.Arrays.copyOfRange(a.dims(), 2, nd + 2);
        int[] outSp = layer.outputSize(inSp);
        for (int i = 0; i < nd; i++) {
            if (outSp[i] < 1) {
                throw new LayerShapeException(layer.kind() + ": input spatial size "
                        + java.util.Arrays.toString(inSp) + " is too small for kernel "
                        + java.util.Arrays.toString(layer.kernel()) + " with padding " + layer.padding()
                        + " and dilation " + java.util.Arrays.toString(layer.dilation()));
            }
            if (g.dim(2 + i) != outSp[i]) {
                throw new LayerShapeException(layer.kind() + ": backprops spatial size expected "
                        + java.util.Arrays.toString(outSp) + " (from activations " + a.shape() + ", " + layer
                        + "), got " + java.util.Arrays.toString(java.util.Arrays.copyOfRange(g.dims(), 2, nd + 2)));
            }
        }
        int b = Checks.samples(layer, a, "activations", 0, k);
        if (b == 0) {
            return Checks.emptyBatch(layer, g.dtype());
        }
        int groups = layer.groups();
        int cg = layer.in() / groups;
        int og = layer.out() / groups;
        int[] kernel = layer.kernel();
        int kk = Checks.prod(kernel, 0, nd);
        int l = Checks.prod(outSp, 0, nd);
        int[][] lr = layer.padding().resolve(kernel, layer.dilation());
        int[] in3 = pad3(inSp, 1);
        int[] k3 = pad3(kernel, 1);
        int[] s3 = pad3(layer.stride(), 1);
        int[] d3 = pad3(layer.dilation(), 1);
        int[] out3 = pad3(outSp, 1);
        int[] p3 = new int[3];
        for (int i = 0; i < nd; i++) {
            p3[3 - nd + i] = lr[i][0];
        }
        Checks.Results out = new Checks.Results();
        try (Scope s = new Scope()) {
            Tensor ac = s.contiguous(a);
            // cols is laid out [B, G, K, P, L] and viewed as [B, K, G, P, L]; with G > 1 the backprops get the same
            // (sample, group)-major copy, so the contraction's batch (n, g) is one stride in both operands and the
            // executor runs it without copying the much larger cols (its copy-free 4-d GEMM form, K accumulated)
            Tensor cols = s.add(SampleKernels.unfold(ac, b, k, groups, layer.in(), in3, k3, s3, p3, d3, out3));
            Tensor cv = s.add(cols.permute(0, 2, 1, 3, 4));
            Tensor gv = s.reshape(g, b, k, groups, og, l);
            if (groups > 1) {
                Tensor gp = s.add(gv.permute(0, 2, 1, 3, 4));
                Tensor gc = s.add(gp.copy());
                gv = s.add(gc.permute(0, 2, 1, 3, 4));
            }
            int[] wShape = layer.parameterShapes().get("weight");
            out.put("weight", SampleKernels.finish(SampleKernels.contract(WEIGHT_SPEC, gv, cv), reduction, k,
                    Checks.withBatch(b, wShape)));
            if (layer.bias()) {
                Tensor gb = s.reshape(g, b, k, layer.out(), l);
                out.put("bias", SampleKernels.finish(SampleKernels.contract(BIAS_SPEC, gb), reduction, k,
                        b, layer.out()));
            }
            return out.done();
        } catch (RuntimeException e) {
            out.closeAll();
            throw e;
        }
    }

    /** Left-pads a per-dim array to 3 dims with {@code fill}. */
    private static int[] pad3(int[] v, int fill) {
        int[] o = {fill, fill, fill};
        System.arraycopy(v, 0, o, 3 - v.length, v.length);
        return o;
    }

    // ------------------------------------------------------------------ as tools describe it

    @Override
    public List<String> names() {
        return List.of("Conv1d", "Conv2d", "Conv3d");
    }

    @Override
    public String help() {
        return "Conv1d/2d/3d   cin= cout= k= [stride=] [pad=N|same|valid] [dil=] [groups=] [bias]\n"
                + "               L= (1d) | H= W= (2d) | D= H= W= (3d); k/stride/pad/dil take N or N,N[,N]";
    }

    @Override
    public Workload describe(String name, Hyperparameters h, int rows) {
        int nd = name.charAt(4) - '0';
        String[] sp = nd == 1 ? new String[] {"L"} : nd == 2 ? new String[] {"H", "W"} : new String[] {"D", "H", "W"};
        h.allow("cin", "cout", "k", "stride", "pad", "dil", "groups", "bias", "padding_mode");
        h.allow(sp);
        String pad = h.str("pad", "0");
        Layer.Padding padding = pad.equalsIgnoreCase("same") ? Layer.Padding.SAME
                : pad.equalsIgnoreCase("valid") ? Layer.Padding.VALID : Layer.Padding.of(h.ints("pad", "0"));
        Layer.Conv l = new Layer.Conv(nd, h.req("cin"), h.req("cout"), h.ints("k", null), h.ints("stride", "1"),
                padding, h.ints("dil", "1"), h.opt("groups", 1), h.bool("bias", false),
                Layer.PaddingMode.parse(h.str("padding_mode", "zeros")));
        int[] in = new int[nd];
        for (int i = 0; i < nd; i++) {
            in[i] = h.req(sp[i]);
        }
        int[] out = l.outputSize(in);
        for (int o : out) {
            if (o < 1) {
                throw new LayerShapeException(name + ": input " + java.util.Arrays.toString(in)
                        + " is too small for the kernel");
            }
        }
        return new Workload(l, -1, false, List.of(Workload.rows(rows, new int[] {l.in()}, in)),
                List.of(Workload.rows(rows, new int[] {l.out()}, out)));
    }
}
