package org.einsum4j.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.ContractExpression;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum;
import org.einsum4j.Einsum4jException;
import org.einsum4j.gradsample.ConvLayer;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;
import org.einsum4j.tensor.LiveBytes;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.SystemProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Issue 13, item 2: a call whose result, intermediates and workspace (known from the shapes) cannot fit is
 * refused before it allocates anything, with an exception that says what was asked for and what is available:
 * against the host's available memory, and against the user limit {@code einsum4j.maxCallBytes}. The operands
 * here are broadcast views of one element, so the test itself needs no memory.
 */
@Isolated
class RefusedBeforeAllocationTest {
    /** The call fails with the memory exception, naming both numbers, and the allocator's peak did not move. */
    private static String refusedBeforeAllocating(Executable call) {
        long before = LiveBytes.settled();
        HostAllocator.resetPeak();
        Einsum4jException e = assertThrows(Einsum4jException.class, call);
        assertEquals("InsufficientMemoryException", e.getClass().getSimpleName(), e.toString());
        assertEquals(before, HostAllocator.peakBytes(), "nothing may be allocated before the refusal: " + e);
        assertTrue(e.getMessage().contains("needs") && e.getMessage().contains("available"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void anOuterProductLargerThanTheHostIsRefusedUpFront() {
        try (Tensor one = Tensor.of(new float[] {1f}, 1, 1)) {
            Tensor big = one.broadcastTo(20000, 20000);
            String m = refusedBeforeAllocating(() -> Einsum.contract("ij,kl->ijkl", big, big));
            assertTrue(m.contains("bytes (640.0 PB)"), m); // 20000^4 float32 (and a few bytes)
            ContractExpression e = Einsum.expression("ij,kl->ijkl", ContractOptions.defaults(), DType.FLOAT32,
                    new int[] {20000, 20000}, new int[] {20000, 20000});
            refusedBeforeAllocating(() -> e.contract(big, big));
        }
    }

    @Test
    void theUserLimitIsHonoured() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 1000, 10); Tensor b = Tensor.random(DType.FLOAT32, 2, 10, 1000)) {
            SystemProperties.with("einsum4j.maxCallBytes", "1000000", () -> {
                String m = refusedBeforeAllocating(() -> Einsum.contract("ij,jk->ik", a, b));
                assertTrue(m.contains("einsum4j.maxCallBytes"), m);
                try (Tensor small = Einsum.contract("ij,jk->i", a, b)) { // 4 KB: within the limit
                    assertEquals(1000, small.dim(0));
                }
            });
        }
    }

    @Test
    void gradSamplerResultsLargerThanTheHostAreRefusedBeforeUnfolding() {
        try (Tensor one = Tensor.of(new float[] {1f}, 1, 1)) {
            int k = 100;
            int b = 100000;
            // Linear 4096x4096: B per-sample gradients of 16.8M elements, 6.7e12 bytes
            Tensor acts = one.broadcastTo(b, 4096);
            refusedBeforeAllocating(() -> GradSampler.compute(new LinearLayer(4096, 4096, false), acts, acts, 1));
            // Conv2d 3->16, 3x3 over 32x32 with K = 100: the unfolded input alone is B*K*27*900*4 = 9.7e11 bytes
            Tensor x = one.broadcastTo(b * k, 3 * 32 * 32).view(b * k, 3, 32, 32);
            Tensor g = one.broadcastTo(b * k, 16 * 30 * 30).view(b * k, 16, 30, 30);
            Layer conv = new ConvLayer(2, 3, 16, new int[] {3, 3}, new int[] {1, 1}, ConvLayer.Padding.of(0, 0),
                    new int[] {1, 1}, 1, true, ConvLayer.PaddingMode.ZEROS);
            refusedBeforeAllocating(() -> GradSampler.compute(conv, x, g, k));
        }
    }
}
