package org.einsum4j.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayInputStream;
import org.einsum4j.Einsum4jException;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.tensor.Npy;

/**
 * Coverage-guided fuzzing (Jazzer) of the {@code .npy} reader on arbitrary bytes: it must return a tensor no
 * larger than the bytes it was given, or throw an {@link Einsum4jException} — never another exception type, and
 * never allocate what the input cannot hold (a header claiming gigabytes is refused as the stream ends). Seeds in
 * {@code src/test/resources/org/einsum4j/fuzz/NpyFuzzTestInputs}.
 */
class NpyFuzzTest {
    @FuzzTest(maxDuration = "20s")
    void readArbitraryBytes(byte[] bytes) {
        try (Tensor t = Npy.read(new ByteArrayInputStream(bytes), "fuzz input")) {
            long data = t.numel() * t.dtype().byteSize();
            if (data > bytes.length) {
                throw new AssertionError("read " + data + " bytes of data from " + bytes.length + " bytes of input");
            }
            t.toDoubleArray();
        } catch (Einsum4jException expected) {
            // a clear refusal is the other allowed outcome
        }
    }
}
