package org.einsum4j.cli;

import java.util.function.Supplier;
import org.einsum4j.tensor.Tensor;

/**
 * Times a call the way timeit's autorange and JMH do, so that a short call is not reported at its cold-JIT cost:
 * warm up for at least {@link #WARMUP_NANOS} (and at least the requested number of calls), then time the requested
 * number of calls in batches of {@code b} calls each, {@code b} doubled from 1 until a batch takes at least
 * {@link #BATCH_NANOS} (or holds every timed call); the figure is the median over batches of the time per call.
 * Each call's result is closed before the next call but the last, which is handed back.
 */
final class CallTimer {
    /** Warm-up time: C2 compiles the hot paths well within a second of calls. */
    static final long WARMUP_NANOS = 1_000_000_000L;
    /** A batch's least duration: far above the clock's resolution and the timing overhead. */
    static final long BATCH_NANOS = 1_000_000L;

    /** The last call's result (owned by the caller), the median time per call, and how the calls were batched. */
    record Result(Tensor last, long medianNanos, int batches, int callsPerBatch, long warmupCalls) {
    }

    private CallTimer() {
    }

    static Result time(Supplier<Tensor> call, long minWarmupCalls, int calls) {
        long warm = 0;
        long start = System.nanoTime();
        while (warm < minWarmupCalls || System.nanoTime() - start < WARMUP_NANOS) {
            call.get().close();
            warm++;
        }
        // batch size: doubled until a batch takes BATCH_NANOS or holds every timed call
        int b = 1;
        while (b < calls) {
            long t0 = System.nanoTime();
            for (int i = 0; i < b; i++) {
                call.get().close();
            }
            if (System.nanoTime() - t0 >= BATCH_NANOS) {
                break;
            }
            b = Math.min(calls, 2 * b);
        }
        int batches = Math.max(1, calls / b);
        long[] perCall = new long[batches];
        Tensor last = null;
        try {
            for (int s = 0; s < batches; s++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < b; i++) {
                    if (last != null) {
                        last.close();
                    }
                    last = null;
                    last = call.get();
                }
                perCall[s] = (System.nanoTime() - t0) / b;
            }
        } catch (RuntimeException | Error e) {
            if (last != null) {
                last.close();
            }
            throw e;
        }
        return new Result(last, ContractCommand.median(perCall), batches, b, warm);
    }
}
