package org.einsum4j.spec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.einsum4j.tensor.Shape;

/**
 * A parsed einsum spec, numpy.einsum's grammar exactly, not yet bound to shapes.
 * {@link #bind(int[]...)} checks it against operand shapes and yields a {@link Contraction}.
 *
 * <p>Grammar (string form): terms of letters {@code a-z A-Z} separated by commas, at most one {@code ...} per
 * term, optionally {@code ->} and an output term; spaces are ignored. Without {@code ->} the output is implicit:
 * the ellipsis dimensions first, then the labels that occur exactly once over all inputs, sorted by ASCII code
 * (uppercase before lowercase), as numpy does. A label repeated within one term takes a diagonal; an empty term is
 * a scalar operand.
 *
 * <p>Differences from numpy's unoptimized C einsum, on purpose: ellipsis dimensions of the inputs that an explicit
 * output without {@code ...} does not list are summed (as opt_einsum, PyTorch and
 * {@code numpy.einsum(..., optimize=True)} do), and any label may broadcast (size 1 in one operand, N in another).
 *
 * <p>Labels are kept as non-negative ints: the character code for the string form (so numeric order is ASCII
 * order), the int itself for the interleaved form; {@link #ELLIPSIS} marks {@code ...}.
 */
public final class EinsumSpec {
    /** In the interleaved (sublist) form, this value stands for {@code ...}. */
    public static final int ELLIPSIS = -1;

    /**
     * Largest int label of the interleaved form: its print symbol ({@link #symbolOf(int)}) must stay a valid
     * Unicode code point.
     */
    public static final int MAX_SUBLIST_LABEL = Character.MAX_CODE_POINT - 2048;

    private final String text;
    private final boolean sublistForm;
    private final int[][] inputs;
    private final String[] termTexts;
    private final int[] output;
    private final boolean explicitOutput;

    private EinsumSpec(String text, boolean sublistForm, int[][] inputs, String[] termTexts, int[] output,
            boolean explicitOutput) {
        this.text = text;
        this.sublistForm = sublistForm;
        this.inputs = inputs;
        this.termTexts = termTexts;
        this.output = output;
        this.explicitOutput = explicitOutput;
    }

    // ---------------------------------------------------------------- parsing

    /** Parses a string spec; syntax errors throw {@link EinsumSyntaxException} with the position. */
    public static EinsumSpec parse(String spec) {
        if (spec == null) {
            throw new org.einsum4j.Einsum4jException("spec is null");
        }
        List<int[]> terms = new ArrayList<>();
        List<String> texts = new ArrayList<>();
        int[] out = null;
        int[] outPositions = null;
        int arrow = -1;

        List<Integer> cur = new ArrayList<>();
        List<Integer> curPos = new ArrayList<>();
        StringBuilder curText = new StringBuilder();
        boolean curEllipsis = false;
        int n = spec.length();
        int i = 0;
        while (i <= n) {
            char ch = i < n ? spec.charAt(i) : '\0';
            if (i == n || ch == ',' || (ch == '-' && arrow < 0)) {
                // end of a term
                if (i < n && ch == ',' && arrow >= 0) {
                    throw new EinsumSyntaxException(spec, i, "the output term (after '->') must not contain ','");
                }
                int[] t = toArray(cur);
                int[] p = toArray(curPos);
                if (arrow >= 0) {
                    out = t;
                    outPositions = p;
                } else {
                    terms.add(t);
                    texts.add(curText.toString());
                }
                cur.clear();
                curPos.clear();
                curText.setLength(0);
                curEllipsis = false;
                if (i == n) {
                    break;
                }
                if (ch == '-') {
                    if (i + 1 >= n || spec.charAt(i + 1) != '>') {
                        throw new EinsumSyntaxException(spec, i, "'-' must be followed by '>' (write '->')");
                    }
                    arrow = i;
                    i += 2;
                } else {
                    i++;
                }
                continue;
            }
            if (ch == ' ') {
                i++;
                continue;
            }
            if (isLetter(ch)) {
                cur.add((int) ch);
                curPos.add(i);
                curText.append(ch);
                i++;
                continue;
            }
            if (ch == '.') {
                if (i + 2 < n && spec.charAt(i + 1) == '.' && spec.charAt(i + 2) == '.') {
                    if (curEllipsis) {
                        throw new EinsumSyntaxException(spec, i, "a second '...' in one term (at most one ellipsis per term)");
                    }
                    curEllipsis = true;
                    cur.add(ELLIPSIS);
                    curPos.add(i);
                    curText.append("...");
                    i += 3;
                    continue;
                }
                if (i + 1 < n && spec.charAt(i + 1) == '.') {
                    throw new EinsumSyntaxException(spec, i, "'..' is not an ellipsis (write '...')");
                }
                throw new EinsumSyntaxException(spec, i, "a lone '.' (an ellipsis is '...')");
            }
            if (ch == '-') {
                boolean arrowAgain = i + 1 < n && spec.charAt(i + 1) == '>';
                throw new EinsumSyntaxException(spec, i, arrowAgain ? "a second '->' (a spec has at most one output)"
                        : "'-' in the output (labels are letters a-z A-Z; '->' only once)");
            }
            if (ch == '>') {
                throw new EinsumSyntaxException(spec, i, "'>' without '-' before it (write '->')");
            }
            throw new EinsumSyntaxException(spec, i, "invalid character '" + printable(ch)
                    + "' (labels are letters a-z A-Z)");
        }
        int[][] ins = terms.toArray(new int[0][]);
        if (out != null) {
            checkOutput(spec, false, ins, out, outPositions);
            return new EinsumSpec(spec, false, ins, texts.toArray(new String[0]), out, true);
        }
        return new EinsumSpec(spec, false, ins, texts.toArray(new String[0]), implicitOutput(ins), false);
    }

