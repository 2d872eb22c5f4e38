package org.einsum4j.cli.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.einsum4j.cli.GradsampleWorkload;

/**
 * The grad-sampler benchmark suite (layer_suite.tsv, a copy of ../shared/bench/layer_suite.tsv): rows of id,
 * layer, B, K and hyperparameters in the names {@code einsum4j gradsample} takes. Row {@code L07s} is L07 with the
 * sparse per-sample Embedding result (not in the shared suite).
 */
public final class LayerSuite {
    /** One row of the suite. */
    public record Row(String id, String layer, int b, int k, String hyper, String what) {
        /** The workload of this row, as the CLI builds it. */
        public GradsampleWorkload workload() {
            return GradsampleWorkload.parse(layer, Arrays.asList(hyper.split("\\s+")), b, k, -1);
        }

        /** The equivalent command line. */
        public String command() {
            return "einsum4j gradsample " + layer + " --B " + b + " --K " + k + " " + hyper;
        }
    }

    private static final Map<String, Row> ROWS = load();

    private LayerSuite() {
    }

    public static Row row(String id) {
        Row r = ROWS.get(id);
        if (r == null) {
            throw new IllegalArgumentException("no layer suite row '" + id + "' (rows: "
                    + String.join(", ", ROWS.keySet()) + ")");
        }
        return r;
    }

    public static Map<String, Row> rows() {
        return ROWS;
    }

    private static Map<String, Row> load() {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String[] f : SuiteTsv.rows("layer_suite.tsv")) {
            Row row = new Row(f[0], f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[4],
                    f.length > 5 ? f[5] : "");
            rows.put(row.id(), row);
            if (row.layer().equals("Embedding")) {
                rows.put(row.id() + "s", new Row(row.id() + "s", row.layer(), row.b(), row.k(),
                        row.hyper() + " sparse", row.what() + " (sparse per-sample form)"));
            }
        }
        return rows;
    }
}
