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

    /** Kernel families built for every floating type (suffix _f32, _f64, _f16, _bf16); see native/KERNELS.md. */
    private static final String[] ALL_FLOAT_TYPES = {"batched_transpose", "permute_gather", "diagonal_gather", "fill",
        "scale", "divide", "mul_broadcast", "sum_axes_thread", "sum_axes_warp",
        "sum_axes_block", "dot_rows", "outer", "im2col"};

    /** Kernel families built for FLOAT32 and FLOAT64 only. */
    private static final String[] F32_F64 = {"norm_stats", "layer_norm_partials", "group_norm_partials",
        "embedding_dense", "embedding_sparse_scatter", "embedding_sparse_to_dense"};

    /** Kernels without a type suffix (index data) and the dtype conversions. */
    private static final String[] OTHERS = {"index_check_i64", "embedding_unique_count", "exclusive_scan_i64",
        "embedding_unique_rows", "copy_f32_f32", "copy_f64_f64", "copy_f32_f64", "copy_f64_f32", "copy_f16_f16",
        "copy_f16_f32", "copy_f32_f16", "copy_f64_f16", "copy_f16_f64", "copy_bf16_bf16", "copy_bf16_f32",
        "copy_f32_bf16", "copy_f64_bf16", "copy_bf16_f64"};

    /** Every kernel name the CUDA backend may look up with cuModuleGetFunction: the contract of native/KERNELS.md. */
    static java.util.List<String> kernelNames() {
        java.util.List<String> names = new java.util.ArrayList<>();
        for (String f : ALL_FLOAT_TYPES) {
            for (String t : new String[] {"f32", "f64", "f16", "bf16"}) {
                names.add(f + "_" + t);
            }
        }
        for (String f : F32_F64) {
            names.add(f + "_f32");
            names.add(f + "_f64");
        }
        names.addAll(java.util.List.of(OTHERS));
        return names;
    }

    @Test
    void fatbinNamesOurKernels() {
        assumeTrue(Kernels.available(), "kernels.fatbin was not built (no nvcc at build time)");
        String bytes = new String(Kernels.fatbin().orElseThrow(), StandardCharsets.ISO_8859_1);
        java.util.List<String> names = kernelNames();
        assertEquals(82, names.size(), "kernel count of native/KERNELS.md");
        for (String kernel : names) {
            // each SASS image has a section ".text.NAME" per kernel, its name NUL-terminated (exact, not a prefix)
            assertTrue(bytes.contains(".text." + kernel + "\0"), kernel + " not in the fatbin");
        }
    }

    @Test
    void notBuiltMessageSaysWhy() {
        assertTrue(Kernels.NOT_BUILT.contains("nvcc"));
        assertEquals(Kernels.available(), Kernels.fatbin().isPresent());
    }
}
