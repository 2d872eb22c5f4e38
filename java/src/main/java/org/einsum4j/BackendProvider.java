package org.einsum4j;

import org.einsum4j.tensor.Device;

/**
 * Makes the backend of a device type; registered through {@link java.util.ServiceLoader}
 * ({@code META-INF/services/org.einsum4j.BackendProvider}), so the interface never names an implementation.
 */
public interface BackendProvider {
    /** The device type served, e.g. {@code cpu}. */
    String deviceType();

    /**
     * The backend of {@code device} (of this provider's type); called once per device.
     *
     * @throws BackendUnavailableException when the device cannot be used here (no driver, no such index)
     */
    Backend open(Device device);
}
