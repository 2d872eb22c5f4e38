package org.einsum4j.path;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeSet;
import org.einsum4j.spec.EinsumSpec;

/**
 * opt_einsum's symbol helpers for specs written with arbitrary characters: {@link #validEinsumChars} maps every
 * distinct label character to a valid symbol (in code-point order), {@link #alphaCanonicalize} relabels in order of
 * first appearance, so that equal structures compare equal.
 */
public final class Symbols {
    private Symbols() {
    }

    /** opt_einsum's convert_to_valid_einsum_chars: {@code 'Ĥěļļö' → 'cbdda'}; ',' '-' '>' '.' kept. */
    public static String validEinsumChars(String spec) {
        TreeSet<Integer> symbols = new TreeSet<>();
        spec.codePoints().filter(cp -> ",->.".indexOf(cp) < 0).forEach(symbols::add);
        Map<Integer, String> replace = new LinkedHashMap<>();
        int i = 0;
        for (int cp : symbols) {
            replace.put(cp, EinsumSpec.symbolOf(i++));
        }
        return map(spec, replace);
    }

    /** opt_einsum's alpha_canonicalize: {@code 'dcba' → 'abcd'}, {@code 'Ĥěļļö' → 'abccd'}. */
    public static String alphaCanonicalize(String spec) {
        Map<Integer, String> rename = new LinkedHashMap<>();
        spec.codePoints().filter(cp -> ",->.".indexOf(cp) < 0)
                .forEach(cp -> rename.computeIfAbsent(cp, k -> EinsumSpec.symbolOf(rename.size())));
        return map(spec, rename);
    }

    private static String map(String spec, Map<Integer, String> m) {
        StringBuilder sb = new StringBuilder();
        spec.codePoints().forEach(cp -> sb.append(m.getOrDefault(cp, new String(Character.toChars(cp)))));
        return sb.toString();
    }
}
