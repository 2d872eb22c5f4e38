package org.einsum4j;

import java.util.Locale;

/**
 * The check every entry point makes before it allocates: the bytes a call needs at once (result, live
 * intermediates, workspace; known from the shapes) against the memory its device has available
 * ({@link Backend#availableBytes()}: on the host MemAvailable) and against the optional user limit, system
 * property {@code einsum4j.maxCallBytes} (bytes; read on each check, so it can be changed at run time).
 * Asking the OS costs tens of microseconds, so calls needing less than {@value #QUIET_BYTES} bytes under no
 * user limit skip it.
 */
public final class MemoryBudget {
    /** The user limit's system property. */
    public static final String LIMIT_PROPERTY = "einsum4j.maxCallBytes";
    static final long QUIET_BYTES = 64L << 20;
    /** Plans saturate their byte counts here (2^61): anything at or past it is "more than". */
    static final long HUGE = 1L << 61;

    private MemoryBudget() {
    }

    /**
     * Throws {@link InsufficientMemoryException} when {@code bytes} (negative: more than 2^63) do not fit on
     * {@code backend}'s device or under the user limit; {@code what} names the call in the message.
     */
    public static void require(String what, long bytes, Backend backend) {
        long limit = userLimit();
        if (bytes >= 0 && bytes < QUIET_BYTES && bytes <= limit) {
            return;
        }
        String need = bytes < 0 || bytes >= HUGE ? "more than 2^61 bytes" : format(bytes);
        if (bytes < 0 || bytes >= HUGE || bytes > limit) {
            if (limit == Long.MAX_VALUE) {
                throw new InsufficientMemoryException(what + " needs " + need + " at once, which no "
                        + backend.device() + " memory has available");
            }
            throw new InsufficientMemoryException(what + " needs " + need + " at once but the user limit "
                    + LIMIT_PROPERTY + " makes only " + format(limit) + " available");
        }
        long available = backend.availableBytes();
        if (bytes > available) {
            throw new InsufficientMemoryException(what + " needs " + need + " at once but " + backend.device()
                    + " has " + format(available) + " available");
        }
    }

    /** The user limit in bytes, or {@link Long#MAX_VALUE} when none is set. */
    public static long userLimit() {
        String s = System.getProperty(LIMIT_PROPERTY);
        if (s == null || s.isBlank()) {
            return Long.MAX_VALUE;
        }
        try {
            long v = (long) Double.parseDouble(s.trim());
            if (v <= 0) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new Einsum4jException(LIMIT_PROPERTY + " must be a positive number of bytes, was '" + s + "'");
        }
    }

    /** Exact bytes and a readable size: {@code 640000000000000000 bytes (640.0 PB)}. */
    static String format(long bytes) {
        String[] units = {"kB", "MB", "GB", "TB", "PB", "EB"};
        double v = bytes;
        int u = -1;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        return bytes + " bytes" + (u < 0 ? "" : String.format(Locale.ROOT, " (%.1f %s)", v, units[u]));
    }
}
