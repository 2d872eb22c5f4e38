package org.einsum4j.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Assumptions;
import org.einsum4j.Backend;
import org.einsum4j.BackendUnavailableException;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum;
import org.einsum4j.cuda.Cuda;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.GradSamplerRegistry;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/**
 * The device the contraction and grad-sampler tests run on: system property {@code einsum4j.test.device}
 * ({@code cpu} by default; the {@code checked-device} surefire execution sets {@code checked}; the GPU script sets
 * {@code cuda:0}, and where CUDA cannot be used the device tests are skipped with the reason). A test opts in
 * by calling these instead of {@link Einsum#contract} and {@link GradSampler#compute}: host operands are
 * copied to the device, the call runs there, the results come back to the host for comparison, and on the
 * checked device the call itself must make no host copy. On the CPU they are the plain calls.
 */
public final class UnderTest {
    /** The device under test. */
    public static final Device DEVICE = Device.parse(System.getProperty("einsum4j.test.device", "cpu"));

    private UnderTest() {
    }

    /** True when the tests run on another device than the host. */
    public static boolean onDevice() {
        if (DEVICE.isHost()) {
            return false;
        }
        requireDevice();
        return true;
    }

    /** Skips the calling test (a JUnit assumption) when the device under test cannot be opened here. */
    private static void requireDevice() {
        try {
            Backend.forDevice(DEVICE);
        } catch (BackendUnavailableException e) {
            Assumptions.abort("no " + DEVICE.type().toUpperCase(java.util.Locale.ROOT) + " device: " + e.getMessage());
        }
    }

    /** Copies between the host and the device under test so far, as its backend counts them. */
    private static long hostCopies() {
        return DEVICE.type().equals(CheckedBackend.TYPE) ? CheckedBackend.hostCopies() : Cuda.hostCopies(DEVICE);
    }

    public static Tensor contract(String spec, Tensor... operands) {
        return contract(spec, ContractOptions.defaults(), operands);
    }

    public static Tensor contract(String spec, ContractOptions options, Tensor... operands) {
        return apply(ops -> Einsum.contract(spec, options, ops), operands);
    }

    public static Map<String, Tensor> compute(Layer layer, Tensor activations, Tensor backprops, int k) {
        return compute(layer, activations, backprops, k, KReduction.SUM);
    }

    public static Map<String, Tensor> compute(Layer layer, Tensor activations, Tensor backprops, int k,
                                              KReduction reduction) {
        if (!onDevice()) {
            return GradSampler.compute(layer, activations, backprops, k, reduction);
        }
        List<Tensor> moved = new ArrayList<>();
        try {
            Tensor a = activations == null ? null : toDevice(new Tensor[] {activations}, moved)[0];
            Tensor g = backprops == null ? null : toDevice(new Tensor[] {backprops}, moved)[0];
            return back(noHostCopy(() -> GradSampler.compute(layer, a, g, k, reduction)));
        } finally {
            moved.forEach(Tensor::close);
        }
    }

    public static Map<String, Tensor> compute(Layer layer, List<Tensor> activations, List<Tensor> backprops, int k,
                                              KReduction reduction) {
        return compute(GradSamplerRegistry.global(), layer, activations, backprops, k, reduction);
    }

    public static Map<String, Tensor> compute(GradSamplerRegistry registry, Layer layer, List<Tensor> activations,
                                              List<Tensor> backprops, int k, KReduction reduction) {
        if (!onDevice() || activations == null || backprops == null) {
            return GradSampler.compute(registry, layer, activations, backprops, k, reduction);
        }
        List<Tensor> moved = new ArrayList<>();
        try {
            List<Tensor> a = List.of(toDevice(activations.toArray(new Tensor[0]), moved));
            List<Tensor> g = List.of(toDevice(backprops.toArray(new Tensor[0]), moved));
            return back(noHostCopy(() -> GradSampler.compute(registry, layer, a, g, k, reduction)));
        } finally {
            moved.forEach(Tensor::close);
        }
    }

    /** The backend of the device under test (the calling test is skipped when it cannot be opened here). */
    public static Backend backend() {
        onDevice();
        return Backend.forDevice(DEVICE);
    }

    /**
     * Any call taking operands and returning one new tensor (an executor run, an expression): operands moved to
     * the device under test, no host copy inside the call, result back on the host.
     */
    public static Tensor apply(Function<Tensor[], Tensor> call, Tensor... operands) {
        if (!onDevice()) {
            return call.apply(operands);
        }
        List<Tensor> moved = new ArrayList<>();
        try {
            Tensor[] ops = toDevice(operands, moved);
            return back(noHostCopy(() -> call.apply(ops)));
        } finally {
            moved.forEach(Tensor::close);
        }
    }

    /**
     * Open host operands copied to the device (recorded in {@code moved} for closing) with their layout: the
     * span of host memory a view covers is copied, and the device operand is the same view (strides, offset,
     * stride-0 broadcasts) of that copy, so strided operands stay strided. Null, closed and non-host operands
     * are passed as they are, so rejection tests see what they gave.
     */
    private static Tensor[] toDevice(Tensor[] operands, List<Tensor> moved) {
        if (operands == null) {
            return null;
        }
        Tensor[] out = operands.clone();
        for (int i = 0; i < out.length; i++) {
            Tensor t = out[i];
            if (t != null && !t.isClosed() && t.device().isHost()) {
                if (t.numel() == 0) {
                    out[i] = t.to(DEVICE);
                    moved.add(out[i]);
                    continue;
                }
                long span = t.offset() + 1;
                for (int d = 0; d < t.rank(); d++) {
                    span += (long) (t.dim(d) - 1) * t.stride(d);
                }
                Tensor flat = t.asStrided(new int[] {Math.toIntExact(span)}, new long[] {1}, 0);
                Tensor dev = flat.to(DEVICE);
                moved.add(dev);
                out[i] = dev.asStrided(t.dims(), t.strides(), t.offset());
            }
        }
        return out;
    }

    /** Runs {@code call} and asserts it copied nothing between the host and the device under test. */
    public static <T> T noHostCopy(Supplier<T> call) {
        long before = hostCopies();
        T result = call.get();
        assertEquals(before, hostCopies(), "host copies made by the call on " + DEVICE);
        return result;
    }

    private static Tensor back(Tensor t) {
        try {
            if (!t.device().equals(DEVICE)) {
                throw new AssertionError("result lives on " + t.device() + ", not on the device under test " + DEVICE);
            }
            return t.to(Device.CPU);
        } finally {
            t.close();
        }
    }

    private static Map<String, Tensor> back(Map<String, Tensor> results) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, Tensor> e : results.entrySet()) {
                out.put(e.getKey(), back(e.getValue()));
            }
            return out;
        } catch (RuntimeException | AssertionError e) {
            results.values().forEach(Tensor::close);
            out.values().forEach(Tensor::close);
            throw e;
        }
    }
}