    /**
     * The interleaved form, as numpy's {@code einsum(op0, sublist0, op1, sublist1, ..., [out])}: labels are
     * non-negative ints (no 52-letter limit), {@link #ELLIPSIS} marks an ellipsis; {@code output} null means
     * implicit. Errors throw {@link EinsumSyntaxException} whose spec is the sublists written out as
     * {@code [0, 1], [1, 2] -> [0, 2]} and whose position points into that text.
     */
    public static EinsumSpec ofSublists(List<int[]> sublists, int[] output) {
        if (sublists == null) {
            throw new org.einsum4j.Einsum4jException("sublists is null");
        }
        StringBuilder sb = new StringBuilder();
        List<int[]> positions = new ArrayList<>();
        int[][] ins = new int[sublists.size()][];
        for (int k = 0; k < ins.length; k++) {
            int[] s = sublists.get(k);
            if (s == null) {
                throw new org.einsum4j.Einsum4jException("sublist " + k + " is null");
            }
            ins[k] = s.clone();
            if (k > 0) {
                sb.append(", ");
            }
            positions.add(render(sb, ins[k]));
        }
        int[] outPos = null;
        int[] out = null;
        if (output != null) {
            sb.append(" -> ");
            out = output.clone();
            outPos = render(sb, out);
        }
        String text = sb.toString();
        String[] termTexts = new String[ins.length];
        for (int k = 0; k < ins.length; k++) {
            checkSublist(text, ins[k], positions.get(k));
            termTexts[k] = Arrays.toString(ins[k]);
        }
        if (out != null) {
            checkSublist(text, out, outPos);
            checkOutput(text, true, ins, out, outPos);
            return new EinsumSpec(text, true, ins, termTexts, out, true);
        }
        return new EinsumSpec(text, true, ins, termTexts, implicitOutput(ins), false);
    }

    private static int[] render(StringBuilder sb, int[] labels) {
        int[] pos = new int[labels.length];
        sb.append('[');
        for (int j = 0; j < labels.length; j++) {
            if (j > 0) {
                sb.append(", ");
            }
            pos[j] = sb.length();
            sb.append(labels[j] == ELLIPSIS ? "..." : Integer.toString(labels[j]));
        }
        sb.append(']');
        return pos;
    }

    private static void checkSublist(String text, int[] labels, int[] pos) {
        boolean ellipsis = false;
        for (int j = 0; j < labels.length; j++) {
            int l = labels[j];
            if (l == ELLIPSIS) {
                if (ellipsis) {
                    throw new EinsumSyntaxException(text, pos[j], "a second ellipsis in one sublist (at most one)");
                }
                ellipsis = true;
            } else if (l < 0 || l > MAX_SUBLIST_LABEL) {
                throw new EinsumSyntaxException(text, pos[j], "invalid label " + l + " (labels are ints 0.."
                        + MAX_SUBLIST_LABEL + ", or EinsumSpec.ELLIPSIS = -1 for '...')");
            }
        }
    }

