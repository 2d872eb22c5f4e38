package org.einsum4j.tensor;

/**
 * Element types. FLOAT32 and FLOAT64 take part in every operation; FLOAT16 (IEEE binary16) and BFLOAT16 are
 * storage types for contractions: every kernel reads them, computes and accumulates in float32 and rounds once
 * (to nearest even, {@link HalfFloats}) when it writes its result. INT64 holds indices (Embedding, .npy).
 */
public enum DType {
    FLOAT32(4, "<f4", "f32"),
    FLOAT64(8, "<f8", "f64"),
    FLOAT16(2, "<f2", "f16"),
    /** No numpy dtype: {@link #npyDescr()} is null and .npy files refuse it. */
    BFLOAT16(2, null, "bf16"),
    INT64(8, "<i8", "i64");

    private final int byteSize;
    private final String npyDescr;
    private final String shortName;

    DType(int byteSize, String npyDescr, String shortName) {
        this.byteSize = byteSize;
        this.npyDescr = npyDescr;
        this.shortName = shortName;
    }

    public int byteSize() {
        return byteSize;
    }

    /** The numpy dtype string of this type, little-endian ({@code <f4}, {@code <f8}, {@code <f2}, {@code <i8}); null for BFLOAT16. */
    public String npyDescr() {
        return npyDescr;
    }

    /** Short name as the command line takes it: f32, f64, f16, bf16, i64. */
    public String shortName() {
        return shortName;
    }

    /** A floating type: FLOAT32, FLOAT64 or one of the 16-bit storage types. */
    public boolean isFloating() {
        return this != INT64;
    }

    /** FLOAT16 or BFLOAT16: 16-bit storage whose arithmetic and accumulation happen in float32. */
    public boolean isHalf() {
        return this == FLOAT16 || this == BFLOAT16;
    }

    /** Parses {@code f32|float32|f64|float64|f16|float16|half|bf16|bfloat16|i64|int64}, case-insensitive. */
    public static DType parse(String s) {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "f32": case "float32": return FLOAT32;
            case "f64": case "float64": return FLOAT64;
            case "f16": case "float16": case "half": return FLOAT16;
            case "bf16": case "bfloat16": return BFLOAT16;
            case "i64": case "int64": return INT64;
            default:
                throw new IllegalArgumentException("unknown dtype '" + s
                        + "' (expected f32, f64, f16, bf16 or i64; long forms float32, float64, float16, bfloat16, int64)");
        }
    }
}
