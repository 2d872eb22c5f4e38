package org.einsum4j.cli;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum4jException;
import org.einsum4j.path.PathInfo;
import org.einsum4j.path.PathOptimizers;
import org.einsum4j.path.Paths;
import org.einsum4j.path.Planner;
import org.einsum4j.spec.Contraction;
import org.einsum4j.spec.EinsumSpec;
import org.einsum4j.tensor.Shape;

/**
 * {@code einsum4j path}: plans a contraction from shapes alone (no data) and prints opt_einsum's PathInfo table,
 * or one JSON object with the path, the exact costs and the search time.
 */
final class PathCommand {
    static final String SUMMARY = "choose a contraction path and print opt_einsum's PathInfo table";

    static final String HELP = """
            Usage: einsum4j path SPEC SHAPE... [options]
                   einsum4j path SPEC --sizes a=2,b=3,... [options]

            Chooses the order of pairwise contractions for the einsum SPEC on operands of the given shapes (no
            data needed) and prints the path and opt_einsum's PathInfo table: naive and optimized FLOP counts,
            speedup, largest intermediate, and per step its scaling, BLAS class and the remaining terms.

            Give one SHAPE per operand, sizes joined by 'x' (64x128x256) or 'scalar' for a 0-d operand; or give
            every label's size with --sizes (specs without '...').

            Options:
              --optimize NAME       auto (default), auto-hq, optimal, branch-all, branch-2, branch-1, greedy,
                                    random-greedy, random-greedy-128, dp, dp-size, dp-write, dp-combo, dp-limit
              --memory-limit N      largest intermediate allowed, in elements: a number, -1 (none, the
                                    default) or max_input (the largest input or output)
              --sizes a=2,b=3,...   label sizes instead of SHAPEs
              --json                print one JSON object: path, opt_cost, naive_cost (exact integers),
                                    largest_intermediate, scalings, optimizer, search_ns
              -h, --help            this help

            Examples:
              einsum4j path ij,jk,kl->il 2x2 2x5 5x2
              einsum4j path 'ea,fb,abcd,gc,hd->efgh' --sizes a=10,b=10,c=10,d=10,e=10,f=10,g=10,h=10
              einsum4j path bgk,bkd,bk->bgd 64x8x4096 64x4096x128 64x4096 --optimize optimal --json
            """;

    private static final Set<String> VALUE_OPTIONS = Set.of("optimize", "memory-limit", "sizes");
    private static final Set<String> FLAG_OPTIONS = Set.of("json");

    private PathCommand() {
    }

    static int run(String[] argv, PrintStream out, PrintStream err) {
        Args args = Args.parse("path", argv, VALUE_OPTIONS, FLAG_OPTIONS);
        if (args.flag("help")) {
            out.print(HELP);
            return Main.OK;
        }
        List<String> pos = args.positionals();
        if (pos.isEmpty()) {
            throw new UsageException("missing SPEC (see einsum4j path --help)");
        }
        String specText = pos.get(0);
        List<String> shapeArgs = pos.subList(1, pos.size());
        EinsumSpec spec = EinsumSpec.parse(specText);
        int[][] shapes;
        if (args.has("sizes")) {
            if (!shapeArgs.isEmpty()) {
                throw new UsageException("give either SHAPEs or --sizes, not both");
            }
            shapes = shapesFromSizes(spec, args.value("sizes", ""));
        } else {
            if (shapeArgs.size() != spec.numOperands()) {
                throw new UsageException("spec '" + specText + "' has " + spec.numOperands() + " operand(s) but "
                        + shapeArgs.size() + " SHAPE(s) were given (or use --sizes)");
            }
            shapes = new int[shapeArgs.size()][];
            for (int k = 0; k < shapes.length; k++) {
                try {
                    shapes[k] = Shape.parse(shapeArgs.get(k)).toArray();
                } catch (Einsum4jException e) {
                    throw new UsageException("operand " + k + ": " + e.getMessage());
                }
            }
        }
        String optimize = args.value("optimize", "auto");
        try {
            PathOptimizers.get(optimize);
        } catch (Einsum4jException e) {
            throw new UsageException(e.getMessage());
        }
        ContractOptions options = ContractOptions.defaults().withOptimize(optimize);
        if (args.has("memory-limit")) {
            try {
                options = options.withMemoryLimit(args.value("memory-limit", "-1"));
            } catch (Einsum4jException e) {
                throw new UsageException("--memory-limit: " + e.getMessage());
            }
        }
        Contraction c = spec.bind(shapes);
        PathInfo info = Planner.plan(c, options);
        if (args.flag("json")) {
            out.println(info.toJson());
        } else {
            out.println("path = " + Paths.format(info.path()));
            out.println(info);
            out.printf(Locale.ROOT, "optimizer: %s, search %s%n", info.optimizer(),
                    ContractCommand.formatNanos(info.searchNanos()));
        }
        return Main.OK;
    }

    /** Shapes from {@code a=2,b=3,...}: every label of the spec needs a size; no ellipsis. */
    private static int[][] shapesFromSizes(EinsumSpec spec, String text) {
        Map<Integer, Integer> sizes = new HashMap<>();
        for (String kv : text.split(",")) {
            String t = kv.trim();
            if (t.isEmpty()) {
                continue;
            }
            int eq = t.indexOf('=');
            if (eq <= 0 || t.codePointCount(0, eq) != 1) {
                throw new UsageException("--sizes: expected label=size pairs like a=2,b=3, got '" + t + "'");
            }
            int label = t.codePointAt(0);
            int size;
            try {
                size = Integer.parseInt(t.substring(eq + 1).trim());
            } catch (NumberFormatException e) {
                throw new UsageException("--sizes: size of '" + t.substring(0, eq) + "' is not an integer: '"
                        + t.substring(eq + 1) + "'");
            }
            if (size < 0) {
                throw new UsageException("--sizes: size of '" + t.substring(0, eq) + "' is negative: " + size);
            }
            sizes.put(label, size);
        }
        int[][] shapes = new int[spec.numOperands()][];
        for (int k = 0; k < shapes.length; k++) {
            int[] term = spec.term(k);
            shapes[k] = new int[term.length];
            for (int d = 0; d < term.length; d++) {
                if (term[d] == EinsumSpec.ELLIPSIS) {
                    throw new UsageException("--sizes cannot size '...' dimensions; give SHAPEs instead");
                }
                Integer s = sizes.get(term[d]);
                if (s == null) {
                    throw new UsageException("--sizes gives no size for label '"
                            + new String(Character.toChars(term[d])) + "' of operand " + k);
                }
                shapes[k][d] = s;
            }
        }
        return shapes;
    }
}
