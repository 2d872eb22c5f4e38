package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void demoRunsAndAgreesWithTheOracle() {
        CliRun r = CliRun.of("demo");
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("n...i,n...j->nij"), r.out());
        assertTrue(r.out().contains("examples agree with the oracle"), r.out());
        assertEquals("", r.err());
    }
}
