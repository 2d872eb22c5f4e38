package org.einsum4j.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Random valid specs bind to numpy's result shape; random invalid specs and shapes are rejected with the
 * documented exception type, at the right position, with a message naming the problem. jqwik properties with
 * fixed seeds: a failure shrinks to a small spec (and small picks of position, character, operand).
 */
class EinsumSpecPropertyTest {
    private static final int TRIES = 500;

    @Provide
    Arbitrary<RandomSpecs.Drawn> specs() {
        return RandomSpecs.valid();
    }

    @Property(tries = TRIES, seed = "20261126")
    void validSpecsBindToNumpysResultShape(@ForAll("specs") RandomSpecs.Drawn d) {
        Contraction c = EinsumSpec.parse(d.spec()).bind(d.shapes());
        int[] out = c.output();
        int[] shape = new int[out.length];
        for (int j = 0; j < out.length; j++) {
            shape[j] = (int) c.size(out[j]);
        }
        assertArrayEquals(d.resultShape(), shape, d.toString());
        for (int k = 0; k < d.shapes().length; k++) {
            assertArrayEquals(d.shapes()[k], c.shape(k), d.toString());
            assertEquals(d.shapes()[k].length, c.input(k).length, d.toString());
        }
        // the bound form reparses to the same contraction (symbols are letters for string specs here)
        if (c.numLabels() <= 52) {
            Contraction again = EinsumSpec.parse(c.toSpecString()).bind(d.shapes());
            assertArrayEquals(c.sizes(), again.sizes(), d + " as " + c.toSpecString());
        }
    }

    @Property(tries = TRIES, seed = "7")
    void badCharactersAreRejectedWhereTheyAre(@ForAll("specs") RandomSpecs.Drawn d,
            @ForAll @IntRange(max = 1000) int where, @ForAll @IntRange(max = 10) int which) {
        String bad = "019_#!>.*+@";
        String spec = d.spec();
        List<Integer> boundaries = tokenBoundaries(spec);
        int p = boundaries.get(where % boundaries.size());
        char ch = bad.charAt(which);
        if (ch == '.' && ((p > 0 && spec.charAt(p - 1) == '.') || (p < spec.length() && spec.charAt(p) == '.'))) {
            ch = '#';
        }
        String broken = spec.substring(0, p) + ch + spec.substring(p);
        EinsumSyntaxException e = assertThrows(EinsumSyntaxException.class, () -> EinsumSpec.parse(broken),
                "'" + broken + "'");
        assertEquals(p, e.position(), "'" + broken + "': " + e.getMessage());
        assertEquals(broken, e.spec());
        assertTrue(e.getMessage().contains("'" + ch + "'") || e.getMessage().contains("'.'"),
                e.getMessage());
    }

