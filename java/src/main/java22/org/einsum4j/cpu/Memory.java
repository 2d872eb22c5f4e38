package org.einsum4j.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Raw access to off-heap host memory by address, for the CPU backend's kernels only: the JDK 22+ version of
 * this class (in the multi-release jar under {@code META-INF/versions/22}), through {@code java.lang.foreign}
 * instead of {@code sun.misc.Unsafe}, whose memory-access methods are terminally deprecated (JDK 24 warns, and
 * {@code --sun-misc-unsafe-memory-access=deny}, the future default, makes them throw). Same methods and
 * contract as the JDK 17 version: callers keep addresses inside storage they hold open.
 *
 * <p>One segment spans the whole address space ({@code reinterpret}, a restricted method: the CLI jar's
 * manifest enables native access, library users pass {@code --enable-native-access=ALL-UNNAMED}, as JavaCPP's
 * {@code System.load} already needs); the JIT turns its accesses into plain loads and stores.
 */
final class Memory {
    private static final MemorySegment ALL = MemorySegment.NULL.reinterpret(Long.MAX_VALUE);
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfDouble D = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    private static final ValueLayout.OfShort S = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt I = ValueLayout.JAVA_INT_UNALIGNED;
    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    private Memory() {
    }

    static float getFloat(long address) {
        return ALL.get(F, address);
    }

    static void putFloat(long address, float v) {
        ALL.set(F, address, v);
    }

    static double getDouble(long address) {
        return ALL.get(D, address);
    }

    static void putDouble(long address, double v) {
        ALL.set(D, address, v);
    }

    static short getShort(long address) {
        return ALL.get(S, address);
    }

    static void putShort(long address, short v) {
        ALL.set(S, address, v);
    }

    static int getInt(long address) {
        return ALL.get(I, address);
    }

    static void putInt(long address, int v) {
        ALL.set(I, address, v);
    }

    static long getLong(long address) {
        return ALL.get(L, address);
    }

    static void putLong(long address, long v) {
        ALL.set(L, address, v);
    }

    static void copy(long from, long to, long bytes) {
        MemorySegment.copy(ALL, from, ALL, to, bytes);
    }

    static void zero(long address, long bytes) {
        ALL.asSlice(address, bytes).fill((byte) 0);
    }

    static void copyFromArray(float[] src, int srcPos, long to, long count) {
        MemorySegment.copy(src, srcPos, ALL, F, to, Math.toIntExact(count));
    }

    static void copyFromArray(double[] src, int srcPos, long to, long count) {
        MemorySegment.copy(src, srcPos, ALL, D, to, Math.toIntExact(count));
    }

    static void copyFromArray(long[] src, int srcPos, long to, long count) {
        MemorySegment.copy(src, srcPos, ALL, L, to, Math.toIntExact(count));
    }

    static void copyToArray(long from, float[] dst, int dstPos, long count) {
        MemorySegment.copy(ALL, F, from, dst, dstPos, Math.toIntExact(count));
    }

    static void copyToArray(long from, double[] dst, int dstPos, long count) {
        MemorySegment.copy(ALL, D, from, dst, dstPos, Math.toIntExact(count));
    }

    static void copyToArray(long from, long[] dst, int dstPos, long count) {
        MemorySegment.copy(ALL, L, from, dst, dstPos, Math.toIntExact(count));
    }
}
