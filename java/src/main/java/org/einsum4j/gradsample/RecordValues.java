package org.einsum4j.gradsample;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;

/**
 * Value semantics for layer records with {@code int[]} components (kernel sizes, normalized shapes): a record's
 * generated equals/hashCode compare arrays by identity, so {@code new Conv(...k=[3,3]...)} would differ from an
 * equal one. Each such record delegates its equals/hashCode/toString here in one line instead of listing its
 * components by hand; arrays are compared, hashed and printed by content. Reads the record's own accessors
 * (which return copies: correct, and only on these cold paths).
 */
final class RecordValues {
    private RecordValues() {
    }

    static boolean equals(Record a, Object b) {
        if (a == b) {
            return true;
        }
        if (b == null || b.getClass() != a.getClass()) {
            return false;
        }
        for (RecordComponent c : a.getClass().getRecordComponents()) {
            if (!java.util.Objects.deepEquals(value(c, a), value(c, b))) {
                return false;
            }
        }
        return true;
    }

    static int hashCode(Record a) {
        RecordComponent[] cs = a.getClass().getRecordComponents();
        Object[] values = new Object[cs.length];
        for (int i = 0; i < cs.length; i++) {
            values[i] = value(cs[i], a);
        }
        return Arrays.deepHashCode(values);
    }

    /** {@code Name[a=1, kernel=[3, 3]]}, as a record prints itself but with array contents. */
    static String toString(Record a) {
        StringBuilder sb = new StringBuilder(a.getClass().getSimpleName()).append('[');
        RecordComponent[] cs = a.getClass().getRecordComponents();
        for (int i = 0; i < cs.length; i++) {
            Object v = value(cs[i], a);
            sb.append(i > 0 ? ", " : "").append(cs[i].getName()).append('=')
                    .append(v instanceof int[] ints ? Arrays.toString(ints) : String.valueOf(v));
        }
        return sb.append(']').toString();
    }

    private static Object value(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + record.getClass(), e);
        }
    }
}
