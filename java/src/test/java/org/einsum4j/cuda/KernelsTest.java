package org.einsum4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The build packs kernels.fatbin whenever nvcc is on the PATH (the same PATH the tests run with). */
class KernelsTest {

    private static boolean nvccOnPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            File f = new File(dir.isEmpty() ? "." : dir, "nvcc");
            if (f.isFile() && f.canExecute()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void fatbinIsPackedWhenNvccWasPresent() {
        assumeTrue(nvccOnPath(), "nvcc is not on the PATH, so the build skipped kernels.fatbin: nothing to check");
        byte[] f = Kernels.fatbin().orElseThrow(() -> new AssertionError(
                "nvcc is on the PATH but " + Kernels.RESOURCE + " is not on the classpath"));
        assertTrue(Kernels.available());
        assertTrue(f.length > 16, "fatbin of " + f.length + " bytes");
        ByteBuffer b = ByteBuffer.wrap(f).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(Kernels.FATBIN_MAGIC, b.getInt(0), String.format("magic 0x%08X", b.getInt(0)));
        // header: magic, u16 version, u16 header size, u64 size of the entries that follow
        assertEquals(f.length, b.getShort(6) + b.getLong(8), "fatbin size in its header");
    }

    @Test
    void fatbinHoldsSassForSm80AndSm90AndPtxForCompute90() {
        assumeTrue(Kernels.available(), "kernels.fatbin was not built (no nvcc at build time)");
        ByteBuffer b = ByteBuffer.wrap(Kernels.fatbin().orElseThrow()).order(ByteOrder.LITTLE_ENDIAN);
        // entries: u16 kind (1 PTX, 2 ELF/SASS), u16, u32 header size, u64 payload size, ..., u32 arch at +28
        StringBuilder found = new StringBuilder();
        int off = b.getShort(6);
        int end = (int) (off + b.getLong(8));
        while (off < end) {
            int kind = b.getShort(off);
            int headerSize = b.getInt(off + 4);
            long size = b.getLong(off + 8);
            int arch = b.getInt(off + 28);
            found.append(kind == 1 ? "ptx" : kind == 2 ? "sm" : "kind" + kind).append('_').append(arch).append(' ');
            off += headerSize + (int) size;
        }
        String entries = found.toString();
        assertTrue(entries.contains("sm_80 ") && entries.contains("sm_90 ") && entries.contains("ptx_90 "), entries);
    }

    @Test
    void fatbinNamesOurKernels() {
        assumeTrue(Kernels.available(), "kernels.fatbin was not built (no nvcc at build time)");
        String bytes = new String(Kernels.fatbin().orElseThrow(), StandardCharsets.ISO_8859_1);
        for (String kernel : new String[] {"batched_transpose_f32", "batched_transpose_f64", "permute_gather_f32"}) {
            assertTrue(bytes.contains(kernel), kernel + " not in the fatbin");
        }
    }

    @Test
    void notBuiltMessageSaysWhy() {
        assertTrue(Kernels.NOT_BUILT.contains("nvcc"));
        assertEquals(Kernels.available(), Kernels.fatbin().isPresent());
    }
}
