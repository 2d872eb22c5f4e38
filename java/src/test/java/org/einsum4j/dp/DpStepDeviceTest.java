package org.einsum4j.dp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.einsum4j.gradsample.ConvLayer;
import org.einsum4j.gradsample.EmbeddingLayer;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.gradsample.LayerNormLayer;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.gradsample.RnnLayer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.einsum4j.testing.CheckedBackend;
import org.einsum4j.testing.UnderTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The DP step on the device under test ({@link UnderTest}: the checked device in the {@code checked-device}
 * surefire run, whose memory refuses host access outside its kernels) gives the host's results: the step touches
 * tensors only through contractions, the grad samplers, the Backend and the public Tensor API, puts its host
 * values (clip factors, noise) on the operands' device, and reads back only B-sized norm vectors and scalars.
 */
class DpStepDeviceTest {

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (NormMode mode : new NormMode[] {NormMode.GHOST, NormMode.MATERIALIZED}) {
            out.add(Arguments.of("Linear K=2 T=3", mode));
            out.add(Arguments.of("Conv2d groups=2", mode));
            out.add(Arguments.of("Embedding pad", mode));
            out.add(Arguments.of("LayerNorm", mode));
            out.add(Arguments.of("LSTM time-first", mode));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void sameResultsOnTheDeviceUnderTest(String name, NormMode mode) {
        int b = 3;
        int k = 2;
        int rows = b * k;
        Layer layer;
        List<Tensor> acts = new ArrayList<>();
        List<Tensor> backs = new ArrayList<>();
        switch (name.split(" ")[0]) {
            case "Linear" -> {
                layer = new LinearLayer(5, 4, true);
                acts.add(Tensor.random(DType.FLOAT64, 1, rows, 3, 5));
                backs.add(Tensor.random(DType.FLOAT64, 2, rows, 3, 4));
            }
            case "Conv2d" -> {
                layer = ConvLayer.of(2, 4, 6, 3).withGroups(2).withPadding(1);
                acts.add(Tensor.random(DType.FLOAT64, 3, rows, 4, 5, 5));
                backs.add(Tensor.random(DType.FLOAT64, 4, rows, 6, 5, 5));
            }
            case "Embedding" -> {
                layer = new EmbeddingLayer(7, 3, 2);
                long[] idx = new long[rows * 4];
                for (int i = 0; i < idx.length; i++) {
                    idx[i] = (i * 5L) % 7;
                }
                acts.add(Tensor.ofLongs(idx, rows, 4));
                backs.add(Tensor.random(DType.FLOAT64, 5, rows, 4, 3));
            }
            case "LayerNorm" -> {
                layer = LayerNormLayer.of(1e-5, 6);
                acts.add(Tensor.random(DType.FLOAT64, 6, rows, 2, 6));
                backs.add(Tensor.random(DType.FLOAT64, 7, rows, 2, 6));
            }
            default -> {
                layer = new RnnLayer(RnnLayer.RnnKind.LSTM, 3, 2, true, false);
                acts.add(Tensor.random(DType.FLOAT64, 8, 4, rows, 3));
                acts.add(Tensor.random(DType.FLOAT64, 9, 4, rows, 2));
                backs.add(Tensor.random(DType.FLOAT64, 10, 4, rows, 8));
                backs.add(Tensor.random(DType.FLOAT64, 11, 4, rows, 8));
            }
        }
        List<Tensor> moved = new ArrayList<>();
        try {
            List<Tensor> da = new ArrayList<>();
            List<Tensor> dg = new ArrayList<>();
            for (Tensor t : acts) {
                da.add(add(moved, t.to(UnderTest.DEVICE)));
            }
            for (Tensor t : backs) {
                dg.add(add(moved, t.to(UnderTest.DEVICE)));
            }
            DpStep.Builder step = DpStep.builder().maxGradNorm(0.5).noiseMultiplier(0.3).multiplicity(k)
                    .kReduction(KReduction.MEAN).normMode(mode).meanLoss(4);
            try (DpResult host = step.noise(GaussianNoise.seeded(9)).build()
                    .run(List.of(new LayerBatch("l", layer, acts, backs)));
                 DpResult dev = runCountingReads(step.noise(GaussianNoise.seeded(9)).build(),
                         new LayerBatch("l", layer, da, dg), layer instanceof EmbeddingLayer && mode == NormMode.GHOST
                                 ? acts.get(0).numel() : b, name)) {
                assertArrayEquals(host.norms().flat(), dev.norms().flat(), 1e-12, name);
                assertEquals(host.gradients().keySet(), dev.gradients().keySet());
                for (Map.Entry<String, Tensor> e : host.gradients().entrySet()) {
                    Tensor d = dev.gradients().get(e.getKey());
                    assertEquals(UnderTest.DEVICE, d.device(), e.getKey() + " stays on the operands' device");
                    try (Tensor back = d.to(Device.CPU)) {
                        assertArrayEquals(e.getValue().toDoubleArray(), back.toDoubleArray(), 1e-12, e.getKey());
                    }
                }
            }
        } finally {
            moved.forEach(Tensor::close);
            acts.forEach(Tensor::close);
            backs.forEach(Tensor::close);
        }
    }

    /**
     * The step on the device; on the checked device, no copy to the host moves more than {@code most} elements: B
     * (the per-sample norms, the NaN scans' scalars), or for Embedding's ghost norms the squared norms of the
     * merged (sample, token) rows (at most one per index). The sums, the noise and the inputs never come to the
     * host.
     */
    private static DpResult runCountingReads(DpStep step, LayerBatch batch, long most, String name) {
        if (!UnderTest.DEVICE.type().equals(CheckedBackend.TYPE)) {
            return step.run(List.of(batch));
        }
        CheckedBackend.largestToHostSinceLastCall();
        long before = CheckedBackend.toHostElements();
        DpResult r = step.run(List.of(batch));
        long largest = CheckedBackend.largestToHostSinceLastCall();
        assertTrue(largest <= most, name + ": a copy to the host of " + largest + " elements (at most " + most
                + " expected)");
        assertTrue(CheckedBackend.toHostElements() > before, name + ": the norms come to the host");
        return r;
    }

    private static Tensor add(List<Tensor> list, Tensor t) {
        list.add(t);
        return t;
    }
}
