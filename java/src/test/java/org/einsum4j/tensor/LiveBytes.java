package org.einsum4j.tensor;

/** For memory tests: the allocator's live bytes once cleaners of earlier tests' garbage have run. */
public final class LiveBytes {
    private LiveBytes() {
    }

    /** Live bytes once unreachable tensors of earlier tests have been cleaned, so only the caller's count. */
    public static long settled() {
        long last = -1;
        for (int i = 0; i < 20 && HostAllocator.liveBytes() != last; i++) {
            last = HostAllocator.liveBytes();
            System.gc();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return HostAllocator.liveBytes();
    }
}
