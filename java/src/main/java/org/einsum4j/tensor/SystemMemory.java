package org.einsum4j.tensor;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Internal: the host's memory as the OS reports it, for the checks that refuse a call before it allocates and
 * for the allocator's live-bytes threshold. On Linux {@code MemAvailable} from {@code /proc/meminfo} (what the
 * kernel can hand out without swapping, page cache included); elsewhere the OS MXBean's free memory.
 */
public final class SystemMemory {
    private SystemMemory() {
    }

    /** Physical memory in bytes, or -1 when unknown. */
    public static long totalBytes() {
        long t = meminfo("MemTotal:");
        if (t > 0) {
            return t;
        }
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return -1;
    }

    /**
     * Bytes the host can still give this process: MemAvailable (or the MXBean's free memory) plus the blocks
     * the allocator keeps cached for reuse; {@link Long#MAX_VALUE} when unknown.
     */
    public static long availableBytes() {
        long a = meminfo("MemAvailable:");
        if (a < 0 && ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os) {
            a = os.getFreeMemorySize();
        }
        return a < 0 ? Long.MAX_VALUE : a + HostAllocator.cachedBytes();
    }

    /** A line of /proc/meminfo in bytes, or -1. */
    private static long meminfo(String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith(key)) {
                    String[] f = line.substring(key.length()).trim().split("\\s+");
                    return Long.parseLong(f[0]) * (f.length > 1 && f[1].equalsIgnoreCase("kB") ? 1024 : 1);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
