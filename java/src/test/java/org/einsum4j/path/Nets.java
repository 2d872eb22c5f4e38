package org.einsum4j.path;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.einsum4j.spec.Contraction;

/** Test helper: letters-only specs ({@code "ab,bc->ac"}, implicit output allowed) bound to shapes or sizes. */
final class Nets {
    private Nets() {
    }

    /** Binds {@code expr} to shapes written as in the golden files: {@code (2,3),(),(3)}. */
    static Contraction bind(String expr, String shapes) {
        List<int[]> dims = new ArrayList<>();
        Matcher m = Pattern.compile("\\(([^)]*)\\)").matcher(shapes);
        while (m.find()) {
            String body = m.group(1).trim();
            if (body.isEmpty()) {
                dims.add(new int[0]);
            } else {
                String[] parts = body.split(",");
                List<Integer> d = new ArrayList<>();
                for (String p : parts) {
                    if (!p.isBlank()) {
                        d.add(Integer.parseInt(p.trim()));
                    }
                }
                dims.add(d.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        return bind(expr, dims.toArray(new int[0][]));
    }

    /** Binds {@code expr} with sizes written as {@code a=2 b=3} (every operand at full size). */
    static Contraction bindSizes(String expr, String sizeDict) {
        Map<Character, Integer> sz = new LinkedHashMap<>();
        for (String kv : sizeDict.trim().split("[ ,]+")) {
            if (!kv.isEmpty()) {
                String[] p = kv.split("=");
                sz.put(p[0].charAt(0), Integer.parseInt(p[1]));
            }
        }
        String[] terms = inputsOf(expr);
        int[][] shapes = new int[terms.length][];
        for (int i = 0; i < terms.length; i++) {
            shapes[i] = new int[terms[i].length()];
            for (int d = 0; d < terms[i].length(); d++) {
                shapes[i][d] = sz.get(terms[i].charAt(d));
            }
        }
        return bind(expr, shapes);
    }

    static String[] inputsOf(String expr) {
        String lhs = expr.contains("->") ? expr.substring(0, expr.indexOf("->")) : expr;
        return lhs.split(",", -1);
    }

    static String outputOf(String expr) {
        if (expr.contains("->")) {
            return expr.substring(expr.indexOf("->") + 2);
        }
        Map<Character, Integer> count = new LinkedHashMap<>();
        for (char ch : expr.toCharArray()) {
            if (ch != ',') {
                count.merge(ch, 1, Integer::sum);
            }
        }
        TreeSet<Character> once = new TreeSet<>();
        count.forEach((k, v) -> {
            if (v == 1) {
                once.add(k);
            }
        });
        StringBuilder sb = new StringBuilder();
        once.forEach(sb::append);
        return sb.toString();
    }

    static Contraction bind(String expr, int[][] shapes) {
        String[] terms = inputsOf(expr);
        String out = outputOf(expr);
        Map<Character, Integer> id = new LinkedHashMap<>();
        List<Long> sizes = new ArrayList<>();
        int[][] inputs = new int[terms.length][];
        for (int i = 0; i < terms.length; i++) {
            inputs[i] = new int[terms[i].length()];
            for (int d = 0; d < terms[i].length(); d++) {
                char ch = terms[i].charAt(d);
                Integer l = id.get(ch);
                if (l == null) {
                    l = id.size();
                    id.put(ch, l);
                    sizes.add(1L);
                }
                inputs[i][d] = l;
                sizes.set(l, Math.max(sizes.get(l), shapes[i][d]));
            }
        }
        int[] output = new int[out.length()];
        for (int d = 0; d < out.length(); d++) {
            output[d] = id.get(out.charAt(d));
        }
        String[] symbols = new String[id.size()];
        id.forEach((k, v) -> symbols[v] = String.valueOf(k));
        long[] s = sizes.stream().mapToLong(Long::longValue).toArray();
        return new Contraction(inputs, output, s, shapes, symbols);
    }

    /** opt_einsum's path syntax {@code (0,2),(0,1)} or {@code (0,1,2)}. */
    static List<int[]> parsePath(String s) {
        List<int[]> p = new ArrayList<>();
        Matcher m = Pattern.compile("\\(([^)]*)\\)").matcher(s);
        while (m.find()) {
            String body = m.group(1).trim();
            List<Integer> step = new ArrayList<>();
            for (String x : body.split(",")) {
                if (!x.isBlank()) {
                    step.add(Integer.parseInt(x.trim()));
                }
            }
            p.add(step.stream().mapToInt(Integer::intValue).toArray());
        }
        return p;
    }

    static String format(List<int[]> path) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < path.size(); k++) {
            if (k > 0) {
                sb.append(',');
            }
            sb.append('(');
            int[] st = path.get(k);
            for (int q = 0; q < st.length; q++) {
                sb.append(q > 0 ? "," : "").append(st[q]);
            }
            sb.append(')');
        }
        return sb.toString();
    }
}
