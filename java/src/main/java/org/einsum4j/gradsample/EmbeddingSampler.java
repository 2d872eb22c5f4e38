package org.einsum4j.gradsample;

import java.util.List;
import java.util.Map;
import org.einsum4j.InvalidOperandException;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * Per-sample gradients of {@code Embedding}: a scatter-add of the backprop rows into {@code [B, V, D]} at the
 * indices, summed over each sample's K·T positions; row {@code padding_idx} stays zero (as PyTorch, unlike
 * Opacus). The dense result is B·V·D values; {@link #computeSparse} gives per sample only the touched rows.
 * Not a contraction (a one-hot contraction would cost V times more), so it is a kernel of its own.
 */
public final class EmbeddingSampler implements LayerSampler<EmbeddingLayer>, LayerKind {

    @Override
    public Map<String, Tensor> compute(EmbeddingLayer layer, List<Tensor> activations, List<Tensor> backprops,
                                       int k, KReduction reduction) {
        int b = validate(layer, activations, backprops, k);
        Tensor idx = activations.get(0);
        Tensor g = backprops.get(0);
        Checks.Results out = new Checks.Results();
        try (Scope s = new Scope()) {
            Tensor ic = s.contiguous(idx);
            SampleKernels.checkIndices(layer, ic, layer.num());
            if (b == 0) {
                return Checks.emptyBatch(layer, g.dtype());
            }
            Tensor gc = s.contiguous(g);
            Tensor w = SampleKernels.embeddingDense(ic, gc, k, layer.num(), layer.dim(), layer.paddingIdx());
            out.put("weight", SampleKernels.finish(w, reduction, k, b, layer.num(), layer.dim()));
            return out.done();
        } catch (RuntimeException e) {
            out.closeAll();
            throw e;
        }
    }

    /**
     * The sparse per-sample gradient of {@code weight}: per sample, the distinct rows its tokens touched and
     * their summed (or, for MEAN, K-averaged) backprops. Same validation as {@link #compute}.
     */
    public SparseEmbeddingGrad computeSparse(EmbeddingLayer layer, Tensor indices, Tensor backprops, int k,
                                             KReduction reduction) {
        if (k < 1) {
            throw new MultiplicityException("augmentation multiplicity K must be >= 1, got " + k);
        }
        validate(layer, List.of(indices), List.of(backprops), k);
        try (Scope s = new Scope()) {
            Tensor ic = s.contiguous(indices);
            SampleKernels.checkIndices(layer, ic, layer.num());
            Tensor gc = s.contiguous(backprops);
            return SampleKernels.embeddingSparse(ic, gc, k, layer.dim(), layer.paddingIdx(),
                    reduction == KReduction.MEAN ? k : 1);
        }
    }

    private static int validate(EmbeddingLayer layer, List<Tensor> activations, List<Tensor> backprops, int k) {
        Checks.count(layer, activations, 1, "activations", "the INT64 indices");
        Checks.count(layer, backprops, 1, "backprops", "dL/d output");
        Tensor idx = activations.get(0);
        Tensor g = backprops.get(0);
        if (idx.dtype() != DType.INT64) {
            throw new InvalidOperandException(layer.kind() + ": activations must be INT64 indices, got "
                    + idx.dtype() + " " + idx.shape());
        }
        Checks.floating(layer, g, "backprops");
        Checks.minRank(layer, idx, "activations", 1, "[B*K, ...] indices");
        Checks.rank(layer, g, "backprops", idx.rank() + 1, "[B*K, ..., " + layer.dim() + "] (indices shape "
                + idx.shape() + " plus D)");
        Checks.sameDims(layer, idx, "activations", g, "backprops", 0, idx.rank());
        Checks.dim(layer, g, "backprops", g.rank() - 1, layer.dim(), "embedding dim");
        return Checks.samples(layer, idx, "activations", 0, k);
    }

    // ------------------------------------------------------------------ as tools describe it

    @Override
    public List<String> names() {
        return List.of("Embedding");
    }

    @Override
    public String help() {
        return "Embedding      V= D= T= [pad_idx=] [sparse]   (sparse: the per-sample touched-rows form)";
    }

    /** Activations are INT64 indices in [0, V): tools fill them with random rows, not random floats. */
    @Override
    public Workload describe(String name, Hyperparameters h, int rows) {
        h.allow("V", "D", "T", "pad_idx", "sparse");
        Integer pi = h.has("pad_idx") ? h.req("pad_idx") : null;
        EmbeddingLayer l = EmbeddingLayer.of(h.req("V"), h.req("D"), pi);
        int t = h.req("T");
        return new Workload(l, t, h.bool("sparse", false), List.of(new int[] {rows, t}),
                List.of(new int[] {rows, t, l.dim()}));
    }
}
