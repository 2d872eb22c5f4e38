package org.einsum4j;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;

/**
 * The registry of backends: providers found once through {@link ServiceLoader}, one backend per device,
 * opened on first use. Thread-safe; the only static state is this cache.
 */
final class Backends {
    private static final Map<String, BackendProvider> PROVIDERS = load();
    private static final Map<Device, Backend> OPEN = new ConcurrentHashMap<>();
    /** The host's backend once opened: every host tensor copy asks for it, so it skips the map. */
    private static volatile Backend host;

    private Backends() {
    }

    private static Map<String, BackendProvider> load() {
        Map<String, BackendProvider> m = new TreeMap<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            m.putIfAbsent(p.deviceType(), p);
        }
        return m;
    }

    static Backend forDevice(Device device) {
        if (device == null) {
            throw new Einsum4jException("device is null");
        }
        Backend h = host;
        if (h != null && device.isHost()) {
            return h;
        }
        Backend b = OPEN.get(device);
        if (b != null) {
            return b;
        }
        BackendProvider p = PROVIDERS.get(device.type());
        if (p == null) {
            String why = device.type().equals("cuda") ? "the CUDA backend is not part of this build yet"
                    : "no backend is registered for device type '" + device.type() + "'";
            throw new BackendUnavailableException("no backend for " + device + ": " + why + " (available: "
                    + PROVIDERS.keySet() + ")");
        }
        b = OPEN.computeIfAbsent(device, p::open);
        if (device.isHost()) {
            host = b;
        }
        return b;
    }

    /** The device all operands live on; a clear exception listing each operand's device when they differ. */
    static Device commonDevice(Tensor[] operands) {
        Device d = null;
        boolean mixed = false;
        for (Tensor t : operands) {
            Device x = t.device();
            mixed |= d != null && !d.equals(x);
            d = d == null ? x : d;
        }
        if (mixed) {
            StringBuilder sb = new StringBuilder("operands live on different devices:");
            for (int i = 0; i < operands.length; i++) {
                sb.append(i == 0 ? " " : ", ").append("operand ").append(i).append(" on ")
                        .append(operands[i].device());
            }
            throw new InvalidOperandException(sb.append("; move them to one device with Tensor.to(Device)")
                    .toString());
        }
        return d == null ? Device.CPU : d;
    }
}
