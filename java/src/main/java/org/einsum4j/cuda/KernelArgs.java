package org.einsum4j.cuda;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A kernel's arguments in order, each with its C type (native/KERNELS.md "Argument types"): device pointers and
 * {@code int64} as {@code long}, {@code int}, {@code float}, {@code double}, and structs by value as their exact
 * little-endian bytes. The real driver lays each argument out 8-byte aligned for {@code kernelParams}; the
 * recording fake keeps the list, so tests compare the values a launch got.
 */
final class KernelArgs {
    /** One argument: its kind and value (a {@code Long}, {@code Integer}, {@code Short}, {@code Float}, {@code Double}, {@code byte[]}). */
    record Arg(Kind kind, Object value) {
        @Override
        public String toString() {
            return kind == Kind.STRUCT ? "struct[" + ((byte[]) value).length + "]" : kind.name().toLowerCase() + " " + value;
        }
    }

    enum Kind { PTR, I64, I32, I16, F32, F64, STRUCT }

    private final List<Arg> args = new ArrayList<>();

    KernelArgs ptr(long devicePtr) {
        args.add(new Arg(Kind.PTR, devicePtr));
        return this;
    }

    KernelArgs i64(long v) {
        args.add(new Arg(Kind.I64, v));
        return this;
    }

    KernelArgs i32(int v) {
        args.add(new Arg(Kind.I32, v));
        return this;
    }

    /** A 16-bit value: the bit pattern of a {@code __half} or {@code __nv_bfloat16} (fill_f16/bf16's value). */
    KernelArgs i16(short v) {
        args.add(new Arg(Kind.I16, v));
        return this;
    }

    KernelArgs f32(float v) {
        args.add(new Arg(Kind.F32, v));
        return this;
    }

    KernelArgs f64(double v) {
        args.add(new Arg(Kind.F64, v));
        return this;
    }

    KernelArgs struct(byte[] bytes) {
        args.add(new Arg(Kind.STRUCT, bytes.clone()));
        return this;
    }

    List<Arg> list() {
        return Collections.unmodifiableList(args);
    }

    int size() {
        return args.size();
    }

    /** The i-th argument's value as a long (pointers, int64, int). */
    long longAt(int i) {
        return ((Number) args.get(i).value()).longValue();
    }

    /** The i-th argument's value as a double (float, double). */
    double doubleAt(int i) {
        return ((Number) args.get(i).value()).doubleValue();
    }

    /** The i-th argument's struct bytes, little-endian. */
    ByteBuffer structAt(int i) {
        return ByteBuffer.wrap((byte[]) args.get(i).value()).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Byte offset of each argument in {@link #pack}'s buffer (each 8-byte aligned). */
    int[] offsets() {
        int[] o = new int[args.size()];
        int at = 0;
        for (int i = 0; i < o.length; i++) {
            o[i] = at;
            at += (bytesOf(args.get(i)) + 7) & ~7;
        }
        return o;
    }

    /** All arguments' bytes, each at its {@link #offsets()} entry. */
    ByteBuffer pack() {
        int[] o = offsets();
        int total = o.length == 0 ? 8 : o[o.length - 1] + ((bytesOf(args.get(o.length - 1)) + 7) & ~7);
        ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < o.length; i++) {
            Arg a = args.get(i);
            switch (a.kind()) {
                case PTR, I64 -> b.putLong(o[i], (Long) a.value());
                case I32 -> b.putInt(o[i], (Integer) a.value());
                case I16 -> b.putShort(o[i], (Short) a.value());
                case F32 -> b.putFloat(o[i], (Float) a.value());
                case F64 -> b.putDouble(o[i], (Double) a.value());
                case STRUCT -> b.put(o[i], (byte[]) a.value());
            }
        }
        return b;
    }

    private static int bytesOf(Arg a) {
        return switch (a.kind()) {
            case PTR, I64, F64 -> 8;
            case I32, F32 -> 4;
            case I16 -> 2;
            case STRUCT -> ((byte[]) a.value()).length;
        };
    }

    @Override
    public String toString() {
        return args.toString();
    }
}
