package org.einsum4j.tensor;

/**
 * Conversions between float and the 16-bit storage types, as {@code Float.floatToFloat16} / {@code float16ToFloat}
 * do on JDK 20+ (this library runs on 17): IEEE 754 binary16 ({@link DType#FLOAT16}: 1 sign, 5 exponent, 10
 * fraction bits, subnormals down to 2⁻²⁴) and bfloat16 ({@link DType#BFLOAT16}: float32's upper 16 bits, 8
 * fraction bits less). Narrowing rounds to nearest, ties to even, as IEEE 754's default mode, CUDA's
 * {@code __float2half_rn}/{@code __float2bfloat16_rn} and numpy's {@code astype(float16)} do: values beyond the
 * largest finite value plus half an ulp become infinities, values at or below half the smallest subnormal become
 * signed zeros. NaNs stay NaNs (quiet, sign and leading payload bits kept). Widening is exact.
 */
public final class HalfFloats {
    private HalfFloats() {
    }

    /** The binary16 bit pattern nearest to {@code f} (ties to even). */
    public static short toFloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7f_ffff;
        if (exp == 0xff) {
            // infinity, or a NaN kept quiet with its leading payload bits
            return (short) (sign | 0x7c00 | (mant == 0 ? 0 : 0x200 | (mant >>> 13)));
        }
        int e = exp - 127 + 15; // binary16 biased exponent
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        int shift;
        int significand;
        if (e <= 0) {
            // a binary16 subnormal (or zero): the implicit bit joins the fraction, shifted further right
            if (e < -10) {
                return (short) sign; // below half the smallest subnormal (2^-25): rounds to zero
            }
            significand = mant | 0x80_0000;
            shift = 14 - e;
            e = 0;
        } else {
            significand = mant;
            shift = 13;
        }
        int kept = significand >>> shift;
        int rest = significand & ((1 << shift) - 1);
        int half = 1 << (shift - 1);
        if (rest > half || (rest == half && (kept & 1) != 0)) {
            kept++; // a carry into the exponent field is right: it moves to the next binade (or to infinity)
        }
        return (short) (sign | ((e << 10) + kept));
    }

    /** The exact float value of a binary16 bit pattern. */
    public static float fromFloat16(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f80_0000 | (mant << 13));
        }
        if (exp == 0) {
            float v = mant * 0x1p-24f; // exact: at most 10 significant bits times a power of two
            return sign == 0 ? v : -v;
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    /** The bfloat16 bit pattern nearest to {@code f} (ties to even). */
    public static short toBfloat16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7f80_0000) == 0x7f80_0000 && (bits & 0x7f_ffff) != 0) {
            return (short) ((bits >>> 16) | 0x40); // NaN: quiet, so truncating the payload cannot make an infinity
        }
        // adding 0x7fff plus the kept part's lowest bit rounds to nearest even; a carry moves up a binade (or to ∞)
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** The exact float value of a bfloat16 bit pattern. */
    public static float fromBfloat16(short b) {
        return Float.intBitsToFloat((b & 0xffff) << 16);
    }

    /** {@code f} rounded to {@code dtype}'s bit pattern (FLOAT16 or BFLOAT16). */
    public static short narrow(DType dtype, float f) {
        return dtype == DType.BFLOAT16 ? toBfloat16(f) : toFloat16(f);
    }

    /**
     * {@code d} rounded once to {@code dtype}'s bit pattern (FLOAT16 or BFLOAT16). Not {@code narrow(dtype, (float) d)}:
     * rounding to float first can land exactly on a midpoint of the 16-bit type and round again the wrong way. The
     * float step rounds to odd instead (an inexact result keeps a set lowest bit), which with float's 13 (binary16)
     * or 16 (bfloat16) extra bits makes the second rounding the correctly rounded one (Boldo and Melquiond,
     * "Emulation of FMA and correctly rounded sums: proved algorithms using rounding to odd", 2008).
     */
    public static short narrowDouble(DType dtype, double d) {
        return narrow(dtype, roundToOddFloat(d));
    }

    static float roundToOddFloat(double d) {
        float f = (float) d;
        if (Double.isNaN(d) || Float.isInfinite(f) || (double) f == d) {
            return f;
        }
        if ((Float.floatToRawIntBits(f) & 1) == 0) {
            f = f > d ? Math.nextDown(f) : Math.nextUp(f); // the odd neighbour on d's side
        }
        return f;
    }

    /** The value of a FLOAT16 or BFLOAT16 bit pattern. */
    public static float widen(DType dtype, short bits) {
        return dtype == DType.BFLOAT16 ? fromBfloat16(bits) : fromFloat16(bits);
    }
}
