package org.einsum4j.gradsample;

import java.util.Map;

/**
 * {@code torch.nn.Embedding(num, dim, padding_idx)}: activations are INT64 indices {@code [B·K, …]}, backprops
 * {@code [B·K, …, dim]}. {@code paddingIdx} is {@link #NO_PADDING} or a row in {@code [0, num)} whose gradient
 * stays zero (as PyTorch does; negative PyTorch-style indices are normalized by {@link #of(int, int, Integer)}).
 * Its sampler, {@link EmbeddingSampler}, keeps its own file: it is public for its sparse-gradient API.
 */
public record EmbeddingLayer(int num, int dim, int paddingIdx) implements Layer {
    public static final int NO_PADDING = -1;

    public EmbeddingLayer {
        Checks.positive("Embedding num", num);
        Checks.positive("Embedding dim", dim);
        if (paddingIdx != NO_PADDING && (paddingIdx < 0 || paddingIdx >= num)) {
            throw new GradSampleException("Embedding padding_idx " + paddingIdx + " out of range [0, " + num
                    + ")");
        }
    }

    /** PyTorch's constructor: {@code paddingIdx} null for none, negative counted from the end. */
    public static EmbeddingLayer of(int num, int dim, Integer paddingIdx) {
        if (paddingIdx == null) {
            return new EmbeddingLayer(num, dim, NO_PADDING);
        }
        int p = paddingIdx;
        if (p < -num || p >= num) {
            throw new GradSampleException("Embedding padding_idx " + p + " out of range [" + (-num) + ", "
                    + num + ")");
        }
        return new EmbeddingLayer(num, dim, p < 0 ? p + num : p);
    }

    public boolean hasPadding() {
        return paddingIdx != NO_PADDING;
    }

    @Override
    public String kind() {
        return "Embedding";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        return Map.of("weight", new int[] {num, dim});
    }
}
