package org.einsum4j.cli.bench;

import java.util.LinkedHashMap;
import java.util.Map;
import org.einsum4j.tensor.Shape;

/**
 * The einsum benchmark suite (einsum_suite.tsv beside this class, a copy of ../shared/bench/einsum_suite.tsv):
 * rows of id, spec, CPU shapes, GPU shapes and what the row stands for. The same rows are measured by JMH's
 * ContractBenchmark, by {@code einsum4j bench} and by the peers' script bench/compare/peers.py, so figures compare
 * across runs and against numpy.
 */
public final class EinsumSuite {
    /** One row of the suite. */
    public record Row(String id, String spec, int[][] cpuShapes, int[][] gpuShapes, String what) {
        /**
         * The CPU shapes with the leading dimension of every operand multiplied by {@code factor} (at least 1): the
         * size sweep of rows whose operands all start with the same label (E01, E02: the batch n), so the work
         * grows linearly with the factor.
         */
        public int[][] scaledCpuShapes(double factor) {
            String[] inputs = spec.split("->")[0].split(",");
            for (String in : inputs) {
                if (in.isEmpty() || in.charAt(0) != inputs[0].charAt(0)) {
                    throw new IllegalArgumentException("row " + id + " (" + spec + ") cannot be scaled: its operands"
                            + " do not all start with the same label");
                }
            }
            if (!(factor > 0)) {
                throw new IllegalArgumentException("scale factor must be > 0, got " + factor);
            }
            int[][] s = new int[cpuShapes.length][];
            for (int k = 0; k < s.length; k++) {
                s[k] = cpuShapes[k].clone();
                s[k][0] = (int) Math.max(1, Math.round(s[k][0] * factor));
            }
            return s;
        }
    }

    private static final Map<String, Row> ROWS = load();

    private EinsumSuite() {
    }

    /** The row with this id (E01 …), or an exception listing the ids. */
    public static Row row(String id) {
        Row r = ROWS.get(id);
        if (r == null) {
            throw new IllegalArgumentException("no suite row '" + id + "' (rows: " + String.join(", ", ROWS.keySet())
                    + ")");
        }
        return r;
    }

    public static Map<String, Row> rows() {
        return ROWS;
    }

    private static Map<String, Row> load() {
        Map<String, Row> rows = new LinkedHashMap<>();
        for (String[] f : SuiteTsv.rows("einsum_suite.tsv")) {
            rows.put(f[0], new Row(f[0], f[1], shapes(f[2]), shapes(f[3]), f.length > 4 ? f[4] : ""));
        }
        return rows;
    }

    /** {@code 64x128;128x32} → {{64, 128}, {128, 32}}. */
    static int[][] shapes(String field) {
        String[] parts = field.split(";");
        int[][] s = new int[parts.length][];
        for (int i = 0; i < parts.length; i++) {
            s[i] = Shape.parse(parts[i]).toArray();
        }
        return s;
    }
}
