package org.einsum4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.einsum4j.gradsample.EmbeddingSampler;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.gradsample.SparseEmbeddingGrad;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Shape;
import org.einsum4j.tensor.Tensor;

/**
 * One grad-sampler workload described as in ../shared/bench/layer_suite.tsv — a layer name ({@code Linear},
 * {@code Conv1d/2d/3d}, {@code Embedding}, {@code LayerNorm}, {@code GroupNorm}, {@code InstanceNorm1d/2d/3d},
 * {@code RNN}, {@code GRU}, {@code LSTM}, {@code SequenceBias}), hyperparameters as {@code key=value} words and
 * flags (e.g. {@code cin=16 cout=32 k=3 stride=1 pad=1 H=32 W=32 bias}), B and K — with its seeded random inputs.
 * Shared by {@code einsum4j gradsample} and the JMH benchmarks so both measure the same thing.
 */
public final class GradsampleWorkload {
    private final String name;
    private final Layer layer;
    private final int b;
    private final int k;
    private final int t;
    private final boolean sparse;
    private final List<int[]> activationShapes;
    private final List<int[]> backpropShapes;

    private GradsampleWorkload(String name, Layer layer, int b, int k, int t, boolean sparse,
                               List<int[]> activationShapes, List<int[]> backpropShapes) {
        this.name = name;
        this.layer = layer;
        this.b = b;
        this.k = k;
        this.t = t;
        this.sparse = sparse;
        this.activationShapes = activationShapes;
        this.backpropShapes = backpropShapes;
    }

