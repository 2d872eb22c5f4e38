package org.einsum4j.gradsample;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A layer's hyperparameters as tools write them: {@code key=value} words and bare flags ({@code cin=16 cout=32 k=3
 * pad=same bias}), as in ../shared/bench/layer_suite.tsv. A {@link LayerKind} declares the keys it knows with
 * {@link #allow}; every accessor then rejects keys outside that set, so a typo is an error naming the known keys.
 * Errors are {@link GradSampleException}s naming the layer, the key and the value.
 */
public final class Hyperparameters {
    private final String layer;
    private final Map<String, String> kv;
    private final Set<String> allowed = new LinkedHashSet<>();

    private Hyperparameters(String layer, Map<String, String> kv) {
        this.layer = layer;
        this.kv = kv;
    }

    /** Parses the words of layer {@code layer}; a key given twice is an error. */
    public static Hyperparameters parse(String layer, List<String> words) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String w : words) {
            int eq = w.indexOf('=');
            String key = eq < 0 ? w : w.substring(0, eq);
            String val = eq < 0 ? "true" : w.substring(eq + 1);
            if (kv.put(key, val) != null) {
                throw new GradSampleException("hyperparameter " + key + " given twice");
            }
        }
        return new Hyperparameters(layer, kv);
    }

    /** The raw value of {@code key}, or null (no check against the declared keys). */
    public String raw(String key) {
        return kv.get(key);
    }

    /** Sets {@code key} (e.g. {@code T} from a command-line option). */
    public void put(String key, String value) {
        kv.put(key, value);
    }

    /** Declares known keys. */
    public Hyperparameters allow(String... keys) {
        allowed.addAll(List.of(keys));
        return this;
    }

    public boolean has(String key) {
        check(key);
        return kv.containsKey(key);
    }

    /** A required integer. */
    public int req(String key) {
        check(key);
        String v = kv.get(key);
        if (v == null) {
            throw new GradSampleException(layer + " needs " + key + "=N");
        }
        return parseInt(key, v);
    }

    /** An optional integer. */
    public int opt(String key, int def) {
        check(key);
        String v = kv.get(key);
        return v == null ? def : parseInt(key, v);
    }

    public double dbl(String key, double def) {
        check(key);
        String v = kv.get(key);
        if (v == null) {
            return def;
        }
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new GradSampleException(layer + ": " + key + " needs a number, got '" + v + "'");
        }
    }

    public String str(String key, String def) {
        check(key);
        return kv.getOrDefault(key, def);
    }

    /** A flag: bare ({@code bias}), or {@code true/false/1/0/yes/no}. */
    public boolean bool(String key, boolean def) {
        check(key);
        String v = kv.get(key);
        if (v == null) {
            return def;
        }
        switch (v.toLowerCase(Locale.ROOT)) {
            case "true": case "1": case "yes": return true;
            case "false": case "0": case "no": return false;
            default: throw new GradSampleException(layer + ": " + key + " needs true or false, got '" + v + "'");
        }
    }

    /** {@code N} or {@code N,N,...}; {@code def} when absent (null: required). */
    public int[] ints(String key, String def) {
        check(key);
        String v = kv.getOrDefault(key, def);
        if (v == null) {
            throw new GradSampleException(layer + " needs " + key + "=N (or N,N,...)");
        }
        String[] parts = v.split(",", -1);
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = parseInt(key, parts[i]);
        }
        return out;
    }

    private void check(String key) {
        for (String given : kv.keySet()) {
            if (!allowed.contains(given)) {
                throw new GradSampleException(layer + ": unknown hyperparameter '" + given + "' (known: "
                        + String.join(", ", allowed) + ")");
            }
        }
        if (!allowed.contains(key)) {
            throw new IllegalStateException(layer + " reads hyperparameter " + key + " without declaring it");
        }
    }

    private int parseInt(String key, String v) {
        String t = v.strip();
        if (!t.matches("-?[0-9]+")) {
            throw new GradSampleException(layer + ": " + key + " needs an integer, got '" + v + "'");
        }
        try {
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new GradSampleException(layer + ": " + key + " = " + v + " is out of range");
        }
    }
}
