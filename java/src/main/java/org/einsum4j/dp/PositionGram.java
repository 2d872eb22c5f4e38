package org.einsum4j.dp;

import org.einsum4j.Einsum;
import org.einsum4j.tensor.Tensor;

/**
 * Ghost norms of a linear map applied at several positions per sample (sequence positions T and the K copies,
 * folded together): the per-sample weight gradient is {@code G_n = Σ_p g_p a_pᵀ}, so
 * {@code ‖G_n‖² = Σ_{p,q} ⟨g_p, g_q⟩⟨a_p, a_q⟩ = ⟨g gᵀ, a aᵀ⟩} with two {@code [P, P]} Gram matrices per sample —
 * O(B·P²·(i + o)) instead of the O(B·P·i·o) of materializing (Li et al. 2022, "Large language models can be
 * strong differentially private learners", §4). With one position it is {@code ‖g_n‖²·‖a_n‖²}.
 *
 * <p>Operands are views whose leading labels are given by a layout string holding {@code n} (the sample) and the
 * position labels (e.g. {@code nkt} for {@code [B, K, T, f]}, {@code tnk} time-first); the feature dim is last.
 */
final class PositionGram {
    private PositionGram() {
    }

    /** {@code ‖Σ_p g_p a_pᵀ‖²} per sample. */
    static double[] weight(Tensor g, Tensor a, String layout) {
        String pos = layout.replace("n", "");
        long positions = 1;
        for (int i = 0; i < layout.length(); i++) {
            if (layout.charAt(i) != 'n') {
                positions *= g.dim(i);
            }
        }
        if (positions == 1) {
            double[] gg = Tensors.host(Einsum.contract(layout + "o," + layout + "o->n", g, g));
            double[] aa = Tensors.host(Einsum.contract(layout + "i," + layout + "i->n", a, a));
            for (int i = 0; i < gg.length; i++) {
                gg[i] *= aa[i];
            }
            return gg;
        }
        String other = layout.toUpperCase(java.util.Locale.ROOT).replace('N', 'n');
        String gram = "n" + pos + pos.toUpperCase(java.util.Locale.ROOT);
        try (Tensor ga = Einsum.contract(layout + "i," + other + "i->" + gram, a, a);
             Tensor gg = Einsum.contract(layout + "o," + other + "o->" + gram, g, g)) {
            return Tensors.host(Einsum.contract(gram + "," + gram + "->n", ga, gg));
        }
    }

    /** {@code ‖Σ_p g_p‖²} per sample: the bias gradient's norm. */
    static double[] bias(Tensor g, String layout) {
        try (Tensor s = Einsum.contract(layout + "o->no", g)) {
            return Tensors.host(Einsum.contract("no,no->n", s, s));
        }
    }

    /** Flops of {@link #weight}: the two Grams and their inner product. */
    static double ghostCost(double b, double positions, double in, double out) {
        if (positions == 1) {
            return 2 * b * (in + out);
        }
        return 2 * b * positions * positions * (in + out) + 2 * b * positions * positions;
    }

    /** Flops of materializing {@code [B, o, i]} and taking its norms. */
    static double materializedCost(double b, double positions, double in, double out) {
        return 2 * b * positions * in * out + 2 * b * in * out;
    }

    /** Multiplies squared norms by {@code f} in place (1/K² for {@code KReduction.MEAN}); returns them. */
    static double[] scale(double[] sq, double f) {
        if (f != 1) {
            for (int i = 0; i < sq.length; i++) {
                sq[i] *= f;
            }
        }
        return sq;
    }
}
