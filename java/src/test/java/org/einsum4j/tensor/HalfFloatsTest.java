package org.einsum4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The 16-bit conversions against two independent references: numpy's float16 (golden files made by
 * {@code golden/half/make_half_golden.py}) and a reference written here from the IEEE 754 definition of rounding to
 * nearest, ties to even: the sorted list of every finite non-negative value of the type, the neighbours of |x| in it,
 * their midpoint (exact in double) deciding, the even bit pattern winning a tie, the first value past the largest
 * finite one (2¹⁶ for binary16, 2¹²⁸ for bfloat16) standing for infinity. Every one of the 65,536 bit patterns of
 * both types is checked, and every midpoint between neighbours with one float ulp either side.
 */
class HalfFloatsTest {
    /** The definition-based reference for one 16-bit type. */
    private static final class Reference {
        final double[] values; // ascending, non-negative, finite, then the overflow threshold value
        final short[] patterns; // the bit pattern of each value (infinity's for the last)

        Reference(DType dtype) {
            List<double[]> v = new ArrayList<>();
            for (int bits = 0; bits < 0x8000; bits++) {
                float f = HalfFloats.widen(dtype, (short) bits);
                if (Float.isFinite(f)) {
                    v.add(new double[] {f, bits});
                }
            }
            v.sort((a, b) -> Double.compare(a[0], b[0]));
            int n = v.size();
            values = new double[n + 1];
            patterns = new short[n + 1];
            for (int i = 0; i < n; i++) {
                values[i] = v.get(i)[0];
                patterns[i] = (short) v.get(i)[1];
            }
            // the value one ulp past the largest finite value, as if the exponent range went on: rounds to infinity
            double max = values[n - 1];
            double ulp = max - values[n - 2];
            values[n] = max + ulp;
            patterns[n] = (short) (dtype == DType.BFLOAT16 ? 0x7f80 : 0x7c00);
        }

        short round(double x) {
            short sign = (short) (Double.doubleToRawLongBits(x) < 0 ? 0x8000 : 0);
            double a = Math.abs(x);
            int n = values.length;
            if (a >= values[n - 1]) {
                return (short) (sign | patterns[n - 1]);
            }
            int i = java.util.Arrays.binarySearch(values, a);
            if (i >= 0) {
                return (short) (sign | patterns[i]);
            }
            int hi = -i - 1;
            int lo = hi - 1;
            double mid = (values[lo] + values[hi]) / 2; // exact: both have at most 11 significant bits, 2^-24 apart
            int pick = a < mid ? lo : a > mid ? hi : (patterns[lo] & 1) == 0 ? lo : hi;
            return (short) (sign | patterns[pick]);
        }
    }

    private static final Reference HALF = new Reference(DType.FLOAT16);
    private static final Reference BF16 = new Reference(DType.BFLOAT16);

    private static InputStream resource(String name) {
        InputStream in = HalfFloatsTest.class.getResourceAsStream("/golden/half/" + name);
        assertTrue(in != null, name + " missing from the test resources");
        return in;
    }

    private static boolean isNaN16(DType dtype, short bits) {
        return Float.isNaN(HalfFloats.widen(dtype, bits));
    }

    @Test
    void everyFloat16PatternWidensAsNumpyDoes() throws IOException {
        byte[] golden;
        try (InputStream in = resource("f16_to_f32.bin")) {
            golden = in.readAllBytes();
        }
        ByteBuffer b = ByteBuffer.wrap(golden).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(65536 * 4, golden.length);
        for (int i = 0; i < 65536; i++) {
            int bits = i;
            int want = b.getInt(4 * bits);
            int got = Float.floatToRawIntBits(HalfFloats.fromFloat16((short) bits));
            assertEquals(want, got, () -> String.format("float16 0x%04x", bits));
        }
    }

