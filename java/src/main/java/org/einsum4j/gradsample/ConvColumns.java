package org.einsum4j.gradsample;

import org.einsum4j.tensor.Tensor;

/**
 * The unfolded (im2col) form of a convolution's input, for code outside this package that works on it — the DP
 * step's ghost norms of {@code Conv1d/2d/3d}, which need the columns but not the per-sample gradient. The same
 * kernel and layout as {@link ConvSampler} uses.
 */
public final class ConvColumns {
    private ConvColumns() {
    }

    /**
     * The columns of activations {@code [B·K, C_in, spatial…]}: a new contiguous {@code [B, G, K, (C_in/G)·Πk, L]}
     * (L = output positions), owned by the caller. The caller has validated the activations against the layer
     * (e.g. through {@link GradSampler#compute} on an empty slice of the batch).
     */
    public static Tensor of(ConvLayer layer, Tensor activations, int k) {
        int nd = layer.dims();
        int[] inSp = java.util.Arrays.copyOfRange(activations.dims(), 2, nd + 2);
        int[] outSp = layer.outputSize(inSp);
        int b = Checks.samples(layer, activations, "activations", 0, k);
        int[][] lr = layer.padding().resolve(layer.kernel(), layer.dilation());
        int[] p3 = new int[3];
        for (int i = 0; i < nd; i++) {
            p3[3 - nd + i] = lr[i][0];
        }
        try (Scope s = new Scope()) {
            Tensor ac = s.contiguous(activations);
            return SampleKernels.unfold(ac, b, k, layer.groups(), layer.in(), pad3(inSp), pad3(layer.kernel()),
                    pad3(layer.stride()), p3, pad3(layer.dilation()), pad3(outSp));
        }
    }

    private static int[] pad3(int[] v) {
        int[] o = {1, 1, 1};
        System.arraycopy(v, 0, o, 3 - v.length, v.length);
        return o;
    }
}
