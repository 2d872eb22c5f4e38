package org.einsum4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class DemoCommandTest {

    @Test
    void demoRunsAndAgreesWithTheOracle() {
        assumeTrue(CliRun.contractAvailable(), "Einsum.contract / ReferenceEinsum not implemented yet");
        CliRun r = CliRun.of("demo");
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("n...i,n...j->nij"), r.out());
        assertTrue(r.out().contains("examples agree with the oracle"), r.out());
        assertEquals("", r.err());
    }
}
