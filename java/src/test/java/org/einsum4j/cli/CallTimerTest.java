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
        assertTrue(elapsed >= CallTimer.WARMUP_NANOS, "warm-up of at least a second, took " + elapsed + " ns");
        assertTrue(r.warmupCalls() >= 3);
        // a microsecond call: batches of many calls, together no more than the calls asked for
        assertTrue(r.callsPerBatch() > 1, "calls per batch " + r.callsPerBatch());
        assertTrue((long) r.batches() * r.callsPerBatch() <= 500);
        assertTrue(r.medianNanos() > 0);
        assertFalse(r.last().isClosed());
        assertEquals(1, made.stream().filter(t -> !t.isClosed()).count(), "only the last result is open");
        r.last().close();
    }

    @Test
    void oneTimedCallIsOneBatchOfOne() {
        CallTimer.Result r = CallTimer.time(() -> Tensor.zeros(DType.FLOAT64, 2), 0, 1);
        assertEquals(1, r.batches());
        assertEquals(1, r.callsPerBatch());
        r.last().close();
    }
}
