package org.einsum4j.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.Einsum;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;
import org.einsum4j.tensor.LiveBytes;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Issue 13, item 3: stride-0 (broadcast) dimensions are never copied out. A summed broadcast dimension is a
 * multiplication by its size; one another operand varies along is dropped from the broadcast operand (it does
 * not vary there); an output label no operand varies along is broadcast by the final copy. Measured with the allocator's peak bytes: a call holds at most its result plus small
 * change, where copying the broadcast view out took N·N elements (16 MB here; 1.6 GB at 20000×20000).
 */
@Isolated
class BroadcastNoCopyTest {
    private static final int N = 2000;
    private static final long SMALL = 1 << 20;

    /** Runs the contraction, checks it against the float64 oracle and returns the peak bytes beyond the start. */
    private static long peakOf(String spec, long resultBytes, Tensor... ops) {
        long before = LiveBytes.settled();
        HostAllocator.resetPeak();
        double[] got;
        try (Tensor r = Einsum.contract(spec, ops)) {
            got = r.toDoubleArray();
        }
        long peak = HostAllocator.peakBytes() - before;
        try (Tensor want = ReferenceEinsum.evaluate(spec, ops)) {
            assertArrayEquals(want.toDoubleArray(), got, 1e-6 * N * N, spec);
        }
        // the result itself may take up to an eighth more (the allocator's size classes)
        assertTrue(peak <= resultBytes + resultBytes / 8 + SMALL, spec + ": peak " + peak + " bytes for a result of " + resultBytes
                + " (the broadcast operand was copied out)");
        return peak;
    }

    @Test
    void oneElementBroadcastSummed() {
        try (Tensor one = Tensor.of(new float[] {0.5f}, 1, 1)) {
            Tensor big = one.broadcastTo(N, N);
            peakOf("ij->i", 4L * N, big);
            peakOf("ij->j", 4L * N, big);
            peakOf("ij->", 4, big);
            peakOf("ii->i", 4L * N, big);
        }
    }

    @Test
    void rowBroadcastSummedOverTheBroadcastAxis() {
        try (Tensor row = Tensor.random(DType.FLOAT64, 1, 1, N)) {
            Tensor big = row.broadcastTo(N, N); // strides [0, 1]
            peakOf("ij->j", 8L * N, big);
            peakOf("ij->i", 8L * N, big);
        }
    }

    @Test
    void broadcastOperandOfAGemm() {
        try (Tensor col = Tensor.random(DType.FLOAT32, 2, N, 1);
             Tensor b = Tensor.random(DType.FLOAT32, 3, N, 8)) {
            Tensor a = col.broadcastTo(N, N); // strides [1, 0]: a[i, j] = col[i] for every j
            peakOf("ij,jk->ik", 4L * N * 8, a, b);
            peakOf("ij,jk->k", 4L * 8, a, b);
        }
        try (Tensor row = Tensor.random(DType.FLOAT32, 4, 1, N); Tensor b = Tensor.random(DType.FLOAT32, 5, N, 8)) {
            Tensor a = row.broadcastTo(N, N); // strides [0, 1]: the output label i is broadcast, never stored
            peakOf("ij,jk->ik", 4L * N * 8, a, b);
            peakOf("ij,jk->ki", 4L * N * 8, a, b);
        }
    }

    @Test
    void broadcastOutputLabelsStayBroadcastUntilTheResult() {
        try (Tensor one = Tensor.of(new double[] {3}, 1, 1)) {
            Tensor big = one.broadcastTo(N, N);
            peakOf("ij->ij", 8L * N * N, big);
            peakOf("ij->ji", 8L * N * N, big);
            peakOf("ii->i", 8L * N, big);
        }
    }
}
