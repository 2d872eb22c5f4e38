package org.einsum4j.gradsample;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Describes a layer whose per-sample gradients a {@link LayerSampler} computes: its kind, hyperparameters and the
 * shapes of its parameters (named as PyTorch names them: {@code weight}, {@code bias}, {@code weight_ih_l0}, …).
 * A closed family of records for the built-in layers, plus {@link CustomLayer} for layers that users register
 * their own samplers for.
 */
public sealed interface Layer
        permits Layer.Linear, Layer.Conv, Layer.Embedding, Layer.LayerNorm, Layer.GroupNorm, Layer.InstanceNorm,
        Layer.Rnn, Layer.SequenceBias, CustomLayer {

    /** The layer's name as PyTorch calls it, e.g. {@code Linear}, {@code Conv2d}, {@code LSTM}. */
    String kind();

    /** The parameters in PyTorch's order: name → shape. Empty for layers without parameters. */
    Map<String, int[]> parameterShapes();

    // ------------------------------------------------------------------ Linear

    /**
     * {@code torch.nn.Linear(in, out, bias)}: activations {@code [B·K, …, in]}, backprops {@code [B·K, …, out]}.
     */
    record Linear(int in, int out, boolean bias) implements Layer {
        public Linear {
            positive("Linear in", in);
            positive("Linear out", out);
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

    // ------------------------------------------------------------------ Conv

    /** Convolution padding modes as PyTorch names them. Only {@link #ZEROS} is implemented. */
    enum PaddingMode {
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
    record Padding(Kind kind, int[] amounts) {
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

    /**
     * {@code torch.nn.Conv1d/2d/3d}: activations {@code [B·K, in, spatial…]}, backprops
     * {@code [B·K, out, outSpatial…]}.
     * Sizes given as one number apply to every spatial dim. Padding modes other than zeros are rejected here:
     * Opacus silently zero-pads them, which gives wrong gradients.
     */
    record Conv(int dims, int in, int out, int[] kernel, int[] stride, Padding padding, int[] dilation, int groups,
                boolean bias, PaddingMode paddingMode) implements Layer {
        public Conv {
            if (dims < 1 || dims > 3) {
                throw new GradSampleException("Conv dims must be 1, 2 or 3, got " + dims);
            }
            positive("Conv in channels", in);
            positive("Conv out channels", out);
            positive("Conv groups", groups);
            kernel = perDim("kernel", kernel, dims);
            stride = perDim("stride", stride, dims);
            dilation = perDim("dilation", dilation, dims);
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
        public static Conv of(int dims, int in, int out, int... kernel) {
            return new Conv(dims, in, out, kernel, new int[] {1}, Padding.of(0), new int[] {1}, 1, true,
                    PaddingMode.ZEROS);
        }

        public Conv withStride(int... s) {
            return new Conv(dims, in, out, kernel, s, padding, dilation, groups, bias, paddingMode);
        }

        public Conv withPadding(Padding p) {
            return new Conv(dims, in, out, kernel, stride, p, dilation, groups, bias, paddingMode);
        }

        public Conv withPadding(int... p) {
            return withPadding(Padding.of(p));
        }

        public Conv withDilation(int... d) {
            return new Conv(dims, in, out, kernel, stride, padding, d, groups, bias, paddingMode);
        }

        public Conv withGroups(int g) {
            return new Conv(dims, in, out, kernel, stride, padding, dilation, g, bias, paddingMode);
        }

        public Conv withBias(boolean b) {
            return new Conv(dims, in, out, kernel, stride, padding, dilation, groups, b, paddingMode);
        }

        public Conv withPaddingMode(PaddingMode m) {
            return new Conv(dims, in, out, kernel, stride, padding, dilation, groups, bias, m);
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

    // ------------------------------------------------------------------ Embedding

    /**
     * {@code torch.nn.Embedding(num, dim, padding_idx)}: activations are INT64 indices {@code [B·K, …]}, backprops
     * {@code [B·K, …, dim]}. {@code paddingIdx} is {@link #NO_PADDING} or a row in {@code [0, num)} whose gradient
     * stays zero (as PyTorch does; negative PyTorch-style indices are normalized by {@link #of(int, int, Integer)}).
     */
    record Embedding(int num, int dim, int paddingIdx) implements Layer {
        public static final int NO_PADDING = -1;

        public Embedding {
            positive("Embedding num", num);
            positive("Embedding dim", dim);
            if (paddingIdx != NO_PADDING && (paddingIdx < 0 || paddingIdx >= num)) {
                throw new GradSampleException("Embedding padding_idx " + paddingIdx + " out of range [0, " + num
                        + ")");
            }
        }

        /** PyTorch's constructor: {@code paddingIdx} null for none, negative counted from the end. */
        public static Embedding of(int num, int dim, Integer paddingIdx) {
            if (paddingIdx == null) {
                return new Embedding(num, dim, NO_PADDING);
            }
            int p = paddingIdx;
            if (p < -num || p >= num) {
                throw new GradSampleException("Embedding padding_idx " + p + " out of range [" + (-num) + ", "
                        + num + ")");
            }
            return new Embedding(num, dim, p < 0 ? p + num : p);
        }

        public boolean hasPadding() {
            return paddingIdx != NO_PADDING;
        }

        @Override
        public String kind() {
            return "Embedding";
        }

        @Override
        public Map<String, int[]> parameterShapes() {
            return Map.of("weight", new int[] {num, dim});
        }
    }

    // ------------------------------------------------------------------ norms

    /**
     * {@code torch.nn.LayerNorm(normalizedShape, eps, elementwise_affine, bias)}: activations and backprops
     * {@code [B·K, …, *normalizedShape]}.
     */
    record LayerNorm(int[] normalizedShape, double eps, boolean elementwiseAffine, boolean bias) implements Layer {
        public LayerNorm {
            normalizedShape = normalizedShape.clone();
            if (normalizedShape.length == 0) {
                throw new GradSampleException("LayerNorm normalized_shape must have at least one dim");
            }
            for (int d : normalizedShape) {
                positive("LayerNorm normalized_shape " + Arrays.toString(normalizedShape) + " dim", d);
            }
            if (!(eps >= 0)) {
                throw new GradSampleException("LayerNorm eps must be >= 0, got " + eps);
            }
        }

        /** With affine weight and bias, as PyTorch's default. */
        public static LayerNorm of(double eps, int... normalizedShape) {
            return new LayerNorm(normalizedShape, eps, true, true);
        }

        @Override
        public int[] normalizedShape() {
            return normalizedShape.clone();
        }

        @Override
        public String kind() {
            return "LayerNorm";
        }

        @Override
        public Map<String, int[]> parameterShapes() {
            Map<String, int[]> m = new LinkedHashMap<>();
            if (elementwiseAffine) {
                m.put("weight", normalizedShape.clone());
                if (bias) {
                    m.put("bias", normalizedShape.clone());
                }
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
            return RecordValues.toString(this);
        }
    }

    /** {@code torch.nn.GroupNorm(groups, channels, eps, affine)}: activations and backprops {@code [B·K, C, …]}. */
    record GroupNorm(int groups, int channels, double eps, boolean affine) implements Layer {
        public GroupNorm {
            positive("GroupNorm groups", groups);
            positive("GroupNorm channels", channels);
            if (channels % groups != 0) {
                throw new GradSampleException("GroupNorm groups " + groups + " must divide channels " + channels);
            }
            if (!(eps >= 0)) {
                throw new GradSampleException("GroupNorm eps must be >= 0, got " + eps);
            }
        }

        @Override
        public String kind() {
            return "GroupNorm";
        }

        @Override
        public Map<String, int[]> parameterShapes() {
            Map<String, int[]> m = new LinkedHashMap<>();
            if (affine) {
                m.put("weight", new int[] {channels});
                m.put("bias", new int[] {channels});
            }
            return Collections.unmodifiableMap(m);
        }
    }

    /**
     * {@code torch.nn.InstanceNorm1d/2d/3d(features, eps, affine)}: activations and backprops
     * {@code [B·K, C, spatial…]} with {@code dims} spatial dims. Without affine (PyTorch's default) it has no
     * parameters.
     */
    record InstanceNorm(int dims, int features, double eps, boolean affine) implements Layer {
        public InstanceNorm {
            if (dims < 1 || dims > 3) {
                throw new GradSampleException("InstanceNorm dims must be 1, 2 or 3, got " + dims);
            }
            positive("InstanceNorm features", features);
            if (!(eps >= 0)) {
                throw new GradSampleException("InstanceNorm eps must be >= 0, got " + eps);
            }
        }

        @Override
        public String kind() {
            return "InstanceNorm" + dims + "d";
        }

        @Override
        public Map<String, int[]> parameterShapes() {
            Map<String, int[]> m = new LinkedHashMap<>();
            if (affine) {
                m.put("weight", new int[] {features});
                m.put("bias", new int[] {features});
            }
            return Collections.unmodifiableMap(m);
        }
    }

    // ------------------------------------------------------------------ recurrent

    /** The recurrent cells; {@link #gates()} is how many stacked gate blocks W_ih and W_hh have. */
    enum RnnKind {
        RNN(1), GRU(3), LSTM(4);

        private final int gates;

        RnnKind(int gates) {
            this.gates = gates;
        }

        public int gates() {
            return gates;
        }
    }

    /**
     * One layer, one direction of {@code torch.nn.RNN/GRU/LSTM(input, hidden, bias, batch_first)}. The sampler takes
     * two activations, {@code x_t} {@code [B·K, T, input]} and {@code h_(t−1)} {@code [B·K, T, hidden]}, and two
     * backprops, dL/d({@code x_t W_ihᵀ + b_ih}) and dL/d({@code h_(t−1) W_hhᵀ + b_hh}), both
     * {@code [B·K, T, gates·hidden]}; time-first ({@code [T, B·K, …]}) when {@code batchFirst} is false.
     * {@code layerIndex} and {@code reverse} only name the parameters as PyTorch does for stacked and
     * bidirectional modules ({@code weight_ih_l1_reverse}); each (layer, direction) is sampled on its own inputs.
     */
    record Rnn(RnnKind cell, int input, int hidden, boolean bias, boolean batchFirst, int layerIndex, boolean reverse)
            implements Layer {
        public Rnn {
            if (cell == null) {
                throw new GradSampleException("Rnn cell kind is null");
            }
            positive("Rnn input size", input);
            positive("Rnn hidden size", hidden);
            if (layerIndex < 0) {
                throw new GradSampleException("Rnn layer index must be >= 0, got " + layerIndex);
            }
        }

        /** Layer 0, forward direction: parameters {@code weight_ih_l0} … */
        public Rnn(RnnKind cell, int input, int hidden, boolean bias, boolean batchFirst) {
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
     * Opacus's {@code SequenceBias(embedDim, batchFirst)}: appends a learned vector as the last sequence position;
     * backprops {@code [B·K, T+1, D]} (or {@code [T+1, B·K, D]} time-first); the bias gradient is the last
     * position's backprop.
     */
    record SequenceBias(int embedDim, boolean batchFirst) implements Layer {
        public SequenceBias {
            positive("SequenceBias embed dim", embedDim);
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

    // ------------------------------------------------------------------ helpers

    private static void positive(String what, int v) {
        if (v < 1) {
            throw new GradSampleException(what + " must be >= 1, got " + v);
        }
    }

    private static int[] perDim(String what, int[] v, int dims) {
        if (v == null || (v.length != 1 && v.length != dims)) {
            throw new GradSampleException("Conv" + dims + "d " + what + " " + Arrays.toString(v) + ": expected 1 or "
                    + dims + " numbers");
        }
        int[] out = new int[dims];
        for (int i = 0; i < dims; i++) {
            out[i] = v.length == 1 ? v[0] : v[i];
            if (out[i] < 1) {
                throw new GradSampleException("Conv" + dims + "d " + what + " " + Arrays.toString(v)
                        + " must be >= 1");
            }
        }
        return out;
    }
}