    /** The layer names the command takes. */
    static final List<String> LAYERS = List.of("Linear", "Conv1d", "Conv2d", "Conv3d", "Embedding", "LayerNorm",
            "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "InstanceNorm3d", "RNN", "GRU", "LSTM", "SequenceBias");

    /**
     * Parses a workload. {@code words} are the hyperparameters ({@code key=value} or a bare flag); {@code t} is
     * the sequence length from {@code --T} (or -1: then {@code T=} in the words, or none).
     */
    public static GradsampleWorkload parse(String layerName, List<String> words, int b, int k, int t) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            String key = eq < 0 ? w : w.substring(0, eq);
            String val = eq < 0 ? "true" : w.substring(eq + 1);
            if (kv.put(key, val) != null) {
                throw new UsageException("hyperparameter " + key + " given twice");
            }
        }
        if (t >= 0) {
            if (kv.containsKey("T") && Integer.parseInt(kv.get("T")) != t) {
                throw new UsageException("T=" + kv.get("T") + " and --T " + t + " disagree");
            }
            kv.put("T", Integer.toString(t));
        }
        if (b < 0 || k < 1) {
            throw new UsageException("--B must be >= 0 and --K >= 1, got B=" + b + " K=" + k);
        }
        int rows = Math.multiplyExact(b, k);
        Hyper h = new Hyper(layerName, kv);
        String name = canonical(layerName);
        switch (name) {
            case "Linear": {
                h.allow("in", "out", "bias", "T");
                Layer.Linear l = new Layer.Linear(h.req("in"), h.req("out"), h.bool("bias", false));
                int tt = h.opt("T", -1);
                int[] mid = tt < 0 ? new int[0] : new int[] {tt};
                return new GradsampleWorkload(name, l, b, k, tt, false, List.of(shape(rows, mid, l.in())),
                        List.of(shape(rows, mid, l.out())));
            }
            case "Conv1d":
            case "Conv2d":
            case "Conv3d": {
                int nd = name.charAt(4) - '0';
                String[] sp = nd == 1 ? new String[] {"L"} : nd == 2 ? new String[] {"H", "W"}
                        : new String[] {"D", "H", "W"};
                h.allow("cin", "cout", "k", "stride", "pad", "dil", "groups", "bias", "padding_mode");
                h.allow(sp);
                String pad = h.str("pad", "0");
                Layer.Padding padding = pad.equalsIgnoreCase("same") ? Layer.Padding.SAME
                        : pad.equalsIgnoreCase("valid") ? Layer.Padding.VALID : Layer.Padding.of(h.ints("pad", "0"));
                Layer.Conv l = new Layer.Conv(nd, h.req("cin"), h.req("cout"), h.ints("k", null),
                        h.ints("stride", "1"), padding, h.ints("dil", "1"), h.opt("groups", 1), h.bool("bias", false),
                        Layer.PaddingMode.parse(h.str("padding_mode", "zeros")));
                int[] in = new int[nd];
                for (int i = 0; i < nd; i++) {
                    in[i] = h.req(sp[i]);
                }
                int[] out = l.outputSize(in);
                for (int o : out) {
                    if (o < 1) {
                        throw new UsageException(name + ": input " + java.util.Arrays.toString(in)
                                + " is too small for the kernel");
                    }
                }
                return new GradsampleWorkload(name, l, b, k, -1, false, List.of(shape(rows, new int[] {l.in()}, in)),
                        List.of(shape(rows, new int[] {l.out()}, out)));
            }
            case "Embedding": {
                h.allow("V", "D", "T", "pad_idx", "sparse");
                Integer pi = h.has("pad_idx") ? h.req("pad_idx") : null;
                Layer.Embedding l = Layer.Embedding.of(h.req("V"), h.req("D"), pi);
                int tt = h.req("T");
                return new GradsampleWorkload(name, l, b, k, tt, h.bool("sparse", false), List.of(new int[] {rows, tt}),
                        List.of(new int[] {rows, tt, l.dim()}));
            }
            case "LayerNorm": {
                h.allow("D", "T", "eps", "nobias");
                Layer.LayerNorm l = new Layer.LayerNorm(new int[] {h.req("D")}, h.dbl("eps", 1e-5), true,
                        !h.bool("nobias", false));
                int tt = h.opt("T", -1);
                int[] s = shape(rows, tt < 0 ? new int[0] : new int[] {tt}, h.req("D"));
                return new GradsampleWorkload(name, l, b, k, tt, false, List.of(s), List.of(s));
            }
            case "GroupNorm":
            case "InstanceNorm1d":
            case "InstanceNorm2d":
            case "InstanceNorm3d": {
                boolean group = name.equals("GroupNorm");
                int nd = group ? -1 : name.charAt(12) - '0';
                h.allow("C", "eps", "L", "D", "H", "W");
                if (group) {
                    h.allow("groups");
                }
                List<Integer> spatial = new ArrayList<>();
                for (String key : new String[] {"L", "D", "H", "W"}) {
                    if (h.has(key)) {
                        spatial.add(h.req(key));
                    }
                }
                if (!group && spatial.size() != nd) {
                    throw new UsageException(name + " needs " + nd + " spatial size(s) (L for 1d, H W for 2d, D H W "
                            + "for 3d), got " + spatial.size());
                }
                int c = h.req("C");
                Layer l = group ? new Layer.GroupNorm(h.req("groups"), c, h.dbl("eps", 1e-5), true)
                        : new Layer.InstanceNorm(nd, c, h.dbl("eps", 1e-5), true);
                int[] s = shape(rows, new int[] {c}, spatial.stream().mapToInt(Integer::intValue).toArray());
                return new GradsampleWorkload(name, l, b, k, -1, false, List.of(s), List.of(s));
            }
            case "RNN":
            case "GRU":
            case "LSTM": {
                h.allow("T", "in", "H", "bias", "time_first");
                Layer.Rnn l = new Layer.Rnn(Layer.RnnKind.valueOf(name), h.req("in"), h.req("H"),
                        h.bool("bias", true), !h.bool("time_first", false));
                int tt = h.req("T");
                int gh = l.cell().gates() * l.hidden();
                return new GradsampleWorkload(name, l, b, k, tt, false,
                        List.of(rnn(l.batchFirst(), rows, tt, l.input()), rnn(l.batchFirst(), rows, tt, l.hidden())),
                        List.of(rnn(l.batchFirst(), rows, tt, gh), rnn(l.batchFirst(), rows, tt, gh)));
            }
            case "SequenceBias": {
                h.allow("T", "D");
                Layer.SequenceBias l = new Layer.SequenceBias(h.req("D"), true);
                int tt = h.req("T");
                return new GradsampleWorkload(name, l, b, k, tt, false, List.of(new int[] {rows, tt, l.embedDim()}),
                        List.of(new int[] {rows, tt + 1, l.embedDim()}));
            }
            default:
                throw new UsageException("unknown layer '" + layerName + "' (layers: " + String.join(", ", LAYERS)
                        + ")");
        }
    }

    private static String canonical(String n) {
        for (String l : LAYERS) {
            if (l.equalsIgnoreCase(n)) {
                return l;
            }
        }
        return n;
    }

    public String name() {
        return name;
    }

    public Layer layer() {
        return layer;
    }

    public int b() {
        return b;
    }

    public int k() {
        return k;
    }

    /** The sequence length, or -1 when the layer has none. */
    public int t() {
        return t;
    }

    /** True when the Embedding's sparse per-sample form is measured instead of the dense one. */
    public boolean sparse() {
        return sparse;
    }

    /** Seeded random inputs: floats uniform in [-1, 1), Embedding indices uniform in [0, V). Close them. */
    public Inputs inputs(long seed, DType dtype) {
        List<Tensor> acts = new ArrayList<>();
        List<Tensor> backs = new ArrayList<>();
        try {
            long s = seed;
            for (int[] shape : activationShapes) {
                if (layer instanceof Layer.Embedding e) {
                    acts.add(indices(s++, e.num(), shape));
                } else {
                    acts.add(Tensor.random(dtype, s++, shape));
                }
            }
            for (int[] shape : backpropShapes) {
                backs.add(Tensor.random(dtype, s++, shape));
            }
            return new Inputs(acts, backs);
        } catch (RuntimeException e) {
            acts.forEach(Tensor::close);
            backs.forEach(Tensor::close);
            throw e;
        }
    }

    private static Tensor indices(long seed, int v, int[] shape) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] values = new long[Math.toIntExact(Shape.numel(shape))];
        for (int i = 0; i < values.length; i++) {
            values[i] = r.nextInt(v);
        }
        return Tensor.ofLongs(values, shape);
    }

    /** One call of the sampler on {@code in}; closes what it returns. Returns the number of result elements. */
    public long runOnce(Inputs in, KReduction reduction) {
        if (sparse) {
            try (SparseEmbeddingGrad g = new EmbeddingSampler().computeSparse((Layer.Embedding) layer,
                    in.activations().get(0), in.backprops().get(0), k, reduction)) {
                return g.values().numel();
            }
        }
        Map<String, Tensor> out = GradSampler.compute(layer, in.activations(), in.backprops(), k, reduction);
        long n = 0;
        for (Tensor t : out.values()) {
            n += t.numel();
            t.close();
        }
        return n;
    }

    /** The parameters' per-sample shapes, as text ({@code weight=[64, 32, 16, 3, 3] bias=[64, 32]}). */
    public String resultShapes() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, int[]> e : layer.parameterShapes().entrySet()) {
            int[] s = new int[e.getValue().length + 1];
            s[0] = b;
            System.arraycopy(e.getValue(), 0, s, 1, e.getValue().length);
            sb.append(sb.length() == 0 ? "" : " ").append(e.getKey()).append('=').append(java.util.Arrays.toString(s));
        }
        return sb.toString();
    }

    /** The input tensors of one workload; closes them all. */
    public record Inputs(List<Tensor> activations, List<Tensor> backprops) implements AutoCloseable {
        /** Bytes held by the inputs. */
        public long bytes() {
            long n = 0;
            for (Tensor t : activations) {
                n += t.numel() * t.dtype().byteSize();
            }
            for (Tensor t : backprops) {
                n += t.numel() * t.dtype().byteSize();
            }
            return n;
        }

        @Override
        public void close() {
            activations.forEach(Tensor::close);
            backprops.forEach(Tensor::close);
        }
    }

    private static int[] shape(int rows, int[] mid, int... last) {
        int[] o = new int[1 + mid.length + last.length];
        o[0] = rows;
        System.arraycopy(mid, 0, o, 1, mid.length);
        System.arraycopy(last, 0, o, 1 + mid.length, last.length);
        return o;
    }

    private static int[] rnn(boolean batchFirst, int rows, int t, int f) {
        return batchFirst ? new int[] {rows, t, f} : new int[] {t, rows, f};
    }

    /** The hyperparameter words of one layer, with checks that name the layer and the known keys. */
    private static final class Hyper {
        private final String layer;
        private final Map<String, String> kv;
        private final Set<String> allowed = new java.util.LinkedHashSet<>();

        Hyper(String layer, Map<String, String> kv) {
            this.layer = layer;
            this.kv = kv;
        }

        /** Declares known keys; every accessor then rejects given keys outside the declared set. */
        void allow(String... keys) {
            allowed.addAll(List.of(keys));
        }

        boolean has(String key) {
            check(key);
            return kv.containsKey(key);
        }

        int req(String key) {
            check(key);
            String v = kv.get(key);
            if (v == null) {
                throw new UsageException(layer + " needs " + key + "=N");
            }
            return parseInt(key, v);
        }

        int opt(String key, int def) {
            check(key);
            String v = kv.get(key);
            return v == null ? def : parseInt(key, v);
        }

        double dbl(String key, double def) {
            check(key);
            String v = kv.get(key);
            if (v == null) {
                return def;
            }
            try {
                return Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new UsageException(layer + ": " + key + " needs a number, got '" + v + "'");
            }
        }

        String str(String key, String def) {
            check(key);
            return kv.getOrDefault(key, def);
        }

        boolean bool(String key, boolean def) {
            check(key);
            String v = kv.get(key);
            if (v == null) {
                return def;
            }
            switch (v.toLowerCase(Locale.ROOT)) {
                case "true": case "1": case "yes": return true;
                case "false": case "0": case "no": return false;
                default: throw new UsageException(layer + ": " + key + " needs true or false, got '" + v + "'");
            }
        }

        int[] ints(String key, String def) {
            check(key);
            String v = kv.getOrDefault(key, def);
            if (v == null) {
                throw new UsageException(layer + " needs " + key + "=N (or N,N,...)");
            }
            String[] parts = v.split(",");
            int[] out = new int[parts.length];
            for (int i = 0; i < parts.length; i++) {
                out[i] = parseInt(key, parts[i]);
            }
            return out;
        }

        private void check(String key) {
            for (String given : kv.keySet()) {
                if (!allowed.contains(given)) {
                    throw new UsageException(layer + ": unknown hyperparameter '" + given + "' (known: "
                            + String.join(", ", allowed) + ")");
                }
            }
            assert allowed.contains(key) : key;
        }

        private int parseInt(String key, String v) {
            try {
                return Integer.parseInt(v.trim());
            } catch (NumberFormatException e) {
                throw new UsageException(layer + ": " + key + " needs an integer, got '" + v + "'");
            }
        }
    }
}