    @Test
    void floatsNarrowToFloat16AsNumpyDoes() throws IOException {
        try (DataInputStream in = new DataInputStream(new GZIPInputStream(resource("f32_to_f16.bin.gz")))) {
            byte[] head = in.readNBytes(4);
            int n = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).getInt();
            ByteBuffer xs = ByteBuffer.wrap(in.readNBytes(4 * n)).order(ByteOrder.LITTLE_ENDIAN);
            ByteBuffer ys = ByteBuffer.wrap(in.readNBytes(2 * n)).order(ByteOrder.LITTLE_ENDIAN);
            assertTrue(n > 250_000, "golden inputs: " + n);
            int nans = 0;
            for (int i = 0; i < n; i++) {
                float x = Float.intBitsToFloat(xs.getInt(4 * i));
                short want = ys.getShort(2 * i);
                short got = HalfFloats.toFloat16(x);
                if (Float.isNaN(x)) {
                    // NaN payloads are implementation-defined: a NaN of the same sign
                    nans++;
                    assertTrue(isNaN16(DType.FLOAT16, got) && (got & 0x8000) == (want & 0x8000), "NaN " + x);
                } else {
                    int k = i;
                    assertEquals(want, got, () -> String.format("float %s (0x%08x): numpy 0x%04x, ours 0x%04x", x,
                            xs.getInt(4 * k), want, got));
                }
            }
            assertTrue(nans > 0, "the random inputs include NaNs");
        }
    }

    /** Every value, every midpoint between neighbours, one float ulp either side: against the definition. */
    private static void checkAllPatterns(DType dtype, Reference ref) {
        for (int i = 0; i < 65536; i++) {
            int bits = i;
            short h = (short) bits;
            float v = HalfFloats.widen(dtype, h);
            if (Float.isNaN(v)) {
                assertTrue(isNaN16(dtype, HalfFloats.narrow(dtype, v)), "NaN stays NaN");
                continue;
            }
            assertEquals(h, HalfFloats.narrow(dtype, v), () -> String.format("%s 0x%04x round trip", dtype, bits));
            assertEquals(h, HalfFloats.narrowDouble(dtype, v));
            if (Float.isInfinite(v)) {
                continue;
            }
            float next = HalfFloats.widen(dtype, (short) (bits + 1));
            double up = Float.isFinite(next) ? next : Math.copySign(ref.values[ref.values.length - 1], v);
            if ((bits & 0x7fff) == 0x7fff || Float.isNaN(next)) {
                continue;
            }
            float mid = (float) ((v + up) / 2);
            assertEquals((v + up) / 2, mid, 0.0, "midpoints are floats");
            for (float x : new float[] {mid, Math.nextUp(mid), Math.nextDown(mid)}) {
                assertEquals(ref.round(x), HalfFloats.narrow(dtype, x),
                        () -> String.format("%s: float %s near 0x%04x", dtype, x, bits));
                assertEquals(ref.round(x), HalfFloats.narrowDouble(dtype, x));
            }
        }
    }

    @Test
    void float16RoundsToNearestEvenAtEveryPatternAndMidpoint() {
        checkAllPatterns(DType.FLOAT16, HALF);
    }

    @Test
    void bfloat16RoundsToNearestEvenAtEveryPatternAndMidpoint() {
        checkAllPatterns(DType.BFLOAT16, BF16);
        for (int bits = 0; bits < 65536; bits++) {
            assertEquals(bits << 16, Float.floatToRawIntBits(HalfFloats.fromBfloat16((short) bits)), "bfloat16 is float's top half");
        }
    }

    @Test
    void randomFloatsRoundAsTheDefinitionSays() {
        SplittableRandom r = new SplittableRandom(8);
        for (int i = 0; i < 500_000; i++) {
            float x = Float.intBitsToFloat(r.nextInt());
            if (Float.isNaN(x)) {
                continue;
            }
            assertEquals(HALF.round(x), HalfFloats.toFloat16(x), () -> "float16 of " + x);
            assertEquals(BF16.round(x), HalfFloats.toBfloat16(x), () -> "bfloat16 of " + x);
        }
    }

    /**
     * Doubles just off a midpoint, where rounding to float first would land on the midpoint and round again the wrong
     * way: narrowDouble rounds once.
     */
    @Test
    void doublesRoundOnceNotThroughFloat() {
        SplittableRandom r = new SplittableRandom(9);
        int doubleRoundingTraps = 0;
        for (Reference ref : new Reference[] {HALF, BF16}) {
            DType dt = ref == HALF ? DType.FLOAT16 : DType.BFLOAT16;
            for (int i = 0; i < 200_000; i++) {
                int k = r.nextInt(ref.values.length - 2);
                double mid = (ref.values[k] + ref.values[k + 1]) / 2;
                double x = mid + (r.nextBoolean() ? 1 : -1) * Math.ulp(mid) * r.nextInt(1, 1 << 20);
                x = r.nextBoolean() ? x : -x;
                short want = ref.round(x);
                assertEquals(want, HalfFloats.narrowDouble(dt, x), "narrowDouble of " + x);
                if (HalfFloats.narrow(dt, (float) x) != want) {
                    doubleRoundingTraps++;
                }
            }
        }
        assertTrue(doubleRoundingTraps > 1000, "the inputs include cases where float-then-half rounds twice: "
                + doubleRoundingTraps);
    }

    @Test
    void specialValues() {
        assertEquals((short) 0x7c00, HalfFloats.toFloat16(Float.POSITIVE_INFINITY));
        assertEquals((short) 0xfc00, HalfFloats.toFloat16(Float.NEGATIVE_INFINITY));
        assertEquals((short) 0x8000, HalfFloats.toFloat16(-0.0f));
        assertEquals((short) 0x7bff, HalfFloats.toFloat16(65504f));
        assertEquals((short) 0x7bff, HalfFloats.toFloat16(65519.996f));
        assertEquals((short) 0x7c00, HalfFloats.toFloat16(65520f), "max + half ulp ties to even: infinity");
        assertEquals((short) 0x0001, HalfFloats.toFloat16(0x1p-24f), "smallest subnormal");
        assertEquals((short) 0x0000, HalfFloats.toFloat16(0x1p-25f), "half of it ties to even zero");
        assertEquals((short) 0x0001, HalfFloats.toFloat16(Math.nextUp(0x1p-25f)));
        assertEquals((short) 0x0400, HalfFloats.toFloat16(0x1p-14f), "smallest normal");
        assertEquals((short) 0x0400, HalfFloats.toFloat16(0x1.ffcp-15f + 0x1p-26f), "subnormal rounding up to normal");
        assertEquals((short) 0x3c00, HalfFloats.toFloat16(1f));
        assertEquals((short) 0x3c00, HalfFloats.toFloat16(1f + 0x1p-11f), "tie at 1 + ulp/2: even (1)");
        assertEquals((short) 0x3c02, HalfFloats.toFloat16(1f + 3 * 0x1p-11f), "tie at 1 + 3ulp/2: even (1 + 2ulp)");
        assertTrue(Float.isNaN(HalfFloats.fromFloat16(HalfFloats.toFloat16(Float.NaN))));
        assertTrue(Float.isNaN(HalfFloats.fromFloat16(HalfFloats.toFloat16(Float.intBitsToFloat(0x7f800001)))),
                "a NaN whose payload is all below binary16's fraction stays a NaN");
        assertEquals((short) 0x7f80, HalfFloats.toBfloat16(Float.POSITIVE_INFINITY));
        assertEquals((short) 0x7f80, HalfFloats.toBfloat16(Float.MAX_VALUE), "float max rounds past bfloat16 max");
        assertEquals((short) 0x3f80, HalfFloats.toBfloat16(1f + 0x1p-8f), "tie: even (1)");
        assertEquals((short) 0x3f82, HalfFloats.toBfloat16(1f + 3 * 0x1p-8f), "tie: even");
        assertTrue(Float.isNaN(HalfFloats.fromBfloat16(HalfFloats.toBfloat16(Float.intBitsToFloat(0x7f800001)))));
        assertEquals((short) 0x0001, HalfFloats.toBfloat16(Float.intBitsToFloat(0x00008001)), "float subnormal");
    }
}
