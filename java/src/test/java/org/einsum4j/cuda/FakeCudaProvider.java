package org.einsum4j.cuda;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.einsum4j.Backend;
import org.einsum4j.BackendProvider;
import org.einsum4j.tensor.Device;

/**
 * Test-only: the real {@link CudaBackend} on a {@link RecordingDriver}, registered for device type
 * {@value #TYPE}, so {@code Einsum.contract} and {@code GradSampler.compute} reach it through the ordinary backend
 * registry exactly as they reach the CUDA backend on a GPU.
 */
public final class FakeCudaProvider implements BackendProvider {
    public static final String TYPE = "fakecuda";
    private static final Map<Device, RecordingDriver> DRIVERS = new ConcurrentHashMap<>();

    static Device device(int index) {
        return new Device(TYPE, index);
    }

    static RecordingDriver driver(Device d) {
        Backend.forDevice(d);
        return DRIVERS.get(d);
    }

    static CudaBackend backend(Device d) {
        return (CudaBackend) Backend.forDevice(d);
    }

    @Override
    public String deviceType() {
        return TYPE;
    }

    @Override
    public Backend open(Device device) {
        RecordingDriver driver = new RecordingDriver();
        DRIVERS.put(device, driver);
        return new CudaBackend(device, driver, new byte[] {0x50, (byte) 0xED, 0x55, (byte) 0xBA});
    }
}
