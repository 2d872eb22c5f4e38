package org.einsum4j.nn;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.GZIPInputStream;

/**
 * The handwritten-digits data set bundled with the library: 1,797 8×8 images (values 0..16, scaled to [0, 1]) in
 * ten classes, from the UCI "Optical Recognition of Handwritten Digits" (Alpaydin, Kaynak 1998) as scikit-learn
 * ships it; CC BY 4.0, attribution in {@code org/einsum4j/nn/digits/README.md} beside the data.
 */
public final class Digits {
    static final String RESOURCE = "digits/digits.csv.gz";

    private Digits() {
    }

    /** All 1,797 images as {@code [1, 8, 8]} rows. */
    public static Dataset load() {
        try (InputStream raw = Digits.class.getResourceAsStream(RESOURCE)) {
            if (raw == null) {
                throw new NnException("digits data set missing from the class path (" + RESOURCE + ")");
            }
            BufferedReader in = new BufferedReader(new InputStreamReader(new GZIPInputStream(raw),
                    StandardCharsets.US_ASCII));
            float[] data = new float[1797 * 64];
            int[] labels = new int[1797];
            int n = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(",");
                if (f.length != 65 || n == labels.length) {
                    throw new NnException("digits data set: line " + (n + 1) + " has " + f.length
                            + " fields (expected 65) or there are more than 1797 lines");
                }
                for (int j = 0; j < 64; j++) {
                    data[n * 64 + j] = Integer.parseInt(f[j].trim()) / 16f;
                }
                labels[n++] = Integer.parseInt(f[64].trim());
            }
            if (n != labels.length) {
                throw new NnException("digits data set: " + n + " images, expected 1797");
            }
            return new Dataset(data, labels, new int[] {1, 8, 8}, 10);
        } catch (IOException e) {
            throw new UncheckedIOException("reading the digits data set", e);
        }
    }
}
