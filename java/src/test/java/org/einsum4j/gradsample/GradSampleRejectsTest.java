package org.einsum4j.gradsample;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.einsum4j.InvalidOperandException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.einsum4j.testing.UnderTest;

/** Bad inputs are rejected before any work, with the exception type and a message that gives the values. */
class GradSampleRejectsTest {

    private static <T extends Throwable> void rejects(Class<T> type, Executable call, String... fragments) {
        T e = assertThrows(type, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void rejectsRowsNotDivisibleByK() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 7, 3); Tensor g = Tensor.random(DType.FLOAT32, 2, 7, 2)) {
            rejects(MultiplicityException.class, () -> UnderTest.compute(new LinearLayer(3, 2, true), a, g, 2),
                    "7 rows", "K = 2");
        }
    }

    @Test
    void rejectsKBelowOne() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 4, 3); Tensor g = Tensor.random(DType.FLOAT32, 2, 4, 2)) {
            rejects(MultiplicityException.class, () -> UnderTest.compute(new LinearLayer(3, 2, true), a, g, 0),
                    "K must be >= 1, got 0");
            rejects(MultiplicityException.class, () -> new LinearSampler().compute(new LinearLayer(3, 2, true),
                    List.of(a), List.of(g), -1, KReduction.SUM), "K must be >= 1, got -1");
        }
    }

    @Test
    void rejectsLinearFeatureSizesThatDoNotFit() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 4, 6); Tensor g = Tensor.random(DType.FLOAT32, 2, 4, 2)) {
            rejects(LayerShapeException.class, () -> UnderTest.compute(new LinearLayer(3, 2, true), a, g, 1),
                    "expected 3, got 6");
        }
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 4, 3); Tensor g = Tensor.random(DType.FLOAT32, 2, 5, 2)) {
            rejects(LayerShapeException.class, () -> UnderTest.compute(new LinearLayer(3, 2, true), a, g, 1),
                    "disagree on dim 0: 4 vs 5");
        }
    }

    @Test
    void rejectsDtypeMismatch() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 4, 3); Tensor g = Tensor.random(DType.FLOAT64, 2, 4, 2)) {
            rejects(InvalidOperandException.class, () -> UnderTest.compute(new LinearLayer(3, 2, true), a, g, 1),
                    "dtype mismatch", "FLOAT32", "FLOAT64");
        }
    }

    @Test
    void rejectsConvBackpropsOfTheWrongSpatialSize() {
        ConvLayer conv = ConvLayer.of(2, 3, 4, 3).withPadding(1);
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 2, 3, 8, 8);
             Tensor g = Tensor.random(DType.FLOAT32, 2, 2, 4, 6, 6)) {
            rejects(LayerShapeException.class, () -> UnderTest.compute(conv, a, g, 1),
                    "expected [8, 8]", "got [6, 6]");
        }
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 2, 5, 8, 8);
             Tensor g = Tensor.random(DType.FLOAT32, 2, 2, 4, 8, 8)) {
            rejects(LayerShapeException.class, () -> UnderTest.compute(conv, a, g, 1), "in channels",
                    "expected 3, got 5");
        }
    }

    @Test
    void rejectsPaddingModesOtherThanZeros() {
        rejects(UnsupportedLayerException.class,
                () -> ConvLayer.of(2, 3, 4, 3).withPaddingMode(ConvLayer.PaddingMode.REFLECT), "padding_mode 'reflect'",
                "only 'zeros'");
        rejects(UnsupportedLayerException.class, () -> ConvLayer.PaddingMode.parse("mirror"), "unknown padding mode");
    }

    @Test
    void rejectsBadConvDescriptions() {
        rejects(GradSampleException.class, () -> ConvLayer.of(2, 3, 4, 3).withGroups(2), "groups 2 must divide");
        rejects(GradSampleException.class, () -> ConvLayer.of(4, 3, 4, 3), "dims must be 1, 2 or 3");
        rejects(GradSampleException.class, () -> ConvLayer.of(2, 3, 4, 3, 3, 3), "expected 1 or 2 numbers");
    }

    @Test
    void rejectsEmbeddingIndicesOutOfRange() {
        EmbeddingLayer e = new EmbeddingLayer(5, 2, EmbeddingLayer.NO_PADDING);
        try (Tensor idx = Tensor.ofLongs(new long[] {0, 1, 2, 3, 7, 4}, 2, 3);
             Tensor g = Tensor.random(DType.FLOAT32, 2, 2, 3, 2)) {
            rejects(IndexOutOfRangeException.class, () -> UnderTest.compute(e, idx, g, 1), "index 7",
                    "position [1, 1]", "V = 5");
            rejects(IndexOutOfRangeException.class,
                    () -> new EmbeddingSampler().computeSparse(e, idx, g, 1, KReduction.SUM), "index 7");
        }
        try (Tensor idx = Tensor.ofLongs(new long[] {0, -1}, 1, 2);
             Tensor g = Tensor.random(DType.FLOAT32, 2, 1, 2, 2)) {
            rejects(IndexOutOfRangeException.class, () -> UnderTest.compute(e, idx, g, 1), "index -1");
        }
    }

    @Test
    void rejectsEmbeddingFloatIndices() {
        EmbeddingLayer e = new EmbeddingLayer(5, 2, EmbeddingLayer.NO_PADDING);
        try (Tensor idx = Tensor.random(DType.FLOAT32, 1, 2, 3); Tensor g = Tensor.random(DType.FLOAT32, 2, 2, 3, 2)) {
            rejects(InvalidOperandException.class, () -> UnderTest.compute(e, idx, g, 1), "INT64");
        }
    }

    @Test
    void rejectsNormShapesThatDoNotFit() {
        try (Tensor a = Tensor.random(DType.FLOAT32, 1, 4, 6); Tensor g = Tensor.random(DType.FLOAT32, 2, 4, 6)) {
            rejects(LayerShapeException.class, () -> UnderTest.compute(LayerNormLayer.of(1e-5, 5), a, g, 1),
                    "normalized_shape [5]", "expected 5, got 6");
            rejects(LayerShapeException.class,
                    () -> UnderTest.compute(new GroupNormLayer(2, 4, 1e-5, true), a, g, 1), "channels",
                    "expected 4, got 6");
            rejects(LayerShapeException.class,
                    () -> UnderTest.compute(new InstanceNormLayer(2, 4, 1e-5, true), a, g, 1), "rank 4");
        }
    }

    @Test
    void rejectsRnnWithMissingOrMisshapenInputs() {
        RnnLayer lstm = new RnnLayer(RnnLayer.RnnKind.LSTM, 3, 2, true, true);
        try (Tensor x = Tensor.random(DType.FLOAT32, 1, 4, 5, 3); Tensor h = Tensor.random(DType.FLOAT32, 2, 4, 5, 2);
             Tensor gi = Tensor.random(DType.FLOAT32, 3, 4, 5, 8);
             Tensor gh = Tensor.random(DType.FLOAT32, 4, 4, 5, 6)) {
            rejects(GradSampleException.class, () -> UnderTest.compute(lstm, x, gi, 1), "expected 2 activations");
            rejects(LayerShapeException.class,
                    () -> UnderTest.compute(lstm, List.of(x, h), List.of(gi, gh), 1, KReduction.SUM),
                    "4 gates x hidden", "expected 8, got 6");
            rejects(MultiplicityException.class,
                    () -> UnderTest.compute(lstm, List.of(x, h), List.of(gi, gi), 3, KReduction.SUM),
                    "4 rows", "K = 3");
        }
    }

    @Test
    void rejectsClosedAndNullTensors() {
        Tensor a = Tensor.random(DType.FLOAT32, 1, 4, 3);
        a.close();
        try (Tensor g = Tensor.random(DType.FLOAT32, 2, 4, 2)) {
            rejects(InvalidOperandException.class, () -> UnderTest.compute(new LinearLayer(3, 2, true), a, g, 1),
                    "closed");
            rejects(InvalidOperandException.class,
                    () -> UnderTest.compute(new LinearLayer(3, 2, true), g, null, 1), "backprops is null");
        }
    }

    @Test
    void rejectsLayersWithoutASampler() {
        record Unknown(int n) implements CustomLayer {
            @Override
            public String kind() {
                return "Unknown";
            }

            @Override
            public java.util.Map<String, int[]> parameterShapes() {
                return java.util.Map.of();
            }
        }
        try (Tensor g = Tensor.random(DType.FLOAT32, 2, 4, 2)) {
            rejects(UnsupportedLayerException.class, () -> UnderTest.compute(new Unknown(1), g, g, 1),
                    "no grad sampler registered for layer Unknown");
        }
    }
}
