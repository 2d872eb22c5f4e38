package org.einsum4j.tensor;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.einsum4j.Einsum4jException;

/**
 * Where a tensor's memory lives: a device type ({@code cpu}, {@code cuda}, or a type a backend registers) and an
 * index ({@code cuda:0}, {@code cuda:1}). A value: equal devices are interchangeable. The host is
 * {@link #CPU}; its index is always 0 and it prints as {@code cpu}.
 */
public record Device(String type, int index) {
    private static final Pattern FORM = Pattern.compile("([a-z][a-z0-9_]*)(?::(\\d{1,9}))?");

    /** Host memory, served by the CPU backend. */
    public static final Device CPU = new Device("cpu", 0);

    public Device {
        if (type == null || !FORM.matcher(type).matches() || type.contains(":")) {
            throw new Einsum4jException("device type must be a lower-case name such as cpu or cuda, got '" + type
                    + "'");
        }
        if (index < 0) {
            throw new Einsum4jException("device index must be non-negative, got " + index + " for " + type);
        }
        if (type.equals("cpu") && index != 0) {
            throw new Einsum4jException("the host is one device, cpu; got cpu:" + index);
        }
    }

    /** CUDA device {@code n}. */
    public static Device cuda(int n) {
        return new Device("cuda", n);
    }

    /** Parses {@code cpu}, {@code cuda}, {@code cuda:0} (case-insensitive; a missing index means 0). */
    public static Device parse(String s) {
        if (s == null) {
            throw new Einsum4jException("device is null (expected cpu or cuda:N)");
        }
        Matcher m = FORM.matcher(s.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new Einsum4jException("cannot parse device '" + s + "' (expected cpu, cuda or cuda:N)");
        }
        return new Device(m.group(1), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)));
    }

    /** True for host memory. */
    public boolean isHost() {
        return type.equals("cpu");
    }

    @Override
    public String toString() {
        return isHost() ? "cpu" : type + ":" + index;
    }
}
