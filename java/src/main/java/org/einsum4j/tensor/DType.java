package org.einsum4j.tensor;

/** Element types. FLOAT32 and FLOAT64 take part in contractions; INT64 holds indices (Embedding, .npy). */
public enum DType {
    FLOAT32(4, "<f4", "f32"),
    FLOAT64(8, "<f8", "f64"),
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

    /** The numpy dtype string of this type, little-endian ({@code <f4}, {@code <f8}, {@code <i8}). */
    public String npyDescr() {
        return npyDescr;
    }

    /** Short name as the command line takes it: f32, f64, i64. */
    public String shortName() {
        return shortName;
    }

    public boolean isFloating() {
        return this != INT64;
    }

    /** Parses {@code f32|float32|f64|float64|i64|int64}, case-insensitive. */
    public static DType parse(String s) {
        switch (s.toLowerCase(java.util.Locale.ROOT)) {
            case "f32": case "float32": return FLOAT32;
            case "f64": case "float64": return FLOAT64;
            case "i64": case "int64": return INT64;
            default:
                throw new IllegalArgumentException("unknown dtype '" + s + "' (expected f32, f64 or i64)");
        }
    }
}
