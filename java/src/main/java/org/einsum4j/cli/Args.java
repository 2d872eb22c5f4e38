package org.einsum4j.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed arguments of one subcommand: positionals, options with values ({@code --name value} or
 * {@code --name=value}) and flags ({@code --json}). Each command states which options it knows, so a typo is a
 * usage error rather than silently ignored. {@code --} ends the options.
 */
final class Args {
    private final List<String> positionals = new ArrayList<>();
    private final Map<String, String> values = new HashMap<>();
    private final Map<String, Boolean> flags = new HashMap<>();

    private Args() {
    }

    /**
     * Parses {@code args} for the command {@code command}; {@code valueOptions} and {@code flagOptions} are the
     * option names without the leading dashes. {@code --help}/{@code -h} is always a flag named "help".
     */
    static Args parse(String command, String[] args, Set<String> valueOptions, Set<String> flagOptions) {
        Args a = new Args();
        boolean optionsEnded = false;
        for (int i = 0; i < args.length; i++) {
            String s = args[i];
            if (optionsEnded || !s.startsWith("-") || s.equals("-") || isSpecLike(s)) {
                a.positionals.add(s);
                continue;
            }
            if (s.equals("--")) {
                optionsEnded = true;
                continue;
            }
            if (s.equals("-h") || s.equals("--help")) {
                a.flags.put("help", true);
                continue;
            }
            if (!s.startsWith("--")) {
                throw new UsageException("unknown option '" + s + "' (see einsum4j " + command + " --help)");
            }
            String name = s.substring(2);
            String value = null;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            }
            if (valueOptions.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.length) {
                        throw new UsageException("option --" + name + " needs a value (see einsum4j " + command
                                + " --help)");
                    }
                    value = args[++i];
                }
                if (a.values.put(name, value) != null) {
                    throw new UsageException("option --" + name + " given twice");
                }
            } else if (flagOptions.contains(name)) {
                if (value != null) {
                    throw new UsageException("option --" + name + " takes no value, got '" + value + "'");
                }
                a.flags.put(name, true);
            } else {
                throw new UsageException("unknown option '--" + name + "' (see einsum4j " + command + " --help)");
            }
        }
        return a;
    }

    /** Einsum specs such as {@code ->} or {@code ->i} (no inputs) start with a dash but are not options. */
    private static boolean isSpecLike(String s) {
        return s.startsWith("->");
    }

    List<String> positionals() {
        return positionals;
    }

    boolean flag(String name) {
        return flags.getOrDefault(name, false);
    }

    boolean has(String name) {
        return values.containsKey(name);
    }

    String value(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    /** An integer option in [min, max], or the fallback when absent. */
    long longValue(String name, long fallback, long min, long max) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new UsageException("option --" + name + " needs an integer, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new UsageException("option --" + name + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }
}
