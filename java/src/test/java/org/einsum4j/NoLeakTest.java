package org.einsum4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;
import org.einsum4j.tensor.LiveBytes;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;
import org.einsum4j.testing.UnderTest;

/**
 * Native memory is returned: after contractions (copies, splits, reductions, transposed operands) and after
 * rejected ones, the live bytes are what they were before, apart from the results the caller holds.
 */
@Isolated
class NoLeakTest {
    private static long settledLiveBytes() {
        return LiveBytes.settled();
    }

    @Test
    void contractionsReleaseEveryIntermediate() {
        String[][] cases = {
            {"nkoq,nkpq->nop", "3x2x4x20", "3x2x5x20"},
            {"ij,jk,kl,lm->im", "6x7", "7x3", "3x8", "8x5"},
            {"abc,cd,de,ef,fa->be", "3x4x5", "5x2", "2x3", "3x4", "4x3"},
            {"...ij,...jk->...ik", "2x3x4x5", "3x5x2"},
            {"iij,jk->k", "4x4x5", "5x6"},
            {"i,j->ij", "300", "400"},
        };
        Random r = new Random(3);
        long before = settledLiveBytes();
        for (String[] c : cases) {
            Tensor[] ops = new Tensor[c.length - 1];
            for (int i = 1; i < c.length; i++) {
                ops[i - 1] = Tensor.random(r.nextBoolean() ? DType.FLOAT32 : DType.FLOAT64, i,
                        org.einsum4j.tensor.Shape.parse(c[i]).toArray());
            }
            DType dt = ops[0].dtype();
            for (int i = 0; i < ops.length; i++) {
                Tensor o = ops[i].to(dt);
                ops[i].close();
                ops[i] = o;
            }
            for (String opt : new String[] {"auto", "greedy", "optimal"}) {
                try (Tensor out = UnderTest.contract(c[0], ContractOptions.defaults().withOptimize(opt), ops)) {
                    out.numel();
                }
            }
            for (Tensor t : ops) {
                t.close();
            }
        }
        assertEquals(before, HostAllocator.liveBytes(), "live native bytes after contractions");
    }

    @Test
    void rejectedContractionsAllocateNothing() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 3, 4); Tensor b = Tensor.random(DType.FLOAT32, 1, 5, 6)) {
            long before = settledLiveBytes();
            assertThrows(Einsum4jException.class, () -> UnderTest.contract("ij,jk->ik", a, b));
            assertThrows(Einsum4jException.class, () -> UnderTest.contract("ij,jk->iq", a, b));
            assertThrows(Einsum4jException.class, () -> UnderTest.contract("ij->ik", a));
            assertEquals(before, HostAllocator.liveBytes());
        }
    }
}
