package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The command line's timing: warm-up by time, batches of calls, every result but the last closed. */
class CallTimerTest {
    @Test
    void warmsUpForASecondThenTimesBatches() {
        List<Tensor> made = new ArrayList<>();
        long t0 = System.nanoTime();
        CallTimer.Result r = CallTimer.time(() -> {
            Tensor t = Tensor.zeros(DType.FLOAT32, 4);
            made.add(t);
            return t;
        }, 3, 500);
        long elapsed = System.nanoTime() - t0;
        assertTrue(elapsed >= CallTimer.WARMUP_NANOS, "warm-up of at least two seconds, took " + elapsed + " ns");
        assertTrue(r.warmupCalls() >= 3);
        // a sub-microsecond call: samples of many calls each
        assertTrue(r.callsPerBatch() > 1, "calls per batch " + r.callsPerBatch());
        assertEquals(500, r.samples());
        assertTrue(r.medianNanos() > 0);
        assertFalse(r.last().isClosed());
        assertEquals(1, made.stream().filter(t -> !t.isClosed()).count(), "only the last result is open");
        r.last().close();
    }

    @Test
    void aLongCallIsTimedAlone() {
        CallTimer.Result r = CallTimer.time(() -> {
            long end = System.nanoTime() + 2 * CallTimer.BATCH_NANOS;
            while (System.nanoTime() < end) {
                Thread.onSpinWait();
            }
            return Tensor.zeros(DType.FLOAT64, 2);
        }, 0, 3);
        assertEquals(3, r.samples());
        assertEquals(1, r.callsPerBatch());
        assertTrue(r.medianNanos() >= 2 * CallTimer.BATCH_NANOS);
        r.last().close();
    }
}