    private static void checkOutput(String spec, boolean sublist, int[][] ins, int[] out, int[] outPos) {
        Set<Integer> inLabels = new HashSet<>();
        for (int[] t : ins) {
            for (int l : t) {
                inLabels.add(l);
            }
        }
        Map<Integer, Integer> seen = new HashMap<>();
        for (int j = 0; j < out.length; j++) {
            int l = out[j];
            if (seen.containsKey(l)) {
                if (l == ELLIPSIS) {
                    throw new EinsumSyntaxException(spec, outPos[j], "a second '...' in the output (at most one)");
                }
                throw new EinsumSyntaxException(spec, outPos[j], "output label " + describeRaw(l, sublist)
                        + " repeated (first at position " + seen.get(l) + ")");
            }
            seen.put(l, outPos[j]);
            // numpy allows '...' in the output without any ellipsis in the inputs: it is then zero dimensions
            if (l != ELLIPSIS && !inLabels.contains(l)) {
                throw new EinsumSyntaxException(spec, outPos[j], "output label " + describeRaw(l, sublist)
                        + " does not appear in any input term");
            }
        }
    }

    private static String describeRaw(int l, boolean sublist) {
        return sublist ? Integer.toString(l) : "'" + (char) l + "'";
    }

    /** numpy's implicit output: ellipsis dims first, then labels occurring exactly once, in numeric/ASCII order. */
    private static int[] implicitOutput(int[][] ins) {
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        boolean ellipsis = false;
        for (int[] t : ins) {
            for (int l : t) {
                if (l == ELLIPSIS) {
                    ellipsis = true;
                } else {
                    counts.merge(l, 1, Integer::sum);
                }
            }
        }
        List<Integer> out = new ArrayList<>();
        if (ellipsis) {
            out.add(ELLIPSIS);
        }
        counts.forEach((l, c) -> {
            if (c == 1) {
                out.add(l);
            }
        });
        return toArray(out);
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static String printable(char c) {
        return c < 32 || c == 127 ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }

    private static int[] toArray(List<Integer> list) {
        int[] a = new int[list.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = list.get(i);
        }
        return a;
    }

    // ---------------------------------------------------------------- accessors

    public int numOperands() {
        return inputs.length;
    }

    /** The spec as given (string form) or the sublists written out (interleaved form). */
    public String text() {
        return text;
    }

    /** True when the spec has {@code ->} (or an output sublist); false when the output is implicit. */
    public boolean hasExplicitOutput() {
        return explicitOutput;
    }

    /** Operand k's raw labels ({@link #ELLIPSIS} for {@code ...}; character codes for the string form). */
    public int[] term(int operand) {
        return inputs[operand].clone();
    }

    /** The output's raw labels; for an implicit output, the one numpy infers. */
    public int[] outputTerm() {
        return output.clone();
    }

    /**
     * The print symbol of an int label, as opt_einsum's {@code get_symbol}: a-z, A-Z for 0..51, then
     * {@code chr(i + 140)}, skipping the surrogate block ({@code chr(i + 2048)} from 55296 on).
     */
    public static String symbolOf(int i) {
        if (i < 0) {
            throw new IllegalArgumentException("no symbol for negative label " + i);
        }
        if (i < 26) {
            return String.valueOf((char) ('a' + i));
        }
        if (i < 52) {
            return String.valueOf((char) ('A' + i - 26));
        }
        int cp = i >= 55296 ? i + 2048 : i + 140;
        return new String(Character.toChars(cp));
    }

    private String rawSymbol(int l) {
        return sublistForm ? symbolOf(l) : String.valueOf((char) l);
    }

    @Override
    public String toString() {
        return "EinsumSpec[" + text + "]";
    }

    // ---------------------------------------------------------------- binding

    /** Binds to operand shapes; throws {@link OperandCountException} or {@link ShapeMismatchException}. */
    public Contraction bind(int[]... shapes) {
        if (shapes == null) {
            throw new ShapeMismatchException("shapes is null (one int[] per operand)");
        }
        if (shapes.length != inputs.length) {
            throw new OperandCountException("spec '" + text + "' has " + inputs.length + " input term"
                    + (inputs.length == 1 ? "" : "s") + " but " + shapes.length + " operand"
                    + (shapes.length == 1 ? " was" : "s were") + " given");
        }
        int numOps = inputs.length;
        int[][] dims = new int[numOps][];
        int[] ellRank = new int[numOps];
        int maxEll = 0;
        for (int k = 0; k < numOps; k++) {
            if (shapes[k] == null) {
                throw new ShapeMismatchException("operand " + k + " has no shape (null)");
            }
            dims[k] = shapes[k].clone();
            Shape.of(dims[k]); // rejects negative sizes and overflowing element counts
            int letters = 0;
            boolean ell = false;
            for (int l : inputs[k]) {
                if (l == ELLIPSIS) {
                    ell = true;
                } else {
                    letters++;
                }
            }
            int rank = dims[k].length;
            if (ell) {
                if (rank < letters) {
                    throw new ShapeMismatchException("operand " + k + " has shape " + Shape.of(dims[k]) + " (rank "
                            + rank + ") but its term '" + termTexts[k] + "' needs at least " + letters
                            + " dimensions");
                }
                ellRank[k] = rank - letters;
                maxEll = Math.max(maxEll, ellRank[k]);
            } else if (rank != letters) {
                throw new ShapeMismatchException("operand " + k + " has shape " + Shape.of(dims[k]) + " (rank "
                        + rank + ") but its term '" + termTexts[k] + "' has " + letters + " label"
                        + (letters == 1 ? "" : "s") + " and no '...'");
            }
        }

        // Dense ids in order of first appearance; ellipsis dim e (0 = leftmost of the broadcast ellipsis) is keyed
        // as -2 - e so it cannot clash with raw labels.
        Map<Integer, Integer> ids = new LinkedHashMap<>();
        int[][] bound = new int[numOps][];
        for (int k = 0; k < numOps; k++) {
            bound[k] = new int[dims[k].length];
            int d = 0;
            for (int l : inputs[k]) {
                if (l == ELLIPSIS) {
                    for (int j = 0; j < ellRank[k]; j++) {
                        int key = -2 - (maxEll - ellRank[k] + j);
                        bound[k][d++] = ids.computeIfAbsent(key, x -> ids.size());
                    }
                } else {
                    bound[k][d++] = ids.computeIfAbsent(l, x -> ids.size());
                }
            }
        }
        int numLabels = ids.size();
        int[] keyOf = new int[numLabels];
        ids.forEach((key, id) -> keyOf[id] = key);

        long[] sizes = new long[numLabels];
        Arrays.fill(sizes, 1);
        int[] sizeOperand = new int[numLabels];
        Arrays.fill(sizeOperand, -1);
        for (int k = 0; k < numOps; k++) {
            for (int d = 0; d < bound[k].length; d++) {
                int id = bound[k][d];
                int size = dims[k][d];
                for (int e = 0; e < d; e++) {
                    if (bound[k][e] == id && dims[k][e] != size) {
                        throw new ShapeMismatchException("label " + describeKey(keyOf[id]) + " is repeated in operand "
                                + k + " (term '" + termTexts[k] + "', shape " + Shape.of(dims[k])
                                + ") with different sizes " + dims[k][e] + " (dimension " + e + ") and " + size
                                + " (dimension " + d + "); a diagonal needs equal sizes");
                    }
                }
                if (size == 1) {
                    continue;
                }
                if (sizeOperand[id] < 0) {
                    sizes[id] = size;
                    sizeOperand[id] = k;
                } else if (sizes[id] != size) {
                    int o = sizeOperand[id];
                    throw new ShapeMismatchException("label " + describeKey(keyOf[id]) + " has size " + sizes[id]
                            + " in operand " + o + " (term '" + termTexts[o] + "', shape " + Shape.of(dims[o])
                            + ") but size " + size + " in operand " + k + " (term '" + termTexts[k] + "', shape "
                            + Shape.of(dims[k]) + "); sizes must be equal or 1");
                }
            }
        }

        List<Integer> outIds = new ArrayList<>();
        for (int l : output) {
            if (l == ELLIPSIS) {
                for (int e = 0; e < maxEll; e++) {
                    outIds.add(ids.get(-2 - e));
                }
            } else {
                outIds.add(ids.get(l));
            }
        }
        // Ellipsis dims missing from an explicit output are summed (opt_einsum / torch / numpy optimize=True).

        String[] symbols = new String[numLabels];
        Set<String> used = new HashSet<>();
        for (int id = 0; id < numLabels; id++) {
            if (keyOf[id] >= 0) {
                symbols[id] = rawSymbol(keyOf[id]);
                used.add(symbols[id]);
            }
        }
        for (int l : output) {
            if (l >= 0) {
                used.add(rawSymbol(l));
            }
        }
        // Ellipsis dims take the first unused symbols in get_symbol order, leftmost dim first (deterministic,
        // unlike opt_einsum's set iteration).
        int next = 0;
        for (int e = 0; e < maxEll; e++) {
            String s;
            do {
                s = symbolOf(next++);
            } while (used.contains(s));
            used.add(s);
            symbols[ids.get(-2 - e)] = s;
        }
        return new Contraction(bound, toArray(outIds), sizes, dims, symbols);
    }

    private String describeKey(int key) {
        if (key <= -2) {
            return "'...' (ellipsis dimension " + (-2 - key) + ")";
        }
        return describeRaw(key, sublistForm);
    }
}
