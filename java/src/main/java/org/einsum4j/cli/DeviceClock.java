package org.einsum4j.cli;

import java.util.Locale;
import java.util.function.Supplier;
import org.einsum4j.Backend;
import org.einsum4j.BackendUnavailableException;
import org.einsum4j.cuda.Cuda;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/**
 * {@code --backend} of the commands that time work: the device ({@code cpu}, {@code cuda}, {@code cuda:N}), operands
 * moved there, and on CUDA each timed call's GPU time from CUDA events on its stream plus the peak device memory the
 * timed calls held above what was live before them (the caching allocator's figures), for the text and
 * {@code --json} outputs.
 */
final class DeviceClock {
    private final Device device;
    private final long[] gpuNanos;
    private long base;

    private DeviceClock(Device device, int repeat) {
        this.device = device;
        this.gpuNanos = new long[repeat];
    }

    /**
     * The device of a {@code --backend} value, opened now so that a missing driver is reported before any work (a
     * runtime error naming why); a device type no backend serves is a usage error. Devices whose backend is CUDA's
     * (the tests' recording fake too) are timed with CUDA events.
     */
    static DeviceClock of(String backend, int repeat) {
        Device d;
        try {
            d = Device.parse(backend);
        } catch (RuntimeException e) {
            throw new UsageException("unknown --backend '" + backend + "' (expected cpu, cuda or cuda:N)");
        }
        try {
            Backend.forDevice(d);
        } catch (BackendUnavailableException e) {
            if (d.type().equals("cuda")) {
                throw e;
            }
            throw new UsageException("unknown --backend '" + backend + "' (expected cpu, cuda or cuda:N)");
        }
        return new DeviceClock(d, repeat);
    }

    Device device() {
        return device;
    }

    boolean onGpu() {
        return !device.isHost();
    }

    /** {@code host} copied to the device (new tensors the caller closes), or the same tensors on the CPU. */
    Tensor[] place(Tensor[] host) {
        if (!onGpu()) {
            return host;
        }
        Tensor[] out = new Tensor[host.length];
        try {
            for (int i = 0; i < host.length; i++) {
                out[i] = host[i].to(device);
            }
            return out;
        } catch (RuntimeException e) {
            for (Tensor t : out) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
    }

    /** Before the timed calls: the peak starts from what is live now. */
    void startTimedCalls() {
        if (onGpu()) {
            Cuda.synchronize(device);
            Cuda.resetPeak(device);
            base = Cuda.memoryStats(device).allocated();
        }
    }

    /** Runs timed call {@code i}; on CUDA between two events, waiting for the second (so the host clock sees it too). */
    <T> T call(int i, Supplier<T> work) {
        if (!onGpu()) {
            return work.get();
        }
        Cuda.Timed<T> t = Cuda.time(device, work);
        gpuNanos[i] = Math.round(t.gpuMillis() * 1e6);
        return t.value();
    }

    long gpuMedianNanos() {
        return CliValues.median(gpuNanos.clone());
    }

    /** Device bytes the timed calls held at their peak beyond those live before them. */
    long peakDeviceBytes() {
        return Math.max(0, Cuda.memoryStats(device).peakAllocated() - base);
    }

    /** The text output's line, empty on the CPU. */
    String textLine() {
        if (!onGpu()) {
            return "";
        }
        return String.format(Locale.ROOT, "gpu       %s per call (CUDA events), peak device memory %.1f MiB on %s%n",
                CliValues.formatNanos(gpuMedianNanos()), peakDeviceBytes() / 1048576.0, Cuda.deviceName(device));
    }

    /** The JSON fields, starting with a comma, empty on the CPU. */
    String jsonFields() {
        if (!onGpu()) {
            return "";
        }
        return ", \"gpu_median_ns\": " + gpuMedianNanos() + ", \"peak_device_bytes\": " + peakDeviceBytes()
                + ", \"device\": " + Json.string(Cuda.deviceName(device));
    }
}
