package org.einsum4j.tensor;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;

/**
 * Off-heap host memory for tensors, with a bounded cache of freed large blocks (as PyTorch's caching allocator
 * does on the GPU): a fresh multi-megabyte block costs a page fault per 4 KiB on first touch, which dominates
 * memory-bound contractions, while a reused block is already mapped.
 *
 * <p>Blocks of at least {@value #MIN_CACHED} bytes are rounded up to size classes an eighth of a power of two
 * apart (at most 12.5% slack) and, when released, kept for reuse until the cache holds
 * {@code einsum4j.hostCacheBytes} bytes (system property; default 1 GiB; 0 disables caching). Thread-safe.
 * Also keeps the live and peak byte counts that leak tests and the memory figures read, and bounds the memory
 * of tensors dropped without {@code close()}: past {@code einsum4j.maxLiveBytes} live bytes (default half the
 * physical memory) an allocation first gives the cache back, asks for a GC and waits for the cleaners.
 */
public final class HostAllocator {
    static final long MIN_CACHED = 1 << 16;
    /** Every block has this many bytes beyond its size class, so the user can align its start to 64 bytes. */
    static final int ALIGN = 64;
    /**
     * Blocks of at least {@link #MIN_CACHED} bytes have this many more, for the colour offset of {@link #start}.
     * Without it every large block started at the same offset within a 4 KiB page (malloc maps them page-aligned),
     * so an operand and a result read and written in step aliased in the L1 cache and the load/store unit's 4 KiB
     * address check: E06 of the einsum suite (four 4096×16×16 GEMMs over 256 KiB intermediates) took 90–100 µs per
     * call in four JVMs of five against 34 µs in the fifth; with 16 offsets 256 bytes apart, 33–34 µs in 14 JVMs
     * of 15 (2026-11-30, quiet 2-core machine); 64 offsets 64 bytes apart, picked by a hash of the block's page, did
     * not help (90–100 µs in five of five). At most 6% of a block.
     */
    static final int COLOUR_SLACK = 4096;
    /** Colours: page offsets {@link #COLOUR_STEP} apart. */
    static final int COLOURS = 16;
    static final int COLOUR_STEP = 256;
    /** The next fresh large block's colour (guarded by the class lock). */
    private static int nextColour;
    private static final long CACHE_LIMIT = Long.getLong("einsum4j.hostCacheBytes", 1L << 30);

    private static final Map<Long, ArrayDeque<Pointer>> FREE = new HashMap<>();
    private static long cachedBytes;
    private static long liveBytes;
    private static long peakBytes;

    /**
     * Past this many live bytes an allocation first asks for a GC and waits for the cleaners of dropped tensors
     * ({@code einsum4j.maxLiveBytes}; default half the physical memory), as {@code java.nio.Bits.reserveMemory}
     * does for direct buffers: the GC sees only the small heap objects, never the native blocks behind them.
     */
    private static volatile long liveLimit = Long.getLong("einsum4j.maxLiveBytes", defaultLiveLimit());
    /** After a GC that could not bring the live bytes under the threshold: no new attempt below this. */
    private static long nextReclaimAt;
    private static final Object RECLAIM = new Object();
    /** Waits after a GC for the cleaners, in ms, doubling: about half a second in all, as Bits does. */
    private static final int MAX_SLEEPS = 9;

    private HostAllocator() {
    }

    /** Half the physical memory (the OS MXBean), or no threshold when the JVM cannot tell. */
    private static long defaultLiveLimit() {
        long total = SystemMemory.totalBytes();
        return total > 0 ? total / 2 : Long.MAX_VALUE;
    }

    /** The live-bytes threshold past which allocations wait for dropped tensors to be cleaned. */
    static long liveLimit() {
        return liveLimit;
    }

    /** Sets the live-bytes threshold (tests). */
    static void liveLimit(long bytes) {
        liveLimit = bytes;
        synchronized (HostAllocator.class) {
            nextReclaimAt = 0;
        }
    }

