package org.einsum4j.arch;

import org.bytedeco.javacpp.FloatPointer;
import org.einsum4j.tensor.HostAccess;
import org.einsum4j.tensor.Tensor;

/**
 * Deliberately breaks the architecture rules (test tree only, never imported with the main classes): reads a
 * tensor's memory by address and through a BLAS pointer from outside the CPU backend, as a crashing sampler
 * kernel would. {@link ArchitectureTest} asserts the rules report it.
 */
final class SneakyHostReader {
    private SneakyHostReader() {
    }

    static float first(Tensor t) throws ReflectiveOperationException {
        FloatPointer p = HostAccess.floatPointer(t);
        java.lang.reflect.Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        sun.misc.Unsafe u = (sun.misc.Unsafe) f.get(null);
        return u.getFloat(HostAccess.address(t)) + p.get(0);
    }
}
