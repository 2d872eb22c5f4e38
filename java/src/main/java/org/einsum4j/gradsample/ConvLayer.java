package org.einsum4j.gradsample;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.Conv1d/2d/3d}: activations {@code [B·K, in, spatial…]}, backprops
 * {@code [B·K, out, outSpatial…]}.
 * Sizes given as one number apply to every spatial dim. Padding modes other than zeros are rejected here:
 * Opacus silently zero-pads them, which gives wrong gradients.
 */
public record ConvLayer(int dims, int in, int out, int[] kernel, int[] stride, Padding padding, int[] dilation,
                        int groups, boolean bias, PaddingMode paddingMode) implements Layer {
    /** Convolution padding modes as PyTorch names them. Only {@link #ZEROS} is implemented. */
    public enum PaddingMode {
        ZEROS, REFLECT, REPLICATE, CIRCULAR;

        /** Parses PyTorch's names ({@code zeros}, {@code reflect}, {@code replicate}, {@code circular}). */
        public static PaddingMode parse(String s) {
            for (PaddingMode m : values()) {
                if (m.name().equalsIgnoreCase(s)) {
                    return m;
                }
            }
            throw new UnsupportedLayerException("unknown padding mode '" + s
                    + "' (PyTorch's are zeros, reflect, replicate, circular)");
        }
    }

    /**
     * Convolution padding: explicit amounts per spatial dim (symmetric, as PyTorch's {@code padding=n}), or
     * {@code same} (total {@code dilation·(k−1)}, left {@code floor(total/2)}, right the rest) or {@code valid}
     * (none).
     */
    public record Padding(Kind kind, int[] amounts) {
        public enum Kind { EXPLICIT, SAME, VALID }

        public static final Padding SAME = new Padding(Kind.SAME, new int[0]);
        public static final Padding VALID = new Padding(Kind.VALID, new int[0]);

        public Padding {
            amounts = amounts.clone();
            for (int a : amounts) {
                if (a < 0) {
                    throw new GradSampleException("negative padding " + a + " in " + Arrays.toString(amounts));
                }
            }
        }

        /** Explicit padding: one number for every spatial dim, or one per dim. */
        public static Padding of(int... amounts) {
            return new Padding(Kind.EXPLICIT, amounts);
        }

        @Override
        public int[] amounts() {
            return amounts.clone();
        }

        /** Left and right padding per spatial dim: {@code [dims][2]}. */
        public int[][] resolve(int[] kernel, int[] dilation) {
            int d = kernel.length;
            int[][] lr = new int[d][2];
            for (int i = 0; i < d; i++) {
                switch (kind) {
                    case SAME: {
                        int total = dilation[i] * (kernel[i] - 1);
                        lr[i][0] = total / 2;
                        lr[i][1] = total - total / 2;
                        break;
                    }
                    case VALID:
                        break;
                    default: {
                        int p = amounts.length == 1 ? amounts[0] : amounts[i];
                        lr[i][0] = p;
                        lr[i][1] = p;
                    }
                }
            }
            return lr;
        }

        @Override
        public boolean equals(Object o) {
            return RecordValues.equals(this, o);
        }

        @Override
        public int hashCode() {
            return RecordValues.hashCode(this);
        }

        @Override
        public String toString() {
            return kind == Kind.EXPLICIT ? Arrays.toString(amounts) : kind.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public ConvLayer {
        if (dims < 1 || dims > 3) {
            throw new GradSampleException("Conv dims must be 1, 2 or 3, got " + dims);
        }
        Checks.positive("Conv in channels", in);
        Checks.positive("Conv out channels", out);
        Checks.positive("Conv groups", groups);
        kernel = Checks.perDim("kernel", kernel, dims);
        stride = Checks.perDim("stride", stride, dims);
        dilation = Checks.perDim("dilation", dilation, dims);
        if (padding == null) {
            padding = Padding.of(0);
        }
        if (padding.kind() == Padding.Kind.EXPLICIT && padding.amounts.length != 1
                && padding.amounts.length != dims) {
            throw new GradSampleException("Conv" + dims + "d padding " + padding + ": expected 1 or " + dims
                    + " numbers");
        }
        if (in % groups != 0 || out % groups != 0) {
            throw new GradSampleException("Conv" + dims + "d groups " + groups + " must divide in channels "
                    + in + " and out channels " + out);
        }
        if (paddingMode == null) {
            paddingMode = PaddingMode.ZEROS;
        }
        if (paddingMode != PaddingMode.ZEROS) {
            throw new UnsupportedLayerException("Conv" + dims + "d padding_mode '"
                    + paddingMode.name().toLowerCase(java.util.Locale.ROOT)
                    + "' is not supported: only 'zeros' is implemented (Opacus silently zero-pads other modes,"
                    + " which gives wrong gradients)");
        }
    }

    /** A convolution with stride 1, no padding, dilation 1, one group and a bias. */
    public static ConvLayer of(int dims, int in, int out, int... kernel) {
        return new ConvLayer(dims, in, out, kernel, new int[] {1}, Padding.of(0), new int[] {1}, 1, true,
                PaddingMode.ZEROS);
    }

    public ConvLayer withStride(int... s) {
        return new ConvLayer(dims, in, out, kernel, s, padding, dilation, groups, bias, paddingMode);
    }

    public ConvLayer withPadding(Padding p) {
        return new ConvLayer(dims, in, out, kernel, stride, p, dilation, groups, bias, paddingMode);
    }

    public ConvLayer withPadding(int... p) {
        return withPadding(Padding.of(p));
    }

    public ConvLayer withDilation(int... d) {
        return new ConvLayer(dims, in, out, kernel, stride, padding, d, groups, bias, paddingMode);
    }

    public ConvLayer withGroups(int g) {
        return new ConvLayer(dims, in, out, kernel, stride, padding, dilation, g, bias, paddingMode);
    }

    public ConvLayer withBias(boolean b) {
        return new ConvLayer(dims, in, out, kernel, stride, padding, dilation, groups, b, paddingMode);
    }

    public ConvLayer withPaddingMode(PaddingMode m) {
        return new ConvLayer(dims, in, out, kernel, stride, padding, dilation, groups, bias, m);
    }

    @Override
    public int[] kernel() {
        return kernel.clone();
    }

    @Override
    public int[] stride() {
        return stride.clone();
    }

    @Override
    public int[] dilation() {
        return dilation.clone();
    }

    /** Output size of each spatial dim for an input of these spatial sizes (may be ≤ 0 when it does not fit). */
    public int[] outputSize(int[] inputSpatial) {
        int[][] lr = padding.resolve(kernel, dilation);
        int[] o = new int[dims];
        for (int i = 0; i < dims; i++) {
            long span = (long) inputSpatial[i] + lr[i][0] + lr[i][1] - (long) dilation[i] * (kernel[i] - 1) - 1;
            o[i] = span < 0 ? 0 : (int) (span / stride[i] + 1);
        }
        return o;
    }

    @Override
    public String kind() {
        return "Conv" + dims + "d";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        Map<String, int[]> m = new LinkedHashMap<>();
        int[] w = new int[2 + dims];
        w[0] = out;
        w[1] = in / groups;
        System.arraycopy(kernel, 0, w, 2, dims);
        m.put("weight", w);
        if (bias) {
            m.put("bias", new int[] {out});
        }
        return Collections.unmodifiableMap(m);
    }

    @Override
    public boolean equals(Object o) {
        return RecordValues.equals(this, o);
    }

    @Override
    public int hashCode() {
        return RecordValues.hashCode(this);
    }

    @Override
    public String toString() {
        return kind() + "(in=" + in + ", out=" + out + ", kernel=" + Arrays.toString(kernel) + ", stride="
                + Arrays.toString(stride) + ", padding=" + padding + ", dilation=" + Arrays.toString(dilation)
                + ", groups=" + groups + ", bias=" + bias + ")";
    }
}

/**
 * Per-sample gradients of {@code Conv1d/2d/3d}. The activations are unfolded (im2col, viewed as
 * {@code [B, K, G, C_in/G·Πk, L]}), then one contraction per call, per group (never Opacus's G² blocks):
 * weight {@code nkgoq,nkgpq->ngop} (g viewed {@code [B, K, G, C_out/G, L]}) reshaped to
 * {@code [B, C_out, C_in/G, k…]}; bias {@code nkoq->no}. ALGORITHMS.md §4.
 */
final class ConvSampler implements LayerSampler<ConvLayer>, LayerKind {
    static final String WEIGHT_SPEC = "nkgoq,nkgpq->ngop";
    static final String BIAS_SPEC = "nkoq->no";

    @Override
    public Map<String, Tensor> compute(ConvLayer layer, List<Tensor> activations, List<Tensor> backprops, int k,
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
        ConvLayer.Padding padding = pad.equalsIgnoreCase("same") ? ConvLayer.Padding.SAME
                : pad.equalsIgnoreCase("valid") ? ConvLayer.Padding.VALID : ConvLayer.Padding.of(h.ints("pad", "0"));
        ConvLayer l = new ConvLayer(nd, h.req("cin"), h.req("cout"), h.ints("k", null), h.ints("stride", "1"),
                padding, h.ints("dil", "1"), h.opt("groups", 1), h.bool("bias", false),
                ConvLayer.PaddingMode.parse(h.str("padding_mode", "zeros")));
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
