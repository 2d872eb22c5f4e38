package org.einsum4j.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.Backend;
import org.einsum4j.BackendUnavailableException;
import org.einsum4j.Einsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Where CUDA cannot be used (no driver, no device, kernels not built), asking for it is a
 * {@link BackendUnavailableException} that says why, every time (never the JVM's NoClassDefFoundError on a second
 * try), and the CPU keeps working. On a GPU machine these are skipped.
 */
class CudaUnavailableTest {
    @Test
    void askingForCudaWithoutADriverSaysWhyEveryTime() {
        String why = Cuda.unavailableReason().orElse(null);
        Assumptions.assumeTrue(why != null, "CUDA works here");
        for (int i = 0; i < 3; i++) {
            BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                    () -> Backend.forDevice(Device.cuda(0)));
            assertTrue(e.getMessage().startsWith("CUDA backend unavailable for cuda:0: "), e.getMessage());
            assertEquals(why, e.getMessage());
            // the real reason (a library, the driver, a device count, or the kernels) is in the message
            assertTrue(e.getMessage().matches(".*(libcuda|libcudart|cuInit|no CUDA device|kernels).*"), e.getMessage());
        }
        assertThrows(BackendUnavailableException.class, () -> Tensor.zeros(Device.cuda(0), DType.FLOAT32, 2));
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 2, 3); Tensor b = Tensor.random(DType.FLOAT32, 2, 3, 2);
             Tensor c = Einsum.contract("ij,jk->ik", a, b)) {
            assertEquals(Device.CPU, c.device());
        }
    }

    @Test
    void anOpenedProviderNeedsTheKernels() {
        Assumptions.assumeTrue(CudaRuntime.loadFailure().isEmpty() && !Kernels.available(),
                "needs a driver and a build without nvcc");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> new CudaBackendProvider().open(Device.cuda(0)));
        assertTrue(e.getMessage().contains(Kernels.NOT_BUILT), e.getMessage());
    }
}
