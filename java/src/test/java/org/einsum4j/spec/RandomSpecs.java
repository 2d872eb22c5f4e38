package org.einsum4j.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Draws random valid einsum specs with matching operand shapes, and the result shape numpy's rules give them
 * (computed here from the drawn sizes, independently of {@link EinsumSpec}): up to 6 operands, repeated labels
 * (diagonals), ellipsis with right-aligned broadcasting, size-1 broadcast dims, scalars, implicit and explicit
 * outputs, summed labels, spaces. Small sizes, so the oracle stays fast.
 */
public final class RandomSpecs {
    /** A drawn case: the spec text, one shape per operand, and numpy's result shape. */
    public record Drawn(String spec, int[][] shapes, int[] resultShape) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("'" + spec + "' shapes");
            for (int[] s : shapes) {
                sb.append(' ').append(Arrays.toString(s));
            }
            return sb.append(" -> ").append(Arrays.toString(resultShape)).toString();
        }
    }

    private static final String LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private RandomSpecs() {
    }

    /** A valid case whose full loop nest (product of all label sizes) has at most {@code maxWork} iterations. */
    public static Drawn draw(SplittableRandom r, long maxWork) {
        while (true) {
            Drawn d = drawOnce(r, maxWork);
            if (d != null) {
                return d;
            }
        }
    }

    private static Drawn drawOnce(SplittableRandom r, long maxWork) {
        int numOps = 1 + r.nextInt(6);
        int numLabels = 1 + r.nextInt(6);
        // labels from a random window of a-zA-Z so both cases and the ASCII ordering get exercised
        List<Character> pool = new ArrayList<>();
        int start = r.nextInt(LETTERS.length());
        while (pool.size() < numLabels) {
            char c = LETTERS.charAt((start + r.nextInt(10)) % LETTERS.length());
            if (!pool.contains(c)) {
                pool.add(c);
            }
        }
        Map<Character, Integer> size = new LinkedHashMap<>();
        for (char c : pool) {
            size.put(c, r.nextInt(20) == 0 ? 0 : 1 + r.nextInt(3));
        }
        boolean useEllipsis = r.nextInt(3) == 0;
        int ellMax = useEllipsis ? r.nextInt(3) : 0;
        int[] ellSize = new int[ellMax];
        for (int j = 0; j < ellMax; j++) {
            ellSize[j] = 1 + r.nextInt(3);
        }

        StringBuilder spec = new StringBuilder();
        int[][] shapes = new int[numOps][];
        // per label: the sizes it has in the operands (to derive numpy's result size independently)
        Map<Character, List<Integer>> actual = new LinkedHashMap<>();
        Map<Character, Integer> count = new TreeMap<>();
        List<int[]> ellShapes = new ArrayList<>();
        boolean anyEllipsis = false;
        for (int k = 0; k < numOps; k++) {
            if (k > 0) {
                spec.append(',');
                maybeSpace(r, spec);
            }
            int len = r.nextInt(5) == 0 ? 0 : 1 + r.nextInt(4);
            List<Character> term = new ArrayList<>();
            for (int j = 0; j < len; j++) {
                term.add(pool.get(r.nextInt(pool.size())));
            }
            boolean ell = useEllipsis && r.nextInt(10) < 7;
            int ellPos = ell ? r.nextInt(term.size() + 1) : -1;
            int ellRank = ell ? r.nextInt(ellMax + 1) : 0;
            // this operand's size per label: the full size, or 1 (broadcast); equal for repeats (diagonal)
            Map<Character, Integer> mine = new LinkedHashMap<>();
            for (char c : term) {
                mine.computeIfAbsent(c, x -> r.nextInt(5) == 0 ? 1 : size.get(x));
                count.merge(c, 1, Integer::sum);
            }
            mine.forEach((c, s) -> actual.computeIfAbsent(c, x -> new ArrayList<>()).add(s));
            int[] ellShape = new int[ellRank];
            for (int j = 0; j < ellRank; j++) {
                ellShape[j] = r.nextInt(4) == 0 ? 1 : ellSize[ellMax - ellRank + j];
            }
            if (ell) {
                anyEllipsis = true;
                ellShapes.add(ellShape);
            }
            List<Integer> dims = new ArrayList<>();
            for (int j = 0; j <= term.size(); j++) {
                if (j == ellPos) {
                    spec.append("...");
                    for (int x : ellShape) {
                        dims.add(x);
                    }
                    maybeSpace(r, spec);
                }
                if (j < term.size()) {
                    spec.append(term.get(j));
                    dims.add(mine.get(term.get(j)));
                    maybeSpace(r, spec);
                }
            }
            shapes[k] = dims.stream().mapToInt(Integer::intValue).toArray();
        }

        int[] ellResult = broadcast(ellShapes);
        long work = 1;
        for (int x : ellResult) {
            work *= x;
        }
        for (List<Integer> sizes : actual.values()) {
            work *= labelSize(sizes);
        }
        if (work > maxWork) {
            return null;
        }
        List<Integer> result = new ArrayList<>();
        if (r.nextInt(5) < 2) {
            // implicit: numpy puts the broadcast ellipsis dims first, then labels seen once in ASCII order
            for (int x : ellResult) {
                result.add(x);
            }
            count.forEach((c, n) -> {
                if (n == 1) {
                    result.add(labelSize(actual.get(c)));
                }
            });
        } else {
            List<Character> used = new ArrayList<>(actual.keySet());
            shuffle(r, used);
            int keep = used.isEmpty() ? 0 : r.nextInt(used.size() + 1);
            List<Character> out = used.subList(0, keep);
            boolean outEll = anyEllipsis ? r.nextInt(3) > 0 : r.nextInt(10) == 0;
            int ellAt = outEll ? r.nextInt(out.size() + 1) : -1;
            spec.append("->");
            maybeSpace(r, spec);
            for (int j = 0; j <= out.size(); j++) {
                if (j == ellAt) {
                    spec.append("...");
                    for (int x : ellResult) {
                        result.add(x);
                    }
                }
                if (j < out.size()) {
                    spec.append(out.get(j));
                    result.add(labelSize(actual.get(out.get(j))));
                }
            }
        }
        return new Drawn(spec.toString(), shapes, result.stream().mapToInt(Integer::intValue).toArray());
    }

    /** numpy's broadcast of right-aligned shapes (all drawn to be compatible). */
    private static int[] broadcast(List<int[]> shapes) {
        int rank = 0;
        for (int[] s : shapes) {
            rank = Math.max(rank, s.length);
        }
        int[] out = new int[rank];
        Arrays.fill(out, 1);
        for (int[] s : shapes) {
            for (int j = 0; j < s.length; j++) {
                int o = rank - s.length + j;
                if (s[j] != 1) {
                    out[o] = s[j];
                }
            }
        }
        return out;
    }

    private static int labelSize(List<Integer> sizes) {
        for (int s : sizes) {
            if (s != 1) {
                return s;
            }
        }
        return 1;
    }

    private static void maybeSpace(SplittableRandom r, StringBuilder sb) {
        if (r.nextInt(15) == 0) {
            sb.append(' ');
        }
    }

    private static <T> void shuffle(SplittableRandom r, List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            T t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    /** An invalid case: spec and shapes, the exception type it must raise, and text its message must contain. */
    public record Invalid(String spec, int[][] shapes, Class<? extends RuntimeException> expected, String mentions) {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("'" + spec + "' shapes");
            for (int[] s : shapes) {
                sb.append(' ').append(Arrays.toString(s));
            }
            return sb.append(" must throw ").append(expected.getSimpleName()).append(" mentioning '")
                    .append(mentions).append("'").toString();
        }
    }

    /**
     * A valid case made invalid in one way: a bad character, a repeated or unknown output label, one operand too
     * many or too few, a rank that does not fit the term, or a label given two sizes (neither 1).
     */
    public static Invalid drawInvalid(SplittableRandom r) {
        while (true) {
            Drawn d = draw(r, 1_000_000);
            String spec = d.spec();
            int[][] shapes = d.shapes().clone();
            int kind = r.nextInt(5);
            if (kind == 0) {
                char ch = "019_#!*+@".charAt(r.nextInt(9));
                int p = r.nextInt(spec.length() + 1);
                while (p > 0 && p < spec.length() && (spec.charAt(p - 1) == '-' || spec.charAt(p - 1) == '.')) {
                    p--;
                }
                return new Invalid(spec.substring(0, p) + ch + spec.substring(p), shapes, EinsumSyntaxException.class,
                        "'" + ch + "'");
            }
            if (kind == 1) {
                String base = spec.contains("->") ? spec : spec + "->";
                String inputs = base.substring(0, base.indexOf("->"));
                String letters = inputs.replaceAll("[^a-zA-Z]", "");
                if (letters.isEmpty()) {
                    continue;
                }
                char l = letters.charAt(r.nextInt(letters.length()));
                return new Invalid(base + l + l, shapes, EinsumSyntaxException.class, "'" + l + "' repeated");
            }
            if (kind == 2) {
                int[][] s = Arrays.copyOf(shapes, shapes.length + (r.nextBoolean() ? 1 : -1));
                if (s.length == 0) {
                    continue;
                }
                if (s.length > shapes.length) {
                    s[s.length - 1] = new int[] {2};
                }
                return new Invalid(spec, s, OperandCountException.class, shapes.length + " input term");
            }
            EinsumSpec parsed = EinsumSpec.parse(spec);
            Contraction c = parsed.bind(shapes);
            int k = r.nextInt(shapes.length);
            if (kind == 3) {
                boolean ell = Arrays.stream(parsed.term(k)).anyMatch(x -> x == EinsumSpec.ELLIPSIS);
                int letters = (int) Arrays.stream(parsed.term(k)).filter(x -> x != EinsumSpec.ELLIPSIS).count();
                if (ell && letters == 0) {
                    continue;
                }
                shapes[k] = new int[ell ? letters - 1 : shapes[k].length + 1];
                Arrays.fill(shapes[k], 1);
                return new Invalid(spec, shapes, ShapeMismatchException.class, "operand " + k);
            }
            // kind 4: give one occurrence of a label a size that conflicts with another occurrence
            int[] in = c.input(k);
            for (int dim = 0; dim < in.length; dim++) {
                for (int k2 = 0; k2 < shapes.length; k2++) {
                    int[] in2 = c.input(k2);
                    for (int d2 = 0; d2 < in2.length; d2++) {
                        int other = c.shape(k2)[d2];
                        if ((k2 != k || d2 != dim) && in2[d2] == in[dim] && (k2 == k || other != 1)) {
                            int changed = Math.max(other, shapes[k][dim]) + 1;
                            shapes[k] = shapes[k].clone();
                            shapes[k][dim] = changed;
                            return new Invalid(spec, shapes, ShapeMismatchException.class, String.valueOf(changed));
                        }
                    }
                }
            }
        }
    }
}
