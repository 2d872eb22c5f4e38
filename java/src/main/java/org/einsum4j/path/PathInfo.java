package org.einsum4j.path;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The chosen contraction path and what it costs, with opt_einsum's fields and exactly its printed table
 * ({@link #toString()}), so that the two compare line by line. Costs are exact integers.
 *
 * <p>{@link #steps()} is what an executor needs: per step, the positions taken from the current operand list
 * (right to left, as opt_einsum pops them), the operands' labels in that order, the result's labels (opt_einsum's
 * "tensordot order": by first appearance in the operands; the last step in the requested output order), the
 * labels summed away, and opt_einsum's BLAS class.
 */
public final class PathInfo {
    /**
     * One step of the path.
     *
     * @param positions positions in the operand list before the step, sorted descending (the order the
     *                  operands are removed in)
     * @param operands  the labels of the operands taken, in {@code positions} order
     * @param result    the result's labels, appended at the end of the operand list
     * @param removed   labels summed away in this step (ascending ids)
     * @param cost      flop_count of the step
     * @param scaling   number of distinct labels involved
     * @param resultSize elements of the result
     * @param blas      opt_einsum's can_blas class
     * @param einsum    the step as an einsum string, e.g. {@code kl,jk->lj}
     * @param remaining the operand list after the step as terms (null when it has more than 20 terms)
     */
    public record Step(int[] positions, int[][] operands, int[] result, int[] removed, BigInteger cost, int scaling,
            BigInteger resultSize, BlasClass blas, String einsum, List<String> remaining) {
    }

    private final String eq;
    private final String outputSubscript;
    private final Map<String, Long> sizeDict;
    private final int[][] shapes;
    private final List<int[]> path;
    private final List<Step> steps;
    private final int naiveScaling;
    private final BigInteger naiveCost;
    private final BigInteger optCost;
    private final BigInteger largestIntermediate;
    private final String optimizer;
    private final long searchNanos;

    PathInfo(String eq, String outputSubscript, Map<String, Long> sizeDict, int[][] shapes, List<int[]> path,
            List<Step> steps, int naiveScaling, BigInteger naiveCost, String optimizer, long searchNanos) {
        this.eq = eq;
        this.outputSubscript = outputSubscript;
        this.sizeDict = Collections.unmodifiableMap(new LinkedHashMap<>(sizeDict));
        this.shapes = new int[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            this.shapes[i] = shapes[i].clone();
        }
        List<int[]> p = new ArrayList<>(path.size());
        for (int[] s : path) {
            p.add(s.clone());
        }
        this.path = List.copyOf(p);
        this.steps = List.copyOf(steps);
        this.naiveScaling = naiveScaling;
        this.naiveCost = naiveCost;
        BigInteger opt = BigInteger.ZERO;
        BigInteger largest = null;
        for (Step s : steps) {
            opt = opt.add(s.cost());
            largest = largest == null ? s.resultSize() : largest.max(s.resultSize());
        }
        this.optCost = opt;
        this.largestIntermediate = largest == null ? BigInteger.ONE : largest;
        this.optimizer = optimizer;
        this.searchNanos = searchNanos;
    }

    /** The path in opt_einsum's format (copies). */
    public List<int[]> path() {
        List<int[]> p = new ArrayList<>(path.size());
        for (int[] s : path) {
            p.add(s.clone());
        }
        return p;
    }

    public List<Step> steps() {
        return steps;
    }

    /** The complete contraction, e.g. {@code ij,jk,kl->il}. */
    public String eq() {
        return eq;
    }

    /** The inputs' terms joined by commas, e.g. {@code ij,jk,kl} (opt_einsum's input_subscripts). */
    public String inputSubscripts() {
        return eq.substring(0, eq.indexOf("->"));
    }

    /** The output's term, e.g. {@code il}. */
    public String outputSubscript() {
        return outputSubscript;
    }

    /** Each label's size by its symbol, in order of first appearance (opt_einsum's size_dict). */
    public Map<String, Long> sizeDict() {
        return sizeDict;
    }

    /** The operands' shapes (copies). */
    public int[][] shapes() {
        int[][] s = new int[shapes.length][];
        for (int i = 0; i < shapes.length; i++) {
            s[i] = shapes[i].clone();
        }
        return s;
    }

    /** Elements of each step's result (opt_einsum's size_list). */
    public List<BigInteger> sizeList() {
        return steps.stream().map(Step::resultSize).toList();
    }

    /** Number of distinct labels of the inputs. */
    public int naiveScaling() {
        return naiveScaling;
    }

    /** The largest step scaling (0 without steps). */
    public int optimizedScaling() {
        int m = 0;
        for (Step s : steps) {
            m = Math.max(m, s.scaling());
        }
        return m;
    }

    /** Each step's scaling (number of labels involved). */
    public int[] scalings() {
        return steps.stream().mapToInt(Step::scaling).toArray();
    }

    public BigInteger naiveCost() {
        return naiveCost;
    }

    /** Sum of the steps' flop counts. */
    public BigInteger optCost() {
        return optCost;
    }

    /** naive / max(opt, 1), as opt_einsum's Decimal division (28 significant digits, half-even). */
    public BigDecimal speedup() {
        BigInteger d = optCost.max(BigInteger.ONE);
        return new BigDecimal(naiveCost).divide(new BigDecimal(d), new MathContext(28, RoundingMode.HALF_EVEN));
    }

    /** Elements of the largest step result (the final result included; 1 without steps). */
    public BigInteger largestIntermediate() {
        return largestIntermediate;
    }

    /** The optimizer that chose the path ({@code explicit} for a given path, {@code custom} for a user one). */
    public String optimizer() {
        return optimizer;
    }

    /** Time the path search took, in nanoseconds. */
    public long searchNanos() {
        return searchNanos;
    }

    /** Python's {@code format(Decimal(v), '.3e')}: 4 significant digits, half-even, exponent unpadded. */
    static String sci(BigDecimal v) {
        if (v.signum() == 0) {
            return "0.000e+3"; // what Python prints for Decimal(0)
        }
        BigDecimal r = v.round(new MathContext(4, RoundingMode.HALF_EVEN));
        String digits = r.unscaledValue().abs().toString();
        int exp = digits.length() - 1 - r.scale();
        StringBuilder m = new StringBuilder(digits);
        while (m.length() < 4) {
            m.append('0');
        }
        String sign = v.signum() < 0 ? "-" : "";
        return sign + m.charAt(0) + "." + m.substring(1, 4) + "e" + (exp < 0 ? "-" : "+") + Math.abs(exp);
    }

    private static String right(Object o, int width) {
        String s = String.valueOf(o);
        if (s.length() >= width) {
            return s;
        }
        return " ".repeat(width - s.length()) + s;
    }

    /** opt_einsum's PathInfo table, character for character. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        sb.append("  Complete contraction:  ").append(eq).append('\n');
        sb.append("         Naive scaling:  ").append(naiveScaling).append('\n');
        sb.append("     Optimized scaling:  ").append(optimizedScaling()).append('\n');
        sb.append("      Naive FLOP count:  ").append(sci(new BigDecimal(naiveCost))).append('\n');
        sb.append("  Optimized FLOP count:  ").append(sci(new BigDecimal(optCost))).append('\n');
        sb.append("   Theoretical speedup:  ").append(sci(speedup())).append('\n');
        sb.append("  Largest intermediate:  ").append(sci(new BigDecimal(largestIntermediate)))
                .append(" elements\n");
        sb.append("-".repeat(80)).append('\n');
        sb.append(right("scaling", 6)).append(' ').append(right("BLAS", 11)).append(' ')
                .append(right("current", 22)).append(' ').append(right("remaining", 37)).append('\n');
        sb.append("-".repeat(80));
        for (Step s : steps) {
            String remaining = s.remaining() == null ? "..." : String.join(",", s.remaining()) + "->"
                    + outputSubscript;
            int sizeRemaining = Math.max(0, 56 - Math.max(22, s.einsum().length()));
            sb.append('\n').append(right(s.scaling(), 4)).append(' ').append(right(s.blas().tableLabel(), 14))
                    .append(' ').append(right(s.einsum(), 22)).append("    ").append(right(remaining, sizeRemaining));
        }
        return sb.toString();
    }

    /**
     * {@code {"path": [[0,2],[0,1]], "opt_cost": N, "naive_cost": N, "largest_intermediate": N,
     * "scalings": [...], "optimizer": NAME, "search_ns": T}}.
     */
    public String toJson() {
        StringBuilder sb = new StringBuilder("{\"path\": [");
        for (int k = 0; k < path.size(); k++) {
            sb.append(k > 0 ? "," : "").append('[');
            int[] s = path.get(k);
            for (int q = 0; q < s.length; q++) {
                sb.append(q > 0 ? "," : "").append(s[q]);
            }
            sb.append(']');
        }
        sb.append("], \"opt_cost\": ").append(optCost);
        sb.append(", \"naive_cost\": ").append(naiveCost);
        sb.append(", \"largest_intermediate\": ").append(largestIntermediate);
        sb.append(", \"scalings\": [");
        int[] sc = scalings();
        for (int k = 0; k < sc.length; k++) {
            sb.append(k > 0 ? "," : "").append(sc[k]);
        }
        sb.append("], \"optimizer\": \"").append(jsonEscape(optimizer)).append('"');
        sb.append(", \"search_ns\": ").append(searchNanos).append('}');
        return sb.toString();
    }

    private static String jsonEscape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char ch : s.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                sb.append('\\').append(ch);
            } else if (ch < 0x20) {
                sb.append(String.format("\\u%04x", (int) ch));
            } else {
                sb.append(ch);
            }
        }
        return sb.toString();
    }
}
