package org.einsum4j.tensor;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * For tests of {@code close()} racing with a call: runs the call and, at the k-th time a thread of the call (the
 * calling thread or a worker it splits the call over) takes the address of the victim's memory (after the check
 * that it is open), lets another thread close the victim and then allocate a tensor of the same size filled with
 * garbage (which takes the freed block from the allocator's cache, as any other thread's allocation would) before
 * the call goes on. Deterministic up to which thread runs which chunk: latches, no sleeps. Trying k = 1, 2, … until
 * the call no longer reaches the k-th access covers every point at which the call reads the victim.
 */
public final class CloseRace {
    /** What one run gave: the result or the exception, and whether the k-th access happened at all. */
    public record Outcome<T>(T result, RuntimeException error, boolean closedDuringCall) {
    }

    private CloseRace() {
    }

    public static <T> Outcome<T> run(Tensor victim, int k, Supplier<T> call) {
        HostStorage target = victim.host();
        AtomicReference<Thread> closerThread = new AtomicReference<>();
        AtomicInteger seen = new AtomicInteger();
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Tensor> garbage = new AtomicReference<>();
        AtomicReference<Throwable> closerError = new AtomicReference<>();
        Thread closer = new Thread(() -> {
            try {
                reached.await();
                DType dt = victim.dtype();
                int[] dims = victim.dims();
                victim.close();
                Tensor g = Tensor.empty(dt, dims);
                garbage.set(g);
                org.einsum4j.Backend.cpu().fill(g, 1e6);
            } catch (Throwable e) {
                closerError.set(e);
            } finally {
                done.countDown();
            }
        });
        closerThread.set(closer);
        HostStorage.accessHook = s -> {
            // any thread of the call: a loop split over cpu/Parallel's workers takes addresses in them too, and
            // which thread runs a chunk is up to the pool (only the closer's own accesses are not counted)
            if (s == target && Thread.currentThread() != closerThread.get() && seen.incrementAndGet() == k) {
                reached.countDown();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        };
        closer.start();
        try {
            T r = call.get();
            return new Outcome<>(r, null, seen.get() >= k);
        } catch (RuntimeException e) {
            return new Outcome<>(null, e, seen.get() >= k);
        } finally {
            HostStorage.accessHook = null;
            reached.countDown(); // release the closer if the call never reached the k-th access
            try {
                closer.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Tensor g = garbage.get();
            if (g != null) {
                g.close();
            }
            victim.close();
            if (closerError.get() != null) {
                throw new AssertionError("the closing thread failed", closerError.get());
            }
        }
    }
}
