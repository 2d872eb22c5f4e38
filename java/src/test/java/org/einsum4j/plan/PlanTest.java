package org.einsum4j.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.einsum4j.Backend;
import org.einsum4j.ContractOptions;
import org.einsum4j.oracle.Close;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.path.PathInfo;
import org.einsum4j.path.Planner;
import org.einsum4j.spec.Contraction;
import org.einsum4j.spec.EinsumSpec;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAllocator;
import org.einsum4j.tensor.LiveBytes;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * The compiled plan's structure: which GEMMs read operands in place and which copy or split, what each step
 * frees, the bytes it plans for (checked against the allocator's live count), and steps over three or more
 * operands; every result against the float64 oracle.
 */
@Isolated
class PlanTest {
    private static Contraction bind(String spec, int[]... shapes) {
        return EinsumSpec.parse(spec).bind(shapes);
    }

    private static Plan compile(Contraction c, List<int[]> path, Tensor... ops) {
        PathInfo info = path == null ? Planner.plan(c, ContractOptions.defaults()) : Planner.plan(c, path);
        return Plan.compile(c, info, ops[0].dtype(), Plan.stridesOf(ops), Backend.cpu());
    }

    private static void checkAgainstOracle(String spec, Plan plan, Tensor... ops) {
        assertTrue(plan.matches(ops));
        try (Tensor got = plan.execute(ops); Tensor want = ReferenceEinsum.evaluate(spec, ops)) {
            assertTrue(got.isContiguous() && got.ownsMemory());
            Close.assertClose(want, got, 1e-12, spec);
        }
    }

    private static List<Step.Gemm> gemms(Plan p) {
        return p.steps().stream().filter(s -> s instanceof Step.Gemm).map(s -> (Step.Gemm) s).toList();
    }

    @Test
    void matmulOnContiguousOperandsNeedsNoCopyAndHandsOverItsResult() {
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 3, 4); Tensor b = Tensor.random(DType.FLOAT64, 2, 4, 5)) {
            Plan p = compile(bind("ij,jk->ik", a.dims(), b.dims()), null, a, b);
            assertEquals(2, p.steps().size());
            Step.Gemm g = assertInstanceOf(Step.Gemm.class, p.steps().get(0));
            assertFalse(g.opA().needsCopy());
            assertFalse(g.opB().needsCopy());
            assertEquals(0, g.split());
            assertArrayEquals(new int[] {1, 3, 5}, g.shape3());
            assertEquals(0, p.copies());
            assertEquals(0, p.workspaceBytes());
            assertTrue(assertInstanceOf(Step.Output.class, p.steps().get(1)).inPlace());
            checkAgainstOracle("ij,jk->ik", p, a, b);
        }
    }

    @Test
    void transposedMatmulOperandIsReadWithStridesNotCopied() {
        try (Tensor at = Tensor.random(DType.FLOAT64, 1, 4, 3); Tensor b = Tensor.random(DType.FLOAT64, 2, 4, 5)) {
            Tensor a = at.transpose();
            Plan p = compile(bind("ij,jk->ik", a.dims(), b.dims()), null, a, b);
            assertEquals(0, p.copies());
            checkAgainstOracle("ij,jk->ik", p, a, b);
        }
    }

    /**
     * {@code abc,bcd->ad} with the first operand stored as [a, c, b]: the summed labels (c, b) follow its memory
     * order, which the contiguous second operand cannot merge into one dimension. Shallow GEMMs (b < the
     * backend's split depth) copy it; deep ones split c off into an accumulated r dimension instead.
     */
    @Test
    void permutedOperandNeedsACopyOrAnRSplit() {
        for (int bSize : new int[] {4, 16}) {
            try (Tensor acb = Tensor.random(DType.FLOAT64, 1, 10, 3, bSize);
                 Tensor b = Tensor.random(DType.FLOAT64, 2, bSize, 3, 6)) {
                Tensor a = acb.permute(0, 2, 1);
                Contraction c = bind("abc,bcd->ad", a.dims(), b.dims());
                Plan p = compile(c, null, a, b);
                Step.Gemm g = gemms(p).get(0);
                if (bSize < Backend.cpu().minSplitDepth()) {
                    assertEquals(0, g.split(), "b = " + bSize);
                    assertTrue(g.opB().needsCopy(), "b = " + bSize);
                    assertFalse(g.opA().needsCopy(), "b = " + bSize);
                    assertEquals(bSize * 3 * 6 * 8L, p.workspaceBytes());
                    assertEquals(1, p.copies());
                } else {
                    assertEquals(1, g.split(), "b = " + bSize);
                    assertEquals(0, p.copies(), "b = " + bSize);
                    assertEquals(4, g.opA().dims().length);
                }
                assertTrue(p.toString().contains(g.split() > 0 ? "accumulated as r" : "(copied)"), p.toString());
                checkAgainstOracle("abc,bcd->ad", p, a, b);
                // the contiguous layout of the same contraction reads both in place
                try (Tensor ac = a.copy()) {
                    assertEquals(0, compile(c, null, ac, b).copies());
                    assertFalse(p.matches(new Tensor[] {ac, b}));
                }
            }
        }
    }

    /** ii->i and a broadcast dimension: prepared views by strides, the result a copy through the output step. */
    @Test
    void diagonalsAndBroadcastsArePreparedAsStrides() {
        try (Tensor m = Tensor.random(DType.FLOAT64, 3, 6, 6); Tensor v = Tensor.random(DType.FLOAT64, 4, 1, 5)) {
            Plan p = compile(bind("ii->i", m.dims()), null, m);
            assertArrayEquals(new long[] {7}, p.prepared(0).strides());
            assertEquals(1, p.steps().size());
            assertFalse(((Step.Output) p.steps().get(0)).inPlace());
            checkAgainstOracle("ii->i", p, m);
            try (Tensor w = Tensor.random(DType.FLOAT64, 5, 3, 5)) {
                Plan q = compile(bind("ij,ij->i", v.dims(), w.dims()), null, v, w);
                assertArrayEquals(new int[] {5}, q.prepared(0).dims()); // the size-1 i is dropped
                checkAgainstOracle("ij,ij->i", q, v, w);
            }
        }
    }

    /**
     * A chain of four: each intermediate is freed by the step that reads it, and the bytes the plan counts are
     * the allocator's peak and final live bytes exactly (sizes below the allocator's rounding threshold).
     */
    @Test
    void intermediatesAreFreedAtTheirLastUse() {
        String spec = "ij,jk,kl,lm->im";
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 5, 6); Tensor b = Tensor.random(DType.FLOAT64, 2, 6, 7);
             Tensor c = Tensor.random(DType.FLOAT64, 3, 7, 8); Tensor d = Tensor.random(DType.FLOAT64, 4, 8, 9)) {
            Tensor[] ops = {a, b, c, d};
            Contraction con = bind(spec, a.dims(), b.dims(), c.dims(), d.dims());
            Plan p = compile(con, List.of(new int[] {0, 1}, new int[] {0, 2}, new int[] {0, 1}), ops);
            List<Step.Gemm> g = gemms(p);
            assertEquals(3, g.size());
            assertArrayEquals(new int[0], g.get(0).free()); // reads operands only
            assertArrayEquals(new int[] {g.get(0).dst()}, g.get(1).free()); // ik dies in step 2
            assertArrayEquals(new int[] {g.get(1).dst()}, g.get(2).free()); // il dies in step 3
            // the last GEMM runs as il·lm so that im comes out in output order and is handed over uncopied
            assertEquals(g.get(1).dst(), g.get(2).a());
            assertTrue(((Step.Output) p.steps().get(3)).inPlace());
            // ik (35) + il (40) live in step 2, il + im (45) in step 3: 85 doubles at most
            assertEquals(85 * 8, p.peakBytes());
            long before = settledLiveBytes();
            HostAllocator.resetPeak();
            try (Tensor r = p.execute(ops)) {
                assertEquals(85 * 8, HostAllocator.peakBytes() - before);
                assertEquals(45 * 8, HostAllocator.liveBytes() - before);
                try (Tensor want = ReferenceEinsum.evaluate(spec, ops)) {
                    Close.assertClose(want, r, 1e-12, spec);
                }
            }
            assertEquals(before, HostAllocator.liveBytes());
        }
    }

    /** A path step over three operands becomes two GEMMs, the pair with the smaller result first. */
    @Test
    void stepOverThreeOperandsBecomesPairsSmallestResultFirst() {
        String spec = "ij,jk,kl->il";
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 9, 2); Tensor b = Tensor.random(DType.FLOAT64, 2, 2, 9);
             Tensor c = Tensor.random(DType.FLOAT64, 3, 9, 3)) {
            Contraction con = bind(spec, a.dims(), b.dims(), c.dims());
            Plan p = compile(con, List.of(new int[] {0, 1, 2}), a, b, c);
            List<Step.Gemm> g = gemms(p);
            assertEquals(2, g.size());
            // jk·kl (2×3) is smaller than ij·jk (9×9); either may be the GEMM's A (the larger one is)
            assertEquals(java.util.Set.of(1, 2), java.util.Set.of(g.get(0).a(), g.get(0).b()));
            assertTrue(g.get(0).dst() == g.get(1).a() || g.get(0).dst() == g.get(1).b());
            checkAgainstOracle(spec, p, a, b, c);
        }
    }

    /** A label summed by one operand only is a Sum step before the GEMM, and that sum's result is freed by it. */
    @Test
    void preStepSumsRunBeforeTheGemm() {
        String spec = "ijx,jk->ik";
        try (Tensor a = Tensor.random(DType.FLOAT64, 1, 3, 4, 5); Tensor b = Tensor.random(DType.FLOAT64, 2, 4, 6)) {
            Plan p = compile(bind(spec, a.dims(), b.dims()), null, a, b);
            Step.Sum s = assertInstanceOf(Step.Sum.class, p.steps().get(0));
            assertArrayEquals(new boolean[] {false, false, true}, s.reduce());
            Step.Gemm g = assertInstanceOf(Step.Gemm.class, p.steps().get(1));
            assertArrayEquals(new int[] {s.dst()}, g.free());
            checkAgainstOracle(spec, p, a, b);
        }
    }

    private static long settledLiveBytes() {
        return LiveBytes.settled();
    }
}
