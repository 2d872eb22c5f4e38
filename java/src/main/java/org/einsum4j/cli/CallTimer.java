package org.einsum4j.cli;

import java.util.function.Supplier;
import org.einsum4j.tensor.Tensor;

/**
 * Times a call the way JMH's sample mode does, so that a short call is not reported at its cold-JIT cost: warm up
 * for at least {@link #WARMUP_NANOS} (and at least the requested number of calls), then take the requested number
 * of samples, each a batch of {@code b} calls, {@code b} enough calls to last {@link #BATCH_NANOS} at the fastest
 * single call's time (so that only calls of a few microseconds are batched, above the clock's resolution); the
 * figure is the median over samples of the time per call. Short samples and the median keep a busy machine's
 * preemptions out of the figure (a batch of a millisecond or more would average them in). Each call's result is
 * closed before the next call but the last, which is handed back.
 */
final class CallTimer {
    /**
     * Warm-up time. C2 compiles the hot paths well within a second of calls, but its compiler threads still take a
     * core now and then in that second: on the 2-core machine E14's threaded GEMM step stalled then often enough to
     * start OpenBLAS's busy-machine back-off, and the first samples after a one-second warm-up gave 42–44 µs in two
     * JVMs of three against 33–36 µs in five of five after two seconds (2026-11-30). JMH's warm-up is 3 × 1 s here.
     */
    static final long WARMUP_NANOS = 2_000_000_000L;
    /** A batch's least duration: far above the clock's resolution and the timing overhead. */
    static final long BATCH_NANOS = 20_000L;

    /** The last call's result (owned by the caller), the median time per call, and how the calls were batched. */
    record Result(Tensor last, long medianNanos, int samples, int callsPerBatch, long warmupCalls) {
    }

    private CallTimer() {
    }

    static Result time(Supplier<Tensor> call, long minWarmupCalls, int samples) {
        long warm = 0;
        long start = System.nanoTime();
        while (warm < minWarmupCalls || System.nanoTime() - start < WARMUP_NANOS) {
            call.get().close();
            warm++;
        }
        // batch size: enough calls of the fastest of 20 single calls to last BATCH_NANOS (1 for longer calls)
        long fastest = Long.MAX_VALUE;
        for (int i = 0; i < 20; i++) {
            long t0 = System.nanoTime();
            call.get().close();
            fastest = Math.min(fastest, System.nanoTime() - t0);
        }
        int b = (int) Math.min(1 << 16, Math.max(1, (BATCH_NANOS + fastest - 1) / Math.max(1, fastest)));
        int batches = Math.max(1, samples);
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
        return new Result(last, CliValues.median(perCall), batches, b, warm);
    }
}
