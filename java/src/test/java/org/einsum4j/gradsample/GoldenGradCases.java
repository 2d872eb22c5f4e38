package org.einsum4j.gradsample;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.einsum4j.tensor.Npy;
import org.einsum4j.tensor.Tensor;

/**
 * The golden per-sample gradient cases under {@code golden/gradsample/} on the test classpath (copied from
 * ../shared/golden/gradsample): discovered by listing the folder, so added cases need no code.
 */
final class GoldenGradCases {
    static final String ROOT = "golden/gradsample";

    private GoldenGradCases() {
    }

    /** One case folder: its name, parsed case.json, and the folder. */
    record Case(String name, Map<String, Object> json, Path dir) {
        int b() {
            return ((Number) json.get("B")).intValue();
        }

        int k() {
            return ((Number) json.get("K")).intValue();
        }

        String layerName() {
            return (String) json.get("layer");
        }

        @SuppressWarnings("unchecked")
        List<String> tensors() {
            return (List<String>) (List<?>) json.get("tensors");
        }

        @SuppressWarnings("unchecked")
        List<String> expected() {
            return (List<String>) (List<?>) json.get("expected");
        }

        Tensor load(String name) {
            return Npy.read(dir.resolve(name + ".npy"));
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Every case folder (one with a case.json), sorted by name. */
    static List<Case> all() {
        URL url = GoldenGradCases.class.getClassLoader().getResource(ROOT);
        if (url == null) {
            throw new IllegalStateException(ROOT + " is not on the test classpath");
        }
        try {
            URI uri = url.toURI();
            Path root;
            if ("jar".equals(uri.getScheme())) {
                FileSystem fs;
                try {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                } catch (java.nio.file.FileSystemAlreadyExistsException e) {
                    fs = FileSystems.getFileSystem(uri);
                }
                root = fs.getPath(ROOT);
            } else {
                root = Path.of(uri);
            }
            try (Stream<Path> dirs = Files.list(root)) {
                return dirs.filter(d -> Files.isRegularFile(d.resolve("case.json")))
                        .sorted()
                        .map(GoldenGradCases::read)
                        .collect(Collectors.toList());
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot list " + url, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Case read(Path dir) {
        try (InputStream in = Files.newInputStream(dir.resolve("case.json"))) {
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            return new Case(dir.getFileName().toString().replace("/", ""), (Map<String, Object>) MiniJson.parse(text),
                    dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + dir, e);
        }
    }

    /** The layer description of a case, from PyTorch's hyperparameter names. */
    static Layer layer(Case c) {
        Map<String, Object> j = c.json();
        String name = c.layerName();
        switch (name) {
            case "Linear":
                return new LinearLayer(i(j, "in_features"), i(j, "out_features"), bool(j, "bias", true));
            case "Conv1d":
            case "Conv2d":
            case "Conv3d": {
                int dims = name.charAt(4) - '0';
                Object p = j.get("padding");
                ConvLayer.Padding pad;
                if (p instanceof String s) {
                    pad = s.toLowerCase(Locale.ROOT).equals("same") ? ConvLayer.Padding.SAME : ConvLayer.Padding.VALID;
                } else {
                    pad = ConvLayer.Padding.of(ints(p));
                }
                String mode = (String) j.getOrDefault("padding_mode", "zeros");
                return new ConvLayer(dims, i(j, "in_channels"), i(j, "out_channels"), ints(j.get("kernel_size")),
                        ints(j.getOrDefault("stride", 1L)), pad, ints(j.getOrDefault("dilation", 1L)),
                        i(j, "groups", 1), bool(j, "bias", true), ConvLayer.PaddingMode.parse(mode));
            }
            case "Embedding": {
                Object pi = j.get("padding_idx");
                return EmbeddingLayer.of(i(j, "num_embeddings"), i(j, "embedding_dim"),
                        pi == null ? null : ((Number) pi).intValue());
            }
            case "LayerNorm":
                return new LayerNormLayer(ints(j.get("normalized_shape")), d(j, "eps", 1e-5),
                        bool(j, "elementwise_affine", true), bool(j, "bias", true));
            case "GroupNorm":
                return new GroupNormLayer(i(j, "num_groups"), i(j, "num_channels"), d(j, "eps", 1e-5),
                        bool(j, "affine", true));
            case "InstanceNorm1d":
            case "InstanceNorm2d":
            case "InstanceNorm3d":
                return new InstanceNormLayer(name.charAt(12) - '0', i(j, "num_features"), d(j, "eps", 1e-5),
                        bool(j, "affine", false));
            case "RNN":
            case "GRU":
            case "LSTM":
                return new RnnLayer(RnnLayer.RnnKind.valueOf(name), i(j, "input_size"), i(j, "hidden_size"),
                        // the golden RNN data is laid out [B*K, T, ...] (README), so batch-first unless said
                        bool(j, "bias", true), bool(j, "batch_first", true));
            default:
                throw new IllegalArgumentException("golden case " + c.name() + ": unknown layer " + name);
        }
    }

    private static int i(Map<String, Object> j, String key) {
        Object v = j.get(key);
        if (v == null) {
            throw new IllegalArgumentException("case.json lacks " + key);
        }
        return ((Number) v).intValue();
    }

    private static int i(Map<String, Object> j, String key, int def) {
        Object v = j.get(key);
        return v == null ? def : ((Number) v).intValue();
    }

    private static double d(Map<String, Object> j, String key, double def) {
        Object v = j.get(key);
        return v == null ? def : ((Number) v).doubleValue();
    }

    private static boolean bool(Map<String, Object> j, String key, boolean def) {
        Object v = j.get(key);
        return v == null ? def : (Boolean) v;
    }

    private static int[] ints(Object v) {
        if (v instanceof Number n) {
            return new int[] {n.intValue()};
        }
        List<?> l = (List<?>) v;
        int[] out = new int[l.size()];
        for (int x = 0; x < out.length; x++) {
            out[x] = ((Number) l.get(x)).intValue();
        }
        return out;
    }
}
