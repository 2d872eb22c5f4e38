package org.einsum4j.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 7: the packaged CLI jar on JDK 25 with {@code --sun-misc-unsafe-memory-access=deny} (the
 * future default) works and prints no warning line: its manifest enables native access (JavaCPP's
 * {@code System.load}, the foreign-memory Memory) and the multi-release jar's JDK 22+ classes use no Unsafe.
 * Run by the {@code jdk25-deny} failsafe execution, which passes the jar and the JDK 25 java.
 */
class Jdk25CliJarIT {
    @Test
    void contractOnJdk25WithUnsafeDeniedPrintsNoWarning() throws IOException, InterruptedException {
        String jar = System.getProperty("einsum4j.cliJar");
        String java = System.getProperty("einsum4j.jdk25");
        assumeTrue(jar != null && java != null && Files.exists(Path.of(jar)), "run by the jdk25-deny execution");
        Process p = new ProcessBuilder(java, "--sun-misc-unsafe-memory-access=deny", "-jar", jar, "contract",
                "ij,jk->ik", "64x64", "64x64").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().toList();
        assertFalse(lines.stream().anyMatch(l -> l.contains("WARNING")), out);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("result")), out);
    }
}