    /**
     * Before allocating {@code cls} bytes past the threshold: gives the cache's blocks back, then asks for a GC and
     * waits (bounded) for the cleaners of unreachable tensors to free theirs. When the live tensors are all still
     * referenced the allocation goes ahead (the memory checks before each call refuse what cannot fit), and no new
     * GC is asked for until the live bytes grow by another quarter of the threshold.
     */
    private static void reclaimIfOver(long cls) {
        long limit = liveLimit;
        synchronized (HostAllocator.class) {
            if (liveBytes + cls <= Math.max(limit, nextReclaimAt)) {
                if (liveBytes + cls <= limit) {
                    nextReclaimAt = 0;
                }
                return;
            }
        }
        synchronized (RECLAIM) {
            trim();
            System.gc();
            long sleep = 1;
            for (int i = 0; i <= MAX_SLEEPS; i++) {
                synchronized (HostAllocator.class) {
                    if (liveBytes + cls <= limit) {
                        nextReclaimAt = 0;
                        return;
                    }
                }
                if (i == MAX_SLEEPS) {
                    break;
                }
                try {
                    Thread.sleep(sleep);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                sleep <<= 1;
            }
            synchronized (HostAllocator.class) {
                nextReclaimAt = liveBytes + cls + Math.max(limit / 4, cls);
            }
        }
    }

    /**
     * Where a tensor of {@code bytes} starts in the block {@code raw} from {@link #allocate}: 64-byte aligned and,
     * for a large block, past a one-byte header holding the block's colour and that many {@link #COLOUR_STEP}s
     * further. Fresh large blocks take the colours in turn, so blocks allocated together (a plan's operands and
     * intermediates) start at different page offsets, at least {@link #COLOUR_STEP} bytes apart, for up to
     * {@link #COLOURS} blocks; a cached block keeps its colour.
     */
    static long start(Pointer raw, long bytes) {
        long a = raw.address();
        if (sizeClass(bytes) < MIN_CACHED) {
            return (a + ALIGN - 1) & -ALIGN;
        }
        int colour = new BytePointer(raw).get(0);
        return ((a + ALIGN) & -ALIGN) + (long) colour * COLOUR_STEP;
    }

    /** Bytes malloc'ed for a block of size class {@code cls}: the class plus the alignment (and colour) slack. */
    private static long mallocBytes(long cls) {
        return cls + ALIGN + (cls >= MIN_CACHED ? COLOUR_SLACK : 0);
    }

    /** The size actually reserved for a request of {@code bytes}. */
    static long sizeClass(long bytes) {
        if (bytes < MIN_CACHED) {
            return bytes;
        }
        long hi = Long.highestOneBit(bytes);
        long step = Math.max(hi >> 3, 1);
        return (bytes + step - 1) / step * step;
    }

    /**
     * A block of {@link #sizeClass}{@code (bytes)} usable bytes plus slack for alignment and colour
     * ({@link #start}), or null when malloc fails. Counted by its size class (the slack is not counted).
     */
    static Pointer allocate(long bytes) {
        long cls = sizeClass(bytes);
        reclaimIfOver(cls);
        Pointer p = null;
        synchronized (HostAllocator.class) {
            ArrayDeque<Pointer> q = FREE.get(cls);
            if (q != null && !q.isEmpty()) {
                p = q.pop();
                cachedBytes -= cls;
            }
        }
        boolean fresh = p == null;
        if (fresh) {
            p = Pointer.malloc(mallocBytes(cls));
            if (p == null || p.isNull()) {
                trim();
                p = Pointer.malloc(mallocBytes(cls));
                if (p == null || p.isNull()) {
                    return null;
                }
            }
        }
        synchronized (HostAllocator.class) {
            if (fresh && cls >= MIN_CACHED) {
                new BytePointer(p).put(0, (byte) (nextColour++ % COLOURS));
            }
            liveBytes += cls;
            peakBytes = Math.max(peakBytes, liveBytes);
        }
        return p;
    }

    /** Gives back a block obtained for a request of {@code bytes}. */
    static void release(Pointer p, long bytes) {
        long cls = sizeClass(bytes);
        synchronized (HostAllocator.class) {
            liveBytes -= cls;
            if (cls >= MIN_CACHED && cachedBytes + cls <= CACHE_LIMIT) {
                FREE.computeIfAbsent(cls, k -> new ArrayDeque<>()).push(p);
                cachedBytes += cls;
                return;
            }
        }
        Pointer.free(p);
    }

    /** Frees every cached block. */
    public static void trim() {
        synchronized (HostAllocator.class) {
            for (ArrayDeque<Pointer> q : FREE.values()) {
                for (Pointer p : q) {
                    Pointer.free(p);
                }
            }
            FREE.clear();
            cachedBytes = 0;
        }
    }

    /** Bytes held by live tensors now (cached free blocks not counted). */
    public static synchronized long liveBytes() {
        return liveBytes;
    }

    /** The largest {@link #liveBytes()} seen since the last {@link #resetPeak()}. */
    public static synchronized long peakBytes() {
        return peakBytes;
    }

    /**
     * Starts a new peak measurement at the current live bytes and returns them, in one step, so that
     * {@code peakBytes() - base} is what a measured call added at its peak.
     */
    public static synchronized long resetPeak() {
        peakBytes = liveBytes;
        return liveBytes;
    }

    /** Bytes kept in the cache of freed blocks. */
    public static synchronized long cachedBytes() {
        return cachedBytes;
    }
}
