package org.einsum4j.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.einsum4j.Einsum4jException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Shape;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** The values every subcommand parses or prints the same way: element types, shapes, output files, medians. */
final class CliValues {
    private CliValues() {
    }

    /** {@code --dtype f32|f64} (also {@code float32}, {@code float64}): the floating types a command computes in. */
    static final class DTypeConverter implements ITypeConverter<DType> {
        @Override
        public DType convert(String s) {
            DType d;
            try {
                d = DType.parse(s);
            } catch (Einsum4jException e) {
                d = null;
            }
            if (d == null || !d.isFloating()) {
                throw new TypeConversionException("unknown dtype '" + s
                        + "' (expected f32, f64, float16 or bfloat16)");
            }
            return d;
        }
    }

    /** An operand shape ({@code 64x128x256} or {@code scalar}), strictly; operand k is named in the error. */
    static Shape shape(String s, int operand) {
        if (s.startsWith("-") && s.length() > 1 && !Character.isDigit(s.charAt(1))) {
            throw new UsageException("unknown option '" + s + "' (see the command's --help)");
        }
        try {
            return Shape.parse(s);
        } catch (Einsum4jException e) {
            throw new UsageException("operand " + operand + ": " + e.getMessage());
        }
    }

    /**
     * Checks, before any work, that {@code --output} can be written: its folder exists and is writable and the path
     * is not a folder. The error says which.
     */
    static Path output(String text) {
        Path p;
        try {
            p = Path.of(text);
        } catch (InvalidPathException e) {
            throw new UsageException("--output '" + text + "': not a valid path (" + e.getReason() + ")");
        }
        if (text.isBlank()) {
            throw new UsageException("--output needs a file name");
        }
        if (Files.isDirectory(p)) {
            throw new UsageException("--output " + p + ": is a directory");
        }
        Path dir = p.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new UsageException("--output " + p + ": directory " + dir + " does not exist");
        }
        if (!Files.isWritable(dir) || (Files.exists(p) && !Files.isWritable(p))) {
            throw new UsageException("--output " + p + ": not writable (permission denied)");
        }
        return p;
    }

    /** The median of timings (the mean of the middle two for an even count). */
    static long median(long[] values) {
        long[] s = values.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    /** A duration for people: ns below 10 µs, then µs, ms, s with three decimals. */
    static String formatNanos(long ns) {
        if (ns < 10_000) {
            return ns + " ns";
        } else if (ns < 10_000_000) {
            return String.format(Locale.ROOT, "%.3f us", ns / 1e3);
        } else if (ns < 10_000_000_000L) {
            return String.format(Locale.ROOT, "%.3f ms", ns / 1e6);
        }
        return String.format(Locale.ROOT, "%.3f s", ns / 1e9);
    }

    /** An integer option in [min, max]. */
    static long range(String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new UsageException("option " + option + " must be between " + min + " and " + max + ", got "
                    + value);
        }
        return value;
    }
}
