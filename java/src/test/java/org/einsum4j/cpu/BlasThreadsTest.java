package org.einsum4j.cpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.Einsum;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The busy-machine back-off of {@link BlasThreads}: a threaded call far below one core's rate keeps lone GEMMs off
 * OpenBLAS's threads for a while, a normal one does not; a lone GEMM computes the same either way.
 */
class BlasThreadsTest {
    @AfterEach
    void clear() {
        BlasThreads.reset();
    }

    @Test
    void slowThreadedCallsStartTheBackOffWhenTheyAreAShareOfTheRecentOnes() {
        long work = 1L << 22;
        BlasThreads.reset();
        assertFalse(BlasThreads.backingOff());
        // 4 M multiply-adds in 40 µs: a normal threaded call
        BlasThreads.record(40_000, work);
        assertFalse(BlasThreads.backingOff());
        // 4 M multiply-adds in 400 µs: over 8 per ns, slow but not waiting on a descheduled thread
        for (int i = 0; i < 20; i++) {
            BlasThreads.record(400_000, work);
        }
        assertFalse(BlasThreads.backingOff());
        // 4 M multiply-adds in 8 ms: a descheduled thread; one such call alone is no busy machine
        BlasThreads.record(8_000_000, work);
        assertFalse(BlasThreads.backingOff(), "one stall among normal calls");
        BlasThreads.record(8_000_000, work);
        assertFalse(BlasThreads.backingOff(), "two");
        BlasThreads.record(8_000_000, work);
        assertTrue(BlasThreads.backingOff(), "three stalls in a row: a busy machine");
        assertFalse(BlasThreads.useBlasThreads(1, work), "lone GEMMs stay on Java threads while backing off");
        // a normal call ends it; the share decays, and one stall now and then never starts it again
        BlasThreads.record(40_000, work);
        assertFalse(BlasThreads.backingOff());
        for (int i = 0; i < 100; i++) {
            BlasThreads.record(40_000, work);
        }
        for (int round = 0; round < 50; round++) {
            BlasThreads.record(8_000_000, work);
            assertFalse(BlasThreads.backingOff(), "one stall in ten, round " + round);
            for (int i = 0; i < 9; i++) {
                BlasThreads.record(40_000, work);
            }
        }
        // a small call held up for a time slice counts too (floor SLOW_NS, not the work)
        BlasThreads.reset();
        for (int i = 0; i < 3; i++) {
            BlasThreads.record(BlasThreads.SLOW_NS + 1, 1L << 18);
        }
        assertTrue(BlasThreads.backingOff());
        // but a short call never does, however little work it had
        BlasThreads.reset();
        for (int i = 0; i < 10; i++) {
            BlasThreads.record(BlasThreads.SLOW_NS - 1, 1);
        }
        assertFalse(BlasThreads.backingOff());
    }

    @Test
    void aLoneGemmGivesTheSameResultWhileBackingOff() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 300, 200); Tensor b = Tensor.random(DType.FLOAT64, 2, 200, 150);
             Tensor want = ReferenceEinsum.evaluate("ij,jk->ik", a, b)) {
            for (int i = 0; i < 3; i++) {
                BlasThreads.record(BlasThreads.SLOW_NS + 1, 1);
            }
            assertTrue(BlasThreads.backingOff());
            try (Tensor got = Einsum.contract("ij,jk->ik", a, b)) {
                Close.assertClose(want, got, 1e-12, "backing off");
            }
            BlasThreads.reset();
            try (Tensor got = Einsum.contract("ij,jk->ik", a, b)) {
                Close.assertClose(want, got, 1e-12, "not backing off");
            }
        }
    }
}
