package org.einsum4j.testing;

import org.einsum4j.Backend;
import org.einsum4j.BackendProvider;
import org.einsum4j.tensor.Device;

/** Registers {@link CheckedBackend} for device type {@code checked} (test classpath only). */
public final class CheckedBackendProvider implements BackendProvider {
    @Override
    public String deviceType() {
        return CheckedBackend.TYPE;
    }

    @Override
    public Backend open(Device device) {
        return new CheckedBackend(device);
    }
}
