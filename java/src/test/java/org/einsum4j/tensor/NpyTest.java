package org.einsum4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.einsum4j.Einsum4jException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** .npy reading and writing, against fixtures written by numpy (resources/npy, made by make_npy_fixtures.py). */
class NpyTest {

    private static Tensor fixture(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource /npy/" + name);
            }
            return Npy.read(in, name);
        }
    }

    private static byte[] fixtureBytes(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void readsFloat32MatrixWrittenByNumpy() throws IOException {
        try (Tensor t = fixture("f4_2x3.npy")) {
            assertEquals(DType.FLOAT32, t.dtype());
            assertEquals(Shape.of(2, 3), t.shape());
            assertArrayEquals(new float[] {-1.0f, -0.75f, -0.5f, -0.25f, 0f, 0.25f}, t.toFloatArray());
        }
    }

    @Test
    void readsFloat64Rank3WrittenByNumpy() throws IOException {
        try (Tensor t = fixture("f8_2x3x4.npy")) {
            assertEquals(DType.FLOAT64, t.dtype());
            assertEquals(Shape.of(2, 3, 4), t.shape());
            double[] want = new double[24];
            for (int i = 0; i < 24; i++) {
                want[i] = i * 0.5 - 3.0;
            }
            assertArrayEquals(want, t.toDoubleArray());
            assertEquals(0.5 * 23 - 3.0, t.get(1, 2, 3));
        }
    }

    @Test
    void readsInt64IncludingLargeValues() throws IOException {
        try (Tensor t = fixture("i8_5.npy")) {
            assertEquals(DType.INT64, t.dtype());
            assertArrayEquals(new long[] {-3, 0, 7, 1L << 40, -(1L << 62)}, t.toLongArray());
        }
    }

    @Test
    void readsZeroDimensionalArray() throws IOException {
        try (Tensor t = fixture("f8_scalar.npy")) {
            assertEquals(0, t.rank());
            assertEquals(3.25, t.get());
        }
    }

    @Test
    void readsEmptyArray() throws IOException {
        try (Tensor t = fixture("f4_0x3.npy")) {
            assertEquals(Shape.of(0, 3), t.shape());
            assertEquals(0, t.numel());
        }
    }

    @Test
    void readsFormatVersion2() throws IOException {
        try (Tensor t = fixture("f8_v2_3.npy")) {
            assertArrayEquals(new double[] {1.5, -2.5, 1e300}, t.toDoubleArray());
        }
    }

    @Test
    void writesTheSameBytesAsNumpy() throws IOException {
        for (String name : new String[] {"f4_2x3.npy", "f8_2x3x4.npy", "i8_5.npy", "f8_scalar.npy", "f4_0x3.npy"}) {
            byte[] numpy = fixtureBytes(name);
            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            try (Tensor t = fixture(name)) {
                Npy.write(t, ours);
            }
            assertArrayEquals(numpy, ours.toByteArray(), name);
        }
    }

    @Test
    void rejectsFortranOrderNamingFileAndDescr() {
        Einsum4jException e = assertThrows(Einsum4jException.class, () -> fixture("f4_fortran_3x2.npy"));
        assertTrue(e.getMessage().contains("f4_fortran_3x2.npy"), e.getMessage());
        assertTrue(e.getMessage().contains("fortran_order"), e.getMessage());
        assertTrue(e.getMessage().contains("<f4"), e.getMessage());
    }

    @Test
    void rejectsBigEndian() {
        Einsum4jException e = assertThrows(Einsum4jException.class, () -> fixture("f4_bigendian.npy"));
        assertTrue(e.getMessage().contains("f4_bigendian.npy"), e.getMessage());
        assertTrue(e.getMessage().contains("big-endian") && e.getMessage().contains(">f4"), e.getMessage());
    }

    @Test
    void rejectsUnsupportedDtype() {
        Einsum4jException e = assertThrows(Einsum4jException.class, () -> fixture("i4_3.npy"));
        assertTrue(e.getMessage().contains("i4_3.npy") && e.getMessage().contains("<i4"), e.getMessage());
    }

    @Test
    void rejectsNonNpyAndTruncatedData() throws IOException {
        Einsum4jException notNpy = assertThrows(Einsum4jException.class,
                () -> Npy.read(new ByteArrayInputStream("hello world, not numpy".getBytes()), "x.txt"));
        assertTrue(notNpy.getMessage().startsWith("x.txt: not a .npy file"), notNpy.getMessage());

        byte[] full = fixtureBytes("f8_2x3x4.npy");
        byte[] cut = Arrays.copyOf(full, full.length - 8);
        Einsum4jException truncated = assertThrows(Einsum4jException.class,
                () -> Npy.read(new ByteArrayInputStream(cut), "cut.npy"));
        assertTrue(truncated.getMessage().contains("cut.npy") && truncated.getMessage().contains("ends early"),
                truncated.getMessage());
    }

    @Test
    void roundTripsEveryDtypeThroughAFile(@TempDir Path dir) {
        for (DType dtype : DType.values()) {
            if (dtype.npyDescr() == null) {
                try (Tensor t = Tensor.random(dtype, 42, 3)) {
                    org.einsum4j.Einsum4jException e = org.junit.jupiter.api.Assertions.assertThrows(
                            org.einsum4j.Einsum4jException.class, () -> Npy.write(t, dir.resolve("x.npy")));
                    org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("numpy has no " + dtype),
                            e.getMessage());
                }
                continue;
            }
            for (int[] dims : new int[][] {{}, {0}, {7}, {3, 0, 2}, {2, 3, 5}, {70000}}) {
                Path file = dir.resolve(dtype.shortName() + "_" + dims.length + ".npy");
                try (Tensor t = Tensor.random(dtype, 42, dims)) {
                    Npy.write(t, file);
                    try (Tensor back = Npy.read(file)) {
                        assertEquals(dtype, back.dtype());
                        assertEquals(t.shape(), back.shape());
                        assertArrayEquals(t.toDoubleArray(), back.toDoubleArray(), dtype + " " + t.shape());
                    }
                }
            }
        }
    }

    @Test
    void writesNonContiguousViewsInCOrder(@TempDir Path dir) {
        Path file = dir.resolve("t.npy");
        try (Tensor t = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3); Tensor v = t.transpose()) {
            Npy.write(v, file);
            try (Tensor back = Npy.read(file)) {
                assertEquals(Shape.of(3, 2), back.shape());
                assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, back.toDoubleArray());
            }
        }
    }

    @Test
    void headerIsPaddedTo64BytesAndEndsWithNewline() {
        byte[] h = Npy.header(DType.FLOAT64, Shape.of(2, 3));
        assertEquals(0, h.length % 64);
        assertEquals('\n', h[h.length - 1]);
    }

    @Test
    void missingFileIsAnEinsum4jExceptionNamingIt(@TempDir Path dir) {
        Path missing = dir.resolve("nope.npy");
        Einsum4jException e = assertThrows(Einsum4jException.class, () -> Npy.read(missing));
        assertTrue(e.getMessage().contains("nope.npy"), e.getMessage());
        assertTrue(Files.notExists(missing));
    }
}
