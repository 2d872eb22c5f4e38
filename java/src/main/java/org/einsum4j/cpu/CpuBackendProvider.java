package org.einsum4j.cpu;

import org.einsum4j.Backend;
import org.einsum4j.BackendProvider;
import org.einsum4j.Einsum4jException;
import org.einsum4j.tensor.Device;

/** Registers the CPU backend for device type {@code cpu} (ServiceLoader; see META-INF/services). */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String deviceType() {
        return "cpu";
    }

    @Override
    public Backend open(Device device) {
        if (!device.isHost()) {
            throw new Einsum4jException("the CPU backend serves cpu, not " + device);
        }
        return CpuBackend.INSTANCE;
    }
}
