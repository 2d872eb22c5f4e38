package org.einsum4j.cuda;

import org.einsum4j.Backend;
import org.einsum4j.BackendProvider;
import org.einsum4j.BackendUnavailableException;
import org.einsum4j.tensor.Device;

/**
 * Opens the CUDA backend of {@code cuda:N}: the bindings must load (no driver otherwise), device N must exist and
 * this build must hold the kernels; each missing piece is a {@link BackendUnavailableException} that says which.
 */
public final class CudaBackendProvider implements BackendProvider {
    @Override
    public String deviceType() {
        return "cuda";
    }

    @Override
    public Backend open(Device device) {
        String why = CudaRuntime.loadFailure().orElse(null);
        if (why != null) {
            throw new BackendUnavailableException("CUDA backend unavailable for " + device + ": " + why);
        }
        byte[] fatbin = Kernels.fatbin().orElseThrow(() ->
                new BackendUnavailableException("CUDA backend unavailable for " + device + ": " + Kernels.NOT_BUILT));
        try {
            return new CudaBackend(device, new JavaCppDriver(device.index()), fatbin);
        } catch (CudaException e) {
            throw new BackendUnavailableException("CUDA backend unavailable for " + device + ": " + e.getMessage(), e);
        }
    }
}