    @Property(tries = TRIES, seed = "11")
    void badOutputsAreRejectedAtTheLabel(@ForAll("specs") RandomSpecs.Drawn d, @ForAll boolean repeat,
            @ForAll @IntRange(max = 1000) int which) {
        String spec = d.spec();
        int arrow = spec.indexOf("->");
        String inputs = arrow < 0 ? spec : spec.substring(0, arrow);
        String letters = inputs.replaceAll("[^a-zA-Z]", "");
        String output = arrow < 0 ? "" : spec.substring(arrow + 2);
        String base = inputs + "->" + output;
        String broken;
        int pos;
        String problem;
        if (repeat && !letters.isEmpty()) {
            char l = letters.charAt(which % letters.length());
            if (output.indexOf(l) >= 0) {
                broken = base + l;
                problem = "'" + l + "' repeated";
            } else {
                broken = base + l + l;
                problem = "'" + l + "' repeated";
            }
            pos = broken.length() - 1;
        } else {
            char absent = 'a';
            while (inputs.indexOf(absent) >= 0) {
                absent = absent == 'z' ? 'A' : (char) (absent + 1);
            }
            broken = base + absent;
            pos = broken.length() - 1;
            problem = "'" + absent + "' does not appear";
        }
        EinsumSyntaxException e = assertThrows(EinsumSyntaxException.class, () -> EinsumSpec.parse(broken),
                "'" + broken + "'");
        assertEquals(pos, e.position(), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }

    @Property(tries = TRIES, seed = "13")
    void wrongOperandCountsAreRejected(@ForAll("specs") RandomSpecs.Drawn d, @ForAll boolean remove,
            @ForAll @IntRange(max = 1000) int which) {
        List<int[]> shapes = new ArrayList<>(Arrays.asList(d.shapes()));
        if (remove) {
            shapes.remove(which % shapes.size());
        } else {
            shapes.add(new int[] {2});
        }
        int[][] s = shapes.toArray(new int[0][]);
        OperandCountException e = assertThrows(OperandCountException.class,
                () -> EinsumSpec.parse(d.spec()).bind(s), d.toString());
        assertTrue(e.getMessage().contains(String.valueOf(d.shapes().length))
                && e.getMessage().contains(String.valueOf(s.length)), e.getMessage());
    }

    @Property(tries = TRIES, seed = "17")
    void conflictingSizesAndRanksAreRejected(@ForAll("specs") RandomSpecs.Drawn d,
            @ForAll @IntRange(max = 2) int mode, @ForAll @IntRange(max = 1000) int pick) {
        EinsumSpec spec = EinsumSpec.parse(d.spec());
        Contraction c = spec.bind(d.shapes());
        int[][] shapes = d.shapes().clone();
        // find two occurrences of one label where changing the first must conflict with the second
        int[] hit = findConflictable(c, pick);
        if (hit != null && mode > 0) {
            int k = hit[0];
            int dim = hit[1];
            int other = hit[2];
            int label = c.input(k)[dim];
            // at least 2: a 1 against a 0 would broadcast
            int changedSize = Math.max(2, Math.max(other, shapes[k][dim]) + 1);
            shapes[k] = shapes[k].clone();
            shapes[k][dim] = changedSize;
            ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> spec.bind(shapes),
                    d + " with operand " + k + " dim " + dim + " = " + changedSize);
            String m = e.getMessage();
            String name = c.symbol(label);
            assertTrue(m.contains("'" + name + "'") || m.contains("'...'"), m);
            // the first conflict found may be with another occurrence than the one drawn: check the changed one
            assertTrue(m.contains("operand " + k) && m.contains(String.valueOf(changedSize)), m);
            Statistics.label("kind").collect("conflict");
        } else {
            // one dimension too many on an operand without '...', or too few letters' worth on any operand
            int k = pick % shapes.length;
            boolean hasEllipsis = spec.term(k).length > 0
                    && Arrays.stream(spec.term(k)).anyMatch(l -> l == EinsumSpec.ELLIPSIS);
            int letters = (int) Arrays.stream(spec.term(k)).filter(l -> l != EinsumSpec.ELLIPSIS).count();
            int[] changed;
            if (hasEllipsis) {
                Assume.that(letters > 0);
                changed = new int[letters - 1];
                Arrays.fill(changed, 1);
            } else {
                changed = Arrays.copyOf(shapes[k], shapes[k].length + 1);
                changed[changed.length - 1] = 1;
            }
            shapes[k] = changed;
            ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> spec.bind(shapes),
                    d + " with operand " + k + " shape " + Arrays.toString(changed));
            assertTrue(e.getMessage().contains("operand " + k) && e.getMessage().contains("rank " + changed.length),
                    e.getMessage());
            Statistics.label("kind").collect("rank");
        }
        Statistics.label("kind").coverage(cov -> {
            cov.check("conflict").count(n -> n > 50);
            cov.check("rank").count(n -> n > 50);
        });
    }

    /** {operand, dim, size of another occurrence} such that setting that dim to size+1 must be rejected. */
    private static int[] findConflictable(Contraction c, int pick) {
        List<int[]> found = new ArrayList<>();
        for (int k = 0; k < c.numInputs(); k++) {
            int[] in = c.input(k);
            for (int d = 0; d < in.length; d++) {
                for (int k2 = 0; k2 < c.numInputs(); k2++) {
                    int[] in2 = c.input(k2);
                    for (int d2 = 0; d2 < in2.length; d2++) {
                        if ((k2 == k && d2 == d) || in2[d2] != in[d]) {
                            continue;
                        }
                        int other = c.shape(k2)[d2];
                        // across operands a size-1 occurrence would broadcast; within one operand any change fails
                        if (k2 == k || other != 1) {
                            found.add(new int[] {k, d, other});
                        }
                    }
                }
            }
        }
        return found.isEmpty() ? null : found.get(pick % found.size());
    }

    /** Positions where inserting a character cannot split an ellipsis or an arrow. */
    private static List<Integer> tokenBoundaries(String spec) {
        List<Integer> b = new ArrayList<>();
        for (int p = 0; p <= spec.length(); p++) {
            boolean insideEllipsis = p > 0 && p < spec.length() && spec.charAt(p - 1) == '.' && spec.charAt(p) == '.';
            boolean insideArrow = p > 0 && spec.charAt(p - 1) == '-';
            if (!insideEllipsis && !insideArrow) {
                b.add(p);
            }
        }
        return b;
    }
}
