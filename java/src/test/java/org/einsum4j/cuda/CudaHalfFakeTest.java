package org.einsum4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.bytedeco.cuda.global.cublas;
import org.bytedeco.cuda.global.cudart;
import org.einsum4j.Einsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.HalfFloats;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * FLOAT16 and BFLOAT16 on the CUDA backend, on the recording fake: GEMMs reach cublasGemmStridedBatchedEx with
 * 16-bit A, B, C and float32 compute (the exact cudaDataType and cublasComputeType values the real driver passes),
 * never TF32; the other steps launch the native 16-bit kernel variants with their scalars in float32 and fill's value
 * as the 16-bit pattern; every kernel name used is one the fatbin holds (KernelsTest's list).
 */
class CudaHalfFakeTest {
    private final Device dev = FakeCudaProvider.device(7);
    private final CudaBackend cuda = FakeCudaProvider.backend(dev);
    private final RecordingDriver driver = FakeCudaProvider.driver(dev);

    @AfterEach
    void tf32Off() {
        cuda.allowTf32(false);
    }

    private Tensor onDevice(DType dtype, long seed, int... dims) {
        try (Tensor h = Tensor.random(dtype, seed, dims)) {
            return h.to(dev);
        }
    }

    private void assertKnownKernels() {
        List<String> names = KernelsTest.kernelNames();
        for (RecordingDriver.Launch l : driver.launches) {
            assertTrue(names.contains(l.kernel()), l.kernel() + " is not a kernel of native/KERNELS.md");
        }
    }

    @Test
    void gemmIsStridedBatchedExWith16BitDataAndFloat32Compute() {
        cuda.allowTf32(true); // must not apply to the 16-bit types
        for (DType dt : new DType[] {DType.FLOAT16, DType.BFLOAT16}) {
            try (Tensor a = onDevice(dt, 1, 4, 3, 50); Tensor b = onDevice(dt, 2, 4, 50, 2)) {
                driver.clearRecords();
                try (Tensor c = Einsum.contract("bij,bjk->bik", a, b)) {
                    assertEquals(dt, c.dtype());
                    assertEquals(List.of(), driver.launches);
                    assertEquals(1, driver.gemms.size());
                    GemmCall g = driver.gemms.get(0).call();
                    assertEquals(new GemmCall(false, false, 2, 3, 50, 1.0, cuda.ptr(b), 2, 100, cuda.ptr(a), 50, 150,
                            0.0, cuda.ptr(c), 2, 6, 4, dt, false), g);
                    JavaCppDriver.GemmTypes types = JavaCppDriver.GemmTypes.of(g);
                    assertEquals(dt == DType.FLOAT16 ? cudart.CUDA_R_16F : cudart.CUDA_R_16BF, types.dataType());
                    assertEquals(cublas.CUBLAS_COMPUTE_32F, types.computeType());
                    assertTrue(types.floatScalars(), "alpha and beta are floats with CUBLAS_COMPUTE_32F");
                }
            }
        }
    }

    @Test
    void gemmTypesOfEveryDType() {
        GemmCall f32 = new GemmCall(false, false, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, DType.FLOAT32, false);
        assertEquals(new JavaCppDriver.GemmTypes(cudart.CUDA_R_32F, cublas.CUBLAS_COMPUTE_32F), JavaCppDriver.GemmTypes.of(f32));
        GemmCall tf32 = new GemmCall(false, false, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, DType.FLOAT32, true);
        assertEquals(cublas.CUBLAS_COMPUTE_32F_FAST_TF32, JavaCppDriver.GemmTypes.of(tf32).computeType());
        GemmCall f64 = new GemmCall(false, false, 1, 1, 1, 1, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, DType.FLOAT64, false);
        assertEquals(new JavaCppDriver.GemmTypes(cudart.CUDA_R_64F, cublas.CUBLAS_COMPUTE_64F), JavaCppDriver.GemmTypes.of(f64));
        assertFalse(JavaCppDriver.GemmTypes.of(f64).floatScalars(), "double alpha and beta for CUBLAS_COMPUTE_64F");
        // the values cuBLAS's headers give (cudaDataType 2 and 14, cublasComputeType 68)
        assertEquals(2, cudart.CUDA_R_16F);
        assertEquals(14, cudart.CUDA_R_16BF);
        assertEquals(68, cublas.CUBLAS_COMPUTE_32F);
    }

    @Test
    void smallDepthStepsAreTheOuterKernelWithAFloatBeta() {
        try (Tensor x = onDevice(DType.BFLOAT16, 3, 8, 5); Tensor y = onDevice(DType.BFLOAT16, 4, 8, 6)) {
            driver.clearRecords();
            try (Tensor c = Einsum.contract("ni,nj->nij", x, y)) {
                assertEquals(List.of(), driver.gemms);
                assertEquals(1, driver.launches("outer_bf16").size(), driver.launches.toString());
                KernelArgs a = driver.launches("outer_bf16").get(0).args();
                assertEquals(KernelArgs.Kind.F32, a.list().get(a.size() - 1).kind(), "beta is a float for bf16");
            }
            assertKnownKernels();
        }
    }

    @Test
    void fillScaleSumAndCopiesUseThe16BitKernels() {
        try (Tensor h = cuda.empty(DType.FLOAT16, 1000); Tensor b = onDevice(DType.BFLOAT16, 5, 64, 300)) {
            driver.clearRecords();
            cuda.fill(h, 1.0);
            cuda.scale(h, 0.5);
            RecordingDriver.Launch fill = driver.launches.get(0);
            assertEquals("fill_f16", fill.kernel());
            assertEquals(new KernelArgs.Arg(KernelArgs.Kind.I16, HalfFloats.toFloat16(1f)), fill.args().list().get(2));
            ByteBuffer packed = fill.args().pack();
            int at = fill.args().offsets()[2];
            assertEquals(16, at);
            assertEquals((short) 0x3c00, packed.order(ByteOrder.LITTLE_ENDIAN).getShort(at), "2 bytes of __half 1.0");
            assertEquals("scale_f16", driver.launches.get(1).kernel());
            assertEquals(new KernelArgs.Arg(KernelArgs.Kind.F32, 0.5f), driver.launches.get(1).args().list().get(2));

            driver.clearRecords();
            try (Tensor s = cuda.sum(b, new boolean[] {false, true})) {
                assertEquals(DType.BFLOAT16, s.dtype());
                assertEquals(1, driver.launches.size());
                assertTrue(driver.launches.get(0).kernel().startsWith("sum_axes_") && driver.launches.get(0).kernel()
                        .endsWith("_bf16"), driver.launches.get(0).kernel());
            }
            driver.clearRecords();
            try (Tensor t = cuda.contiguousCopy(b.transpose()); Tensor f = cuda.empty(DType.FLOAT16, 300, 64)) {
                assertEquals("batched_transpose_bf16", driver.launches.get(0).kernel());
                // no copy_bf16_f16 kernel: through float32
                driver.clearRecords();
                cuda.copy(t, f);
                assertEquals(List.of("copy_bf16_f32", "copy_f32_f16"),
                        driver.launches.stream().map(RecordingDriver.Launch::kernel).toList());
            }
            assertKnownKernels();
        }
    }

    @Test
    void hostCopiesOf16BitTensorsRoundTripAndConvertOnTheHost() {
        try (Tensor h = Tensor.random(DType.FLOAT64, 6, 33, 7); Tensor d64 = h.to(dev); Tensor d = d64.to(DType.FLOAT16)) {
            // the device conversion is a kernel the fake does not run: convert on the host instead and compare
            try (Tensor want = h.to(DType.FLOAT16); Tensor up = want.to(dev); Tensor back = up.to(Device.CPU)) {
                assertEquals(DType.FLOAT16, back.dtype());
                assertTrue(java.util.Arrays.equals(want.toDoubleArray(), back.toDoubleArray()));
            }
            assertEquals(DType.FLOAT16, d.dtype());
            assertFalse(driver.launches("copy_f64_f16").isEmpty());
        }
    }
}
