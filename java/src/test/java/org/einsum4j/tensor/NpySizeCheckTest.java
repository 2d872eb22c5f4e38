package org.einsum4j.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.einsum4j.Einsum4jException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A .npy header that claims more data than the file holds is refused before anything is allocated (issue 13
 * item 2: a 153-byte file claiming 3 GB allocated 3 GB first).
 */
class NpySizeCheckTest {
    /** A valid header for {@code shape} of float32 followed by {@code dataBytes} zero bytes. */
    static byte[] file(int[] shape, int dataBytes) {
        byte[] header = Npy.header(DType.FLOAT32, Shape.of(shape));
        byte[] all = new byte[header.length + dataBytes];
        System.arraycopy(header, 0, all, 0, header.length);
        return all;
    }

    @Test
    void fileClaimingGigabytesIsRefusedFromItsSize(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("liar.npy");
        byte[] bytes = file(new int[] {1000, 1000, 750}, 25); // header says 3 GB
        Files.write(p, bytes);
        long t0 = System.nanoTime();
        Einsum4jException e = assertThrows(Einsum4jException.class, () -> Npy.read(p));
        assertTrue(System.nanoTime() - t0 < 500_000_000L, "refused late");
        assertTrue(e.getMessage().contains("3000000000 bytes") && e.getMessage().contains("holds 25 bytes"),
                e.getMessage());
    }

    @Test
    void streamClaimingGigabytesIsRefusedWhenItEnds() {
        byte[] bytes = file(new int[] {1 << 20, 1 << 10}, 100); // 4 TiB claimed: never allocatable
        Einsum4jException e = assertThrows(Einsum4jException.class,
                () -> Npy.read(new ByteArrayInputStream(bytes), "stream"));
        assertTrue(e.getMessage().contains("ends after 100"), e.getMessage());
    }

    @Test
    void headerLengthBeyondTheFileIsRefused() {
        byte[] bytes = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 2, 0, 0, 0, (byte) 0xff, 0}; // header of 16 MiB
        assertThrows(Einsum4jException.class, () -> Npy.read(new ByteArrayInputStream(bytes), "short"));
    }

    @Test
    void exactFilesStillRead(@TempDir Path dir) throws Exception {
        Path p = dir.resolve("ok.npy");
        try (Tensor t = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3)) {
            Npy.write(t, p);
        }
        try (Tensor r = Npy.read(p);
             Tensor s = Npy.read(new ByteArrayInputStream(Files.readAllBytes(p)), "ok")) {
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, r.toFloatArray());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, s.toFloatArray());
        }
    }
}
