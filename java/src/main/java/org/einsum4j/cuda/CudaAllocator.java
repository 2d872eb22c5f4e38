package org.einsum4j.cuda;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The caching device allocator, as PyTorch's: sizes are rounded to classes (512 B steps up to 1 MiB, then quarter
 * steps of each power of two, so at most a quarter is wasted), and a freed block goes to a cache keyed by the
 * stream it was allocated on and its class, to be handed out again to the next request of that class on that
 * stream: work queued on one stream runs in order, so a block reused there cannot be overwritten while earlier
 * work still reads it. A block that work on other streams used too ({@link Block#recordUse}, PyTorch's
 * {@code recordStream}) is not filed at once: as in PyTorch's allocator it waits for an event recorded on each of
 * those streams after the release, and joins its stream's cache only once every such event has completed
 * ({@code cuEventQuery}, checked at each allocation), so no other stream's earlier work can still be reading it
 * when it is handed out again. {@code cuMemFree} happens only in {@link #emptyCache()} (and before the one retry
 * after an out-of-memory), never from a {@link java.lang.ref.Cleaner}'s thread: {@link #release} only files the
 * block (the events are recorded later, by the next allocating thread). Thread-safe (one lock).
 */
final class CudaAllocator {
    /** A device block: its pointer, class size, the stream it was allocated on, and the other streams that used it. */
    static final class Block {
        private final long ptr;
        private final long size;
        private final long stream;
        private long[] usedOn = new long[0];

        Block(long ptr, long size, long stream) {
            this.ptr = ptr;
            this.size = size;
            this.stream = stream;
        }

        long ptr() {
            return ptr;
        }

        long size() {
            return size;
        }

        long stream() {
            return stream;
        }

        /** Notes that work on {@code s} reads or writes this block (the backend calls it for each operand). */
        synchronized void recordUse(long s) {
            if (s == stream || size == 0) {
                return;
            }
            for (long u : usedOn) {
                if (u == s) {
                    return;
                }
            }
            usedOn = java.util.Arrays.copyOf(usedOn, usedOn.length + 1);
            usedOn[usedOn.length - 1] = s;
        }

        synchronized long[] usedOn() {
            return usedOn.clone();
        }

        @Override
        public String toString() {
            return "Block(0x" + Long.toHexString(ptr) + ", " + size + " B, stream " + stream + ")";
        }
    }

    /** A released block used on other streams, and the events (one per such stream) that must complete first. */
    private static final class Pending {
        final Block block;
        final long[] streams;
        long[] events;

        Pending(Block block, long[] streams) {
            this.block = block;
            this.streams = streams;
        }
    }

    private static final long SMALL = 1 << 20;
    private static final long SMALL_STEP = 512;

    private final CudaDriver driver;
    private final String device;
    private final Map<Long, TreeMap<Long, ArrayDeque<Long>>> cached = new HashMap<>();
    private final java.util.List<Pending> pending = new java.util.ArrayList<>();
    private final ArrayDeque<Long> freeEvents = new ArrayDeque<>();
    /** User streams destroyed after a synchronize: their work is done, and no event may be recorded on them. */
    private final java.util.Set<Long> closedStreams = new java.util.HashSet<>();
    private long allocated;
    private long peak;
    private long reserved;
    private long cachedBytes;
    private long mallocs;
    private long reuses;

    CudaAllocator(CudaDriver driver, String device) {
        this.driver = driver;
        this.device = device;
    }

    /** The size class of a request: what is reserved for it. */
    static long roundSize(long bytes) {
        if (bytes <= SMALL) {
            return Math.max(SMALL_STEP, (bytes + SMALL_STEP - 1) / SMALL_STEP * SMALL_STEP);
        }
        long step = Long.highestOneBit(bytes - 1) / 4;
        return (bytes + step - 1) / step * step;
    }

    /**
     * A block of at least {@code bytes} for work on {@code stream}: from the cache when one of its class was freed on
     * that stream, else a new {@code cuMemAlloc}. When the device is full: the cache is emptied and the allocation
     * tried once more; then a {@link CudaOutOfMemoryException} with the size, the device's free memory and what
     * the cache held.
     */
    synchronized Block allocate(long bytes, long stream) {
        if (bytes < 0) {
            throw new CudaException("cannot allocate " + bytes + " bytes on " + device);
        }
        if (bytes == 0) {
            return new Block(0, 0, stream);
        }
        long size = roundSize(bytes);
        settlePending();
        TreeMap<Long, ArrayDeque<Long>> pool = cached.get(stream);
        ArrayDeque<Long> q = pool == null ? null : pool.get(size);
        long ptr;
        if (q != null && !q.isEmpty()) {
            ptr = q.pop();
            cachedBytes -= size;
            reuses++;
        } else {
            ptr = fresh(bytes, size);
            reserved += size;
            mallocs++;
        }
        allocated += size;
        peak = Math.max(peak, allocated);
        return new Block(ptr, size, stream);
    }

    private long fresh(long bytes, long size) {
        try {
            return driver.malloc(size);
        } catch (CudaDriver.DeviceOutOfMemory first) {
            long held = cachedBytes;
            emptyCache();
            try {
                return driver.malloc(size);
            } catch (CudaDriver.DeviceOutOfMemory second) {
                CudaDriver.MemInfo m = driver.memGetInfo();
                throw new CudaOutOfMemoryException("out of memory on " + device + ": asked for " + bytes
                        + " bytes (size class " + size + "); the device has " + m.free() + " of " + m.total()
                        + " bytes free (cuMemGetInfo); the cache held " + held + " bytes, given back before one "
                        + "retry; live tensors hold " + allocated + " bytes", bytes);
            }
        }
    }

    /**
     * Files a block back into its stream's cache, or, when other streams used it, into the pending list until their
     * work is done (no driver call: safe from any thread, the Cleaner's too).
     */
    synchronized void release(Block b) {
        if (b.size() == 0) {
            return;
        }
        allocated -= b.size();
        cachedBytes += b.size();
        long[] others = b.usedOn();
        if (others.length == 0) {
            file(b.stream(), b.size(), b.ptr());
        } else {
            pending.add(new Pending(b, others));
        }
    }

    private void file(long stream, long size, long ptr) {
        cached.computeIfAbsent(stream, s -> new TreeMap<>()).computeIfAbsent(size, s -> new ArrayDeque<>()).push(ptr);
    }

    /**
     * Records the events of newly pending blocks (one per stream that used them, capturing all work queued there so
     * far, which includes every use before the release) and files the blocks whose events have all completed.
     */
    private void settlePending() {
        for (java.util.Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            if (p.events == null) {
                p.events = new long[p.streams.length];
                for (int i = 0; i < p.streams.length; i++) {
                    if (closedStreams.contains(p.streams[i])) {
                        p.events[i] = 0; // a closed stream's work is done (it was synchronized before it was destroyed)
                        continue;
                    }
                    p.events[i] = freeEvents.isEmpty() ? driver.eventCreate() : freeEvents.pop();
                    driver.eventRecord(p.events[i], p.streams[i]);
                }
            }
            boolean done = true;
            for (long e : p.events) {
                done &= e == 0 || driver.eventQuery(e);
            }
            if (done) {
                for (long e : p.events) {
                    if (e != 0) {
                        freeEvents.push(e);
                    }
                }
                file(p.block.stream(), p.block.size(), p.block.ptr());
                it.remove();
            }
        }
    }

    /** A user stream was created (its handle may be a destroyed one's, reused by the driver). */
    synchronized void streamOpened(long stream) {
        closedStreams.remove(stream);
    }

    /** A user stream was synchronized and is about to be destroyed: blocks it used need no event on it. */
    synchronized void streamClosed(long stream) {
        closedStreams.add(stream);
    }

    /** Blocks released but waiting for other streams' work (counted in {@link #cachedBytes()} too). */
    synchronized int pendingBlocks() {
        return pending.size();
    }

    /**
     * Frees every cached block ({@code cuMemFree}); live blocks stay. Waits for the whole device first: a block filed
     * on one stream may still be read by work queued there.
     */
    synchronized void emptyCache() {
        if (cachedBytes == 0) {
            return;
        }
        driver.synchronizeDevice();
        // after the device synchronization every pending block's streams are idle: free those too
        for (Pending p : pending) {
            if (p.events != null) {
                for (long e : p.events) {
                    if (e != 0) {
                        freeEvents.push(e);
                    }
                }
            }
            file(p.block.stream(), p.block.size(), p.block.ptr());
        }
        pending.clear();
        for (TreeMap<Long, ArrayDeque<Long>> pool : cached.values()) {
            for (Map.Entry<Long, ArrayDeque<Long>> e : pool.entrySet()) {
                for (long p : e.getValue()) {
                    driver.free(p);
                    reserved -= e.getKey();
                }
            }
        }
        cached.clear();
        cachedBytes = 0;
    }

    /** Bytes in blocks held by live tensors (class sizes). */
    synchronized long allocatedBytes() {
        return allocated;
    }

    /** The most {@link #allocatedBytes()} has been since the last {@link #resetPeak()}. */
    synchronized long peakBytes() {
        return peak;
    }

    synchronized void resetPeak() {
        peak = allocated;
    }

    /** Bytes obtained from the device and not freed: live plus cached. */
    synchronized long reservedBytes() {
        return reserved;
    }

    synchronized long cachedBytes() {
        return cachedBytes;
    }

    /** {@code cuMemAlloc} calls so far. */
    synchronized long mallocs() {
        return mallocs;
    }

    /** Requests served from the cache so far. */
    synchronized long reuses() {
        return reuses;
    }
}
