package org.einsum4j.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum4jException;
import org.einsum4j.path.PathInfo;
import org.einsum4j.path.PathOptimizers;
import org.einsum4j.path.Paths;
import org.einsum4j.path.Planner;
import org.einsum4j.spec.Contraction;
import org.einsum4j.spec.EinsumSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code einsum4j path}: plans a contraction from shapes alone (no data) and prints opt_einsum's PathInfo table,
 * or one JSON object with the path, the exact costs and the search time.
 */
@Command(name = "path", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, sortOptions = false,
        description = "choose a contraction path and print opt_einsum's PathInfo table",
        synopsisHeading = "", customSynopsis = {
            "Usage: einsum4j path SPEC SHAPE... [options]",
            "       einsum4j path SPEC --sizes a=2,b=3,... [options]"},
        footer = {"",
            "Chooses the order of pairwise contractions for the einsum SPEC on operands of the given shapes (no",
            "data needed) and prints the path and opt_einsum's PathInfo table: naive and optimized FLOP counts,",
            "speedup, largest intermediate, and per step its scaling, BLAS class and the remaining terms.",
            "",
            "Give one SHAPE per operand, sizes joined by 'x' (64x128x256) or 'scalar' for a 0-d operand; or give",
            "every label's size with --sizes (specs without '...'). The exhaustive optimizers (optimal, branch-all)",
            "refuse networks too large for them (optimal: 16 operands, 12 with a memory limit; branch-all: 12).",
            "",
            "Examples:",
            "  einsum4j path ij,jk,kl->il 2x2 2x5 5x2",
            "  einsum4j path 'ea,fb,abcd,gc,hd->efgh' --sizes a=10,b=10,c=10,d=10,e=10,f=10,g=10,h=10",
            "  einsum4j path bgk,bkd,bk->bgd 64x8x4096 64x4096x128 64x4096 --optimize optimal --json"})
final class PathCommand implements Callable<Integer> {
    @Spec
    CommandSpec command;

    @Parameters(index = "0", paramLabel = "SPEC", arity = "0..1", description = "the einsum spec")
    String specText;

    @Parameters(index = "1..*", paramLabel = "SHAPE", description = "one shape per operand (64x128x256, scalar)")
    List<String> shapeArgs = new ArrayList<>();

    @Option(names = "--optimize", paramLabel = "NAME", defaultValue = "auto",
            description = "auto (default), auto-hq, optimal, branch-all, branch-2, branch-1, greedy, random-greedy, random-greedy-128, dp, dp-size, dp-write, dp-combo, dp-limit")
    String optimize;

    @Option(names = "--memory-limit", paramLabel = "N",
            description = "largest intermediate allowed, in elements: a number, -1 (none, the default) or max_input (the largest input or output)")
    String memoryLimit;

    @Option(names = "--max-time", paramLabel = "SECONDS",
            description = "stop an exhaustive search (optimal, branch-all) after this long (default: none)")
    Double maxTime;

    @Option(names = "--sizes", paramLabel = "a=2,b=3,...", description = "label sizes instead of SHAPEs")
    String sizes;

    @Option(names = "--json", description = "print one JSON object: path, opt_cost, naive_cost (exact integers), largest_intermediate, scalings, optimizer, search_ns")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = command.commandLine().getOut();
        if (specText == null) {
            throw new UsageException("missing SPEC (see einsum4j path --help)");
        }
        if (specText.startsWith("-") && !specText.startsWith("->")) {
            throw new UsageException("unknown option '" + specText + "' (see einsum4j path --help)");
        }
        int[][] shapes = new int[shapeArgs.size()][];
        for (int k = 0; k < shapes.length; k++) {
            shapes[k] = CliValues.shape(shapeArgs.get(k), k).toArray();
        }
        EinsumSpec spec = EinsumSpec.parse(specText);
        if (sizes != null) {
            if (shapes.length > 0) {
                throw new UsageException("give either SHAPEs or --sizes, not both");
            }
            shapes = shapesFromSizes(spec, sizes);
        } else if (shapes.length != spec.numOperands()) {
            throw new UsageException("spec '" + specText + "' has " + spec.numOperands() + " operand(s) but "
                    + shapes.length + " SHAPE(s) were given (or use --sizes)");
        }
        try {
            PathOptimizers.get(optimize);
        } catch (Einsum4jException e) {
            throw new UsageException(e.getMessage());
        }
        ContractOptions options = ContractOptions.defaults().withOptimize(optimize).withMaxSearchTime(maxTime(maxTime));
        if (memoryLimit != null) {
            try {
                options = options.withMemoryLimit(memoryLimit);
            } catch (Einsum4jException e) {
                throw new UsageException("--memory-limit: " + e.getMessage());
            }
        }
        Contraction c = spec.bind(shapes);
        PathInfo info = Planner.plan(c, options);
        if (json) {
            out.println(info.toJson());
        } else {
            out.println("path = " + Paths.format(info.path()));
            out.println(info);
            out.printf(Locale.ROOT, "optimizer: %s, search %s%n", info.optimizer(),
                    CliValues.formatNanos(info.searchNanos()));
        }
        return Main.OK;
    }

    /** {@code --max-time SECONDS} as a duration: positive and finite, or null when not given. */
    static Duration maxTime(Double seconds) {
        if (seconds == null) {
            return null;
        }
        if (!(seconds > 0) || seconds > 1e9) {
            throw new UsageException("option --max-time must be a positive number of seconds, got " + seconds);
        }
        return Duration.ofNanos(Math.max(1, (long) (seconds * 1e9)));
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
            String value = t.substring(eq + 1).trim();
            int size;
            try {
                if (!value.matches("[0-9]+")) {
                    throw new NumberFormatException();
                }
                size = Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw new UsageException("--sizes: size of '" + t.substring(0, eq) + "' is not a non-negative "
                        + "integer below 2^31: '" + value + "'");
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
