package org.einsum4j.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.Function;
import org.einsum4j.ContractExpression;
import org.einsum4j.ContractOptions;
import org.einsum4j.Einsum;
import org.einsum4j.Einsum4jException;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.tensor.CloseRace;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.LiveBytes;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Issue 13, item 1: an operand closed by another thread while a call runs on it gives the right result or a
 * clear exception saying it is closed, never a wrong result. {@link CloseRace} closes the operand at its k-th address
 * access inside the call (for every k the call reaches) and lets the closing thread allocate a block of the same
 * size filled with 1e6 at once, which takes the freed block from the allocator's cache when the call does not
 * hold it. Before operands were held for the call, 'ij->i' summed the 1e6s and the BLAS paths read them.
 * Blocks of 128×128 FLOAT32 (64 KiB) are the smallest the cache keeps.
 */
@Isolated
class CloseDuringCallTest {
    private static final int N = 128;

    /** Runs {@code call} with operand {@code victim} closed at every access point; checks each outcome. */
    private static void everyAccess(String what, double[] expected, int victim, int operands,
                                    Function<Tensor[], double[]> call) {
        long before = LiveBytes.settled();
        int reachedPoints = 0;
        for (int k = 1; k < 64; k++) {
            Tensor[] ops = new Tensor[operands];
            for (int i = 0; i < operands; i++) {
                ops[i] = Tensor.random(DType.FLOAT32, 10 + i, N, N);
            }
            try {
                CloseRace.Outcome<double[]> o = CloseRace.run(ops[victim], k, () -> call.apply(ops));
                if (o.error() != null) {
                    // TensorClosedException, or the entry check of an inner call (InvalidOperandException)
                    assertInstanceOf(Einsum4jException.class, o.error(), what + " at access " + k);
                    assertTrue(o.error().getMessage().contains("closed"), what + ": " + o.error().getMessage());
                } else {
                    assertArrayEquals(expected, o.result(), 1e-3, what + ": wrong result with the operand closed at "
                            + "access " + k);
                }
                if (!o.closedDuringCall()) {
                    break;
                }
                reachedPoints++;
            } finally {
                for (Tensor t : ops) {
                    t.close();
                }
            }
        }
        assertTrue(reachedPoints > 0, what + ": the call never read the operand's memory");
        assertEquals(before, LiveBytes.settled(), what + ": deferred releases must happen when the call ends");
    }

    private static double[] expected(Function<Tensor[], double[]> call, int operands) {
        Tensor[] ops = new Tensor[operands];
        for (int i = 0; i < operands; i++) {
            ops[i] = Tensor.random(DType.FLOAT32, 10 + i, N, N);
        }
        try {
            return call.apply(ops);
        } finally {
            for (Tensor t : ops) {
                t.close();
            }
        }
    }

    private static double[] contract(String spec, Tensor[] ops) {
        try (Tensor r = Einsum.contract(spec, ops)) {
            return r.toDoubleArray();
        }
    }

    @Test
    void sumKernel() {
        Function<Tensor[], double[]> call = ops -> contract("ij->i", ops);
        everyAccess("contract ij->i", expected(call, 1), 0, 1, call);
    }

    @Test
    void gemm() {
        Function<Tensor[], double[]> call = ops -> contract("ij,jk->ik", ops);
        double[] want = expected(call, 2);
        everyAccess("contract ij,jk->ik (a closed)", want, 0, 2, call);
        everyAccess("contract ij,jk->ik (b closed)", want, 1, 2, call);
    }

    @Test
    void expression() {
        ContractExpression e = Einsum.expression("ij,kj->ik", ContractOptions.defaults(), DType.FLOAT32,
                new int[] {N, N}, new int[] {N, N});
        Function<Tensor[], double[]> call = ops -> {
            try (Tensor r = e.contract(ops)) {
                return r.toDoubleArray();
            }
        };
        everyAccess("ContractExpression ij,kj->ik", expected(call, 2), 1, 2, call);
    }

    @Test
    void gradSampler() {
        Layer lin = new LinearLayer(N, N, true);
        Function<Tensor[], double[]> call = ops -> {
            Map<String, Tensor> g = GradSampler.compute(lin, ops[0], ops[1], 2);
            try {
                double[] w = g.get("weight").toDoubleArray();
                double[] b = g.get("bias").toDoubleArray();
                double[] all = java.util.Arrays.copyOf(w, w.length + b.length);
                System.arraycopy(b, 0, all, w.length, b.length);
                return all;
            } finally {
                g.values().forEach(Tensor::close);
            }
        };
        double[] want = expected(call, 2);
        everyAccess("GradSampler Linear (activations closed)", want, 0, 2, call);
        everyAccess("GradSampler Linear (backprops closed)", want, 1, 2, call);
    }
}
