package org.einsum4j.testing;

/** For tests of settings read from system properties on each call: one set for the duration of a block. */
public final class SystemProperties {
    private SystemProperties() {
    }

    /** Runs {@code body} with {@code key} set to {@code value}, then restores what was there (or nothing). */
    public static void with(String key, String value, Runnable body) {
        String old = System.getProperty(key);
        System.setProperty(key, value);
        try {
            body.run();
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }
}
