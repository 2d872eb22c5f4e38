package org.einsum4j.testing;

import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.DeviceStorage;
import org.einsum4j.tensor.Tensor;

/**
 * The checked device's memory: a contiguous host tensor that only {@link CheckedBackend}'s kernels unwrap.
 * To everything else it is device storage, so any host access from outside the backend (an address, an
 * element, a BLAS pointer) is refused with an exception, exactly as real device memory would be.
 */
final class CheckedStorage extends DeviceStorage {
    private final Tensor host;

    CheckedStorage(Device device, Tensor host) {
        super(device, host.numel() * host.dtype().byteSize());
        this.host = host;
    }

    /** The wrapped host memory: for the checked backend's kernels only. */
    Tensor host() {
        return host;
    }

    @Override
    public Object handle() {
        return "checked@" + Integer.toHexString(System.identityHashCode(host));
    }

    @Override
    protected void free() {
        host.close();
    }
}
