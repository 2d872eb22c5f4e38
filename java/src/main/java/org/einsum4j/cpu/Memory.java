package org.einsum4j.cpu;

import java.lang.reflect.Field;
import sun.misc.Unsafe;

/**
 * Raw access to off-heap host memory by address, for the CPU backend's kernels only (package-private; an
 * architecture test keeps Unsafe inside this package). Callers must keep addresses inside storage they hold
 * open; {@link org.einsum4j.tensor.HostAccess} checks that a tensor is open and on the host before handing
 * out its address.
 */
final class Memory {
    static final Unsafe U;

    static {
        try {
            Field f = Unsafe.class.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            U = (Unsafe) f.get(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Memory() {
    }

    static float getFloat(long address) {
        return U.getFloat(address);
    }

    static void putFloat(long address, float v) {
        U.putFloat(address, v);
    }

    static double getDouble(long address) {
        return U.getDouble(address);
    }

    static void putDouble(long address, double v) {
        U.putDouble(address, v);
    }

    static short getShort(long address) {
        return U.getShort(address);
    }

    static void putShort(long address, short v) {
        U.putShort(address, v);
    }

    static int getInt(long address) {
        return U.getInt(address);
    }

    static void putInt(long address, int v) {
        U.putInt(address, v);
    }

    static long getLong(long address) {
        return U.getLong(address);
    }

    static void putLong(long address, long v) {
        U.putLong(address, v);
    }

    static void copy(long from, long to, long bytes) {
        U.copyMemory(from, to, bytes);
    }

    static void zero(long address, long bytes) {
        U.setMemory(address, bytes, (byte) 0);
    }

    static void copyFromArray(float[] src, int srcPos, long to, long count) {
        U.copyMemory(src, Unsafe.ARRAY_FLOAT_BASE_OFFSET + 4L * srcPos, null, to, 4L * count);
    }

    static void copyFromArray(double[] src, int srcPos, long to, long count) {
        U.copyMemory(src, Unsafe.ARRAY_DOUBLE_BASE_OFFSET + 8L * srcPos, null, to, 8L * count);
    }

    static void copyFromArray(long[] src, int srcPos, long to, long count) {
        U.copyMemory(src, Unsafe.ARRAY_LONG_BASE_OFFSET + 8L * srcPos, null, to, 8L * count);
    }

    static void copyToArray(long from, float[] dst, int dstPos, long count) {
        U.copyMemory(null, from, dst, Unsafe.ARRAY_FLOAT_BASE_OFFSET + 4L * dstPos, 4L * count);
    }

    static void copyToArray(long from, double[] dst, int dstPos, long count) {
        U.copyMemory(null, from, dst, Unsafe.ARRAY_DOUBLE_BASE_OFFSET + 8L * dstPos, 8L * count);
    }

    static void copyToArray(long from, long[] dst, int dstPos, long count) {
        U.copyMemory(null, from, dst, Unsafe.ARRAY_LONG_BASE_OFFSET + 8L * dstPos, 8L * count);
    }
}
