package org.einsum4j.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;

/**
 * Draws random valid einsum specs with matching operand shapes, and the result shape numpy's rules give them
 * (computed here from the drawn sizes, independently of {@link EinsumSpec}): up to 6 operands, repeated labels
 * (diagonals), ellipsis with right-aligned broadcasting, size-1 broadcast dims, scalars, implicit and explicit
 * outputs, summed labels, spaces. Small sizes, so the oracle stays fast.
 *
 * <p>The cases are jqwik {@link Arbitrary}s built from structured choices (a {@link Blueprint}), not from a seed,
 * so a failing property shrinks to a small spec with small shapes.
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

    /**
     * One label of the pool: its letter is {@code LETTERS[(window + offset) % 52]} (a window of ten letters, so
     * both cases and the ASCII order get exercised) and its full size (0 now and then: empty tensors).
     */
    record Label(int offset, int size) {
    }

    /**
     * One operand term: its labels as indices into the pool (taken modulo the pool size; repeats are diagonals),
     * which pool labels this operand broadcasts (size 1), whether it has '...' and where, the ellipsis rank it
     * takes (modulo the spec's ellipsis rank + 1) and which of its ellipsis dims are 1.
     */
    record Term(List<Integer> labels, List<Boolean> ones, boolean ellipsis, int ellipsisAt, int ellipsisRank,
            List<Boolean> ellipsisOnes) {
    }

    /**
     * The output: implicit, or explicit with the pool labels listed (those no operand uses are dropped), '...'
     * when {@code ellipsis} is at least 3 (with an ellipsis among the inputs) or 9 (without), at {@code at}.
     */
    record Output(boolean implicit, List<Integer> labels, int ellipsis, int at) {
    }

    /**
     * Every choice behind one spec as plain numbers, lists and flags, so that jqwik shrinks the spec itself: fewer
     * operands, shorter terms, fewer labels, size 1, no ellipsis, no broadcasting, no spaces. {@code spaces}: after
     * which tokens (modulo their count) a space goes.
     */
    record Blueprint(int window, List<Label> pool, boolean ellipsis, List<Integer> ellipsisSizes, List<Term> terms,
            Output output, List<Integer> spaces) {
    }

    /**
     * Valid cases: up to 6 operands over up to 6 labels of size 0..3, ellipsis rank up to 2 (so at most 3^8 loop
     * iterations: the oracle stays fast).
     */
    public static Arbitrary<Drawn> valid() {
        Arbitrary<Integer> size = Arbitraries.frequencyOf(Tuple.of(19, Arbitraries.integers().between(1, 3)),
                Tuple.of(1, Arbitraries.just(0)));
        Arbitrary<List<Label>> pool = Combinators.combine(Arbitraries.integers().between(0, 9), size)
                .as(Label::new).list().ofMinSize(1).ofMaxSize(6).uniqueElements(Label::offset);
        Arbitrary<Boolean> oneInFive = Arbitraries.frequency(Tuple.of(4, false), Tuple.of(1, true));
        Arbitrary<Term> term = Combinators.combine(
                Arbitraries.integers().between(0, 5).list().ofMaxSize(4)
                        .withSizeDistribution(RandomDistribution.uniform()),
                oneInFive.list().ofSize(6),
                Arbitraries.frequency(Tuple.of(3, false), Tuple.of(7, true)),
                Arbitraries.integers().between(0, 4),
                Arbitraries.integers().between(0, 2),
                Arbitraries.frequency(Tuple.of(3, false), Tuple.of(1, true)).list().ofSize(2)).as(Term::new);
        Arbitrary<Output> output = Combinators.combine(
                Arbitraries.frequency(Tuple.of(2, true), Tuple.of(3, false)),
                Arbitraries.integers().between(0, 5).list().uniqueElements().ofMaxSize(6)
                        .withSizeDistribution(RandomDistribution.uniform()),
                Arbitraries.integers().between(0, 9),
                Arbitraries.integers().between(0, 6)).as(Output::new);
        return Combinators.combine(
                Arbitraries.integers().between(0, LETTERS.length() - 1),
                pool,
                Arbitraries.frequency(Tuple.of(2, false), Tuple.of(1, true)),
                Arbitraries.integers().between(1, 3).list().ofMaxSize(2),
                term.list().ofMinSize(1).ofMaxSize(6).withSizeDistribution(RandomDistribution.uniform()),
                output,
                Arbitraries.integers().between(0, 40).list().ofMaxSize(3)).as(Blueprint::new)
                .map(RandomSpecs::build);
    }

    /** The spec, shapes and numpy's result shape a blueprint describes. */
    static Drawn build(Blueprint b) {
        List<Character> pool = new ArrayList<>();
        for (Label l : b.pool()) {
            pool.add(LETTERS.charAt((b.window() + l.offset()) % LETTERS.length()));
        }
        int ellMax = b.ellipsis() ? b.ellipsisSizes().size() : 0;
        List<String> tokens = new ArrayList<>();
        int[][] shapes = new int[b.terms().size()][];
        // per label: the sizes it has in the operands (to derive numpy's result size independently)
        Map<Character, List<Integer>> actual = new LinkedHashMap<>();
        Map<Character, Integer> count = new TreeMap<>();
        List<int[]> ellShapes = new ArrayList<>();
        boolean anyEllipsis = false;
        for (int k = 0; k < shapes.length; k++) {
            Term t = b.terms().get(k);
            if (k > 0) {
                tokens.add(",");
            }
            List<Integer> term = new ArrayList<>();
            for (int i : t.labels()) {
                term.add(i % pool.size());
            }
            boolean ell = b.ellipsis() && t.ellipsis();
            int ellPos = ell ? t.ellipsisAt() % (term.size() + 1) : -1;
            int ellRank = ell ? t.ellipsisRank() % (ellMax + 1) : 0;
            // this operand's size per label: the full size, or 1 (broadcast); equal for repeats (diagonal)
            Map<Character, Integer> mine = new LinkedHashMap<>();
            for (int i : term) {
                mine.computeIfAbsent(pool.get(i), x -> t.ones().get(i) ? 1 : b.pool().get(i).size());
                count.merge(pool.get(i), 1, Integer::sum);
            }
            mine.forEach((c, s) -> actual.computeIfAbsent(c, x -> new ArrayList<>()).add(s));
            int[] ellShape = new int[ellRank];
            for (int j = 0; j < ellRank; j++) {
                ellShape[j] = t.ellipsisOnes().get(j) ? 1 : b.ellipsisSizes().get(ellMax - ellRank + j);
            }
            if (ell) {
                anyEllipsis = true;
                ellShapes.add(ellShape);
            }
            List<Integer> dims = new ArrayList<>();
            for (int j = 0; j <= term.size(); j++) {
                if (j == ellPos) {
                    tokens.add("...");
                    for (int x : ellShape) {
                        dims.add(x);
                    }
                }
                if (j < term.size()) {
                    char c = pool.get(term.get(j));
                    tokens.add(String.valueOf(c));
                    dims.add(mine.get(c));
                }
            }
            shapes[k] = dims.stream().mapToInt(Integer::intValue).toArray();
        }

        int[] ellResult = broadcast(ellShapes);
        List<Integer> result = new ArrayList<>();
        Output o = b.output();
        if (o.implicit()) {
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
            List<Character> out = new ArrayList<>();
            for (int i : o.labels()) {
                if (i < pool.size() && actual.containsKey(pool.get(i))) {
                    out.add(pool.get(i));
                }
            }
            boolean outEll = anyEllipsis ? o.ellipsis() >= 3 : o.ellipsis() == 9;
            int ellAt = outEll ? o.at() % (out.size() + 1) : -1;
            tokens.add("->");
            for (int j = 0; j <= out.size(); j++) {
                if (j == ellAt) {
                    tokens.add("...");
                    for (int x : ellResult) {
                        result.add(x);
                    }
                }
                if (j < out.size()) {
                    tokens.add(String.valueOf(out.get(j)));
                    result.add(labelSize(actual.get(out.get(j))));
                }
            }
        }
        for (int s : tokens.isEmpty() ? List.<Integer>of() : b.spaces()) {
            int after = s % tokens.size();
            tokens.set(after, tokens.get(after) + " ");
        }
        return new Drawn(String.join("", tokens), shapes, result.stream().mapToInt(Integer::intValue).toArray());
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
     * A valid case made invalid in one way ({@code kind} 0..4): a bad character, a repeated output label, one
     * operand too many or too few, a rank that does not fit the term, or a label given two sizes (neither 1).
     * {@code a} and {@code b} pick the character, position, letter or operand (modulo their count); a kind that
     * does not apply to the case (no letter to repeat, no occurrence to conflict with) is filtered out.
     */
    public static Arbitrary<Invalid> invalid() {
        return Combinators.combine(valid(), Arbitraries.integers().between(0, 4),
                        Arbitraries.integers().between(0, 1000), Arbitraries.integers().between(0, 1000))
                .as(RandomSpecs::breakCase).filter(Optional::isPresent).map(Optional::get);
    }

    private static Optional<Invalid> breakCase(Drawn d, int kind, int a, int b) {
        String spec = d.spec();
        int[][] shapes = d.shapes().clone();
        if (kind == 0) {
            char ch = "019_#!*+@".charAt(a % 9);
            int p = b % (spec.length() + 1);
            while (p > 0 && p < spec.length() && (spec.charAt(p - 1) == '-' || spec.charAt(p - 1) == '.')) {
                p--;
            }
            return Optional.of(new Invalid(spec.substring(0, p) + ch + spec.substring(p), shapes,
                    EinsumSyntaxException.class, "'" + ch + "'"));
        }
        if (kind == 1) {
            String base = spec.contains("->") ? spec : spec + "->";
            String letters = base.substring(0, base.indexOf("->")).replaceAll("[^a-zA-Z]", "");
            if (letters.isEmpty()) {
                return Optional.empty();
            }
            char l = letters.charAt(a % letters.length());
            return Optional.of(new Invalid(base + l + l, shapes, EinsumSyntaxException.class, "'" + l + "' repeated"));
        }
        if (kind == 2) {
            int[][] s = Arrays.copyOf(shapes, shapes.length + (a % 2 == 0 ? 1 : -1));
            if (s.length == 0) {
                return Optional.empty();
            }
            if (s.length > shapes.length) {
                s[s.length - 1] = new int[] {2};
            }
            return Optional.of(new Invalid(spec, s, OperandCountException.class, shapes.length + " input term"));
        }
        EinsumSpec parsed = EinsumSpec.parse(spec);
        Contraction c = parsed.bind(shapes);
        int k = a % shapes.length;
        if (kind == 3) {
            boolean ell = Arrays.stream(parsed.term(k)).anyMatch(x -> x == EinsumSpec.ELLIPSIS);
            int letters = (int) Arrays.stream(parsed.term(k)).filter(x -> x != EinsumSpec.ELLIPSIS).count();
            if (ell && letters == 0) {
                return Optional.empty();
            }
            shapes[k] = new int[ell ? letters - 1 : shapes[k].length + 1];
            Arrays.fill(shapes[k], 1);
            return Optional.of(new Invalid(spec, shapes, ShapeMismatchException.class, "operand " + k));
        }
        // kind 4: give one occurrence of a label a size that conflicts with another occurrence
        int[] in = c.input(k);
        for (int dim = 0; dim < in.length; dim++) {
            for (int k2 = 0; k2 < shapes.length; k2++) {
                int[] in2 = c.input(k2);
                for (int d2 = 0; d2 < in2.length; d2++) {
                    int other = c.shape(k2)[d2];
                    if ((k2 != k || d2 != dim) && in2[d2] == in[dim] && (k2 == k || other != 1)) {
                        // at least 2: a 1 against a 0 would broadcast
                        int changed = Math.max(2, Math.max(other, shapes[k][dim]) + 1);
                        shapes[k] = shapes[k].clone();
                        shapes[k][dim] = changed;
                        return Optional.of(new Invalid(spec, shapes, ShapeMismatchException.class,
                                String.valueOf(changed)));
                    }
                }
            }
        }
        return Optional.empty();
    }
}
