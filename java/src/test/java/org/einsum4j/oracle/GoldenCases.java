package org.einsum4j.oracle;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.einsum4j.tensor.Npy;
import org.einsum4j.tensor.Tensor;

/**
 * The einsum golden cases: rows of {@code golden/einsum/cases.tsv} (opt_einsum's test expressions) and of
 * {@code random_cases.tsv} (specs drawn by {@code RandomSpecs}: diagonals, ellipsis, broadcasting, scalars, size 0),
 * with the operands and numpy results stored beside them by {@code make_numpy_results.py}. Rows added to the files
 * need no code (rerun the script).
 */
public final class GoldenCases {
    private static final String DIR = "/golden/einsum/";
    private static final Pattern GROUP = Pattern.compile("\\(([^)]*)\\)");

    /** One row: its file's prefix ({@code case} or {@code random}), index, category, expression, operand shapes. */
    public record Case(String prefix, int idx, String category, String expression, int[][] shapes) {
        @Override
        public String toString() {
            return prefix + " " + idx + ": '" + expression + "'";
        }
    }

    private GoldenCases() {
    }

    /** All rows of cases.tsv (opt_einsum's expressions), in file order. */
    public static List<Case> all() {
        return load("cases.tsv", "case");
    }

    /** All rows of random_cases.tsv (diagonals, ellipsis, broadcasting, scalars, size-0 labels), in file order. */
    public static List<Case> random() {
        return load("random_cases.tsv", "random");
    }

    /** Both files' rows. */
    public static List<Case> allWithRandom() {
        List<Case> cases = new ArrayList<>(all());
        cases.addAll(random());
        return cases;
    }

    private static List<Case> load(String file, String prefix) {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = resource(file);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String header = r.readLine();
            List<String> cols = List.of(header.split("\t"));
            int iIdx = cols.indexOf("idx");
            int iCat = cols.indexOf("category");
            int iExpr = cols.indexOf("expression");
            int iShapes = cols.indexOf("shapes_default_dims");
            String line;
            while ((line = r.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                cases.add(new Case(prefix, Integer.parseInt(f[iIdx].trim()), f[iCat], f[iExpr], parseShapes(f[iShapes])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    /** {@code (2,3),(),(4)} as int arrays. */
    static int[][] parseShapes(String text) {
        List<int[]> shapes = new ArrayList<>();
        Matcher m = GROUP.matcher(text);
        while (m.find()) {
            String body = m.group(1).trim();
            if (body.isEmpty()) {
                shapes.add(new int[0]);
                continue;
            }
            List<Integer> dims = new ArrayList<>();
            for (String p : body.split(",")) {
                if (!p.isBlank()) {
                    dims.add(Integer.parseInt(p.trim()));
                }
            }
            shapes.add(dims.stream().mapToInt(Integer::intValue).toArray());
        }
        return shapes.toArray(new int[0][]);
    }

    /** The stored float64 operands of a case; the caller closes them. */
    public static Tensor[] operands(Case c) {
        Tensor[] ops = new Tensor[c.shapes().length];
        try {
            for (int k = 0; k < ops.length; k++) {
                ops[k] = npy("numpy/" + c.prefix() + "_" + c.idx() + "_op" + k + ".npy");
            }
        } catch (RuntimeException e) {
            closeAll(ops);
            throw e;
        }
        return ops;
    }

    /** numpy.einsum(expression, *operands, optimize=True) as stored; the caller closes it. */
    public static Tensor numpyResult(Case c) {
        return npy("numpy/" + c.prefix() + "_" + c.idx() + "_out.npy");
    }

    public static void closeAll(Tensor... ts) {
        for (Tensor t : ts) {
            if (t != null) {
                t.close();
            }
        }
    }

    private static Tensor npy(String name) {
        try (InputStream in = resource(name)) {
            return Npy.read(in, DIR + name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream resource(String name) {
        InputStream in = GoldenCases.class.getResourceAsStream(DIR + name);
        if (in == null) {
            throw new IllegalStateException("missing test resource " + DIR + name
                    + " (run src/test/resources/golden/einsum/make_numpy_results.py)");
        }
        return in;
    }
}
