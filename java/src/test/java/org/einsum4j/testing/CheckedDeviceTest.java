package org.einsum4j.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.einsum4j.Backend;
import org.einsum4j.BackendUnavailableException;
import org.einsum4j.Einsum;
import org.einsum4j.Einsum4jException;
import org.einsum4j.InvalidOperandException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.HostAccess;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The device API on the checked device: host access refused, explicit copies counted, devices never mixed. */
class CheckedDeviceTest {
    private static final Device CHECKED = new Device(CheckedBackend.TYPE, 0);

    @Test
    void theSurefireExecutionSelectsTheDeviceUnderTest() {
        String prop = System.getProperty("einsum4j.test.device", "cpu");
        assertEquals(Device.parse(prop), UnderTest.DEVICE);
        assertEquals(!prop.equals("cpu"), UnderTest.onDevice());
    }

    @Test
    void refusesEveryHostAccessToDeviceMemory() {
        try (Tensor h = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 3, 4);
             Tensor d = h.to(CHECKED)) {
            assertEquals(CHECKED, d.device());
            Einsum4jException e = assertThrows(Einsum4jException.class, () -> d.get(0, 0));
            assertEquals("tensor FLOAT32(3, 4) lives on checked:0; copy it to the host with to(Device.CPU)",
                    e.getMessage());
            assertThrows(Einsum4jException.class, () -> d.set(1.0, 0, 0));
            assertThrows(Einsum4jException.class, () -> HostAccess.address(d));
            assertThrows(Einsum4jException.class, () -> HostAccess.floatPointer(d.transpose()));
            // a CPU kernel handed device memory refuses it too, instead of reading it
            assertThrows(Einsum4jException.class, () -> Backend.cpu().sum(d, new boolean[] {true, false}));
        }
    }

    @Test
    void copiesToAndFromTheHostAreExplicitAndCounted() {
        long before = CheckedBackend.hostCopies();
        try (Tensor h = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3); Tensor d = h.to(CHECKED)) {
            assertEquals(before + 1, CheckedBackend.hostCopies());
            assertArrayEquals(new double[] {1, 4, 2, 5, 3, 6}, d.transpose().toDoubleArray());
            assertEquals(before + 2, CheckedBackend.hostCopies());
            try (Tensor f = d.to(DType.FLOAT32)) {
                assertEquals(CHECKED, f.device());
                assertEquals(before + 2, CheckedBackend.hostCopies(), "a conversion on the device stays there");
            }
        }
    }

    @Test
    void contractsOnTheDeviceWithoutHostCopies() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 5, 7).to(CHECKED);
             Tensor b = Tensor.random(DType.FLOAT32, 2, 7, 3).to(CHECKED)) {
            long before = CheckedBackend.hostCopies();
            try (Tensor c = Einsum.contract("ij,jk->ik", a, b); Tensor s = Einsum.contract("ij->", a)) {
                assertEquals(before, CheckedBackend.hostCopies());
                assertEquals(CHECKED, c.device());
                assertEquals(CHECKED, s.device());
            }
        }
    }

    @Test
    void rejectsOperandsOnDifferentDevicesNamingEach() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 2, 2); Tensor b = a.to(CHECKED)) {
            InvalidOperandException e = assertThrows(InvalidOperandException.class,
                    () -> Einsum.contract("ij,jk->ik", a, b));
            assertTrue(e.getMessage().contains("operand 0 on cpu, operand 1 on checked:0"), e.getMessage());
        }
    }

    @Test
    void gradSamplerRejectsInputsOnDifferentDevicesNamingEach() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 4, 3); Tensor g = Tensor.random(DType.FLOAT32, 2, 4, 2);
             Tensor dg = g.to(CHECKED)) {
            InvalidOperandException e = assertThrows(InvalidOperandException.class,
                    () -> org.einsum4j.gradsample.GradSampler.compute(
                            new org.einsum4j.gradsample.LinearLayer(3, 2, true), a, dg, 1));
            assertTrue(e.getMessage().contains("operand 0 on cpu, operand 1 on checked:0"), e.getMessage());
        }
    }

    @Test
    void cudaIsUnavailableWithAReason() {
        org.junit.jupiter.api.Assumptions.assumeTrue(org.einsum4j.cuda.Cuda.unavailableReason().isPresent(),
                "CUDA works here");
        BackendUnavailableException e = assertThrows(BackendUnavailableException.class,
                () -> Tensor.zeros(Device.cuda(0), DType.FLOAT32, 2));
        assertTrue(e.getMessage().startsWith("CUDA backend unavailable for cuda:0: "), e.getMessage());
    }

    @Test
    void npyWritesADeviceTensorThroughAnExplicitCopy() throws java.io.IOException {
        try (Tensor d = Tensor.zeros(CHECKED, DType.FLOAT64, 2, 2)) {
            assertEquals(CHECKED, d.device());
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            org.einsum4j.tensor.Npy.write(d, bytes);
            try (Tensor back = org.einsum4j.tensor.Npy.read(new java.io.ByteArrayInputStream(bytes.toByteArray()),
                    "memory")) {
                assertEquals(Device.CPU, back.device());
                assertArrayEquals(new double[4], back.toDoubleArray());
            }
        }
    }

    @Test
    void parsesDevices() {
        assertEquals(Device.CPU, Device.parse("CPU"));
        assertEquals(Device.cuda(1), Device.parse("cuda:1"));
        assertEquals(Device.cuda(0), Device.parse("cuda"));
        assertEquals("cuda:1", Device.cuda(1).toString());
        assertThrows(Einsum4jException.class, () -> Device.parse("cuda:-1"));
        assertThrows(Einsum4jException.class, () -> Device.parse("gpu 0"));
        assertThrows(Einsum4jException.class, () -> Device.parse("cpu:1"));
    }
}
