package org.einsum4j.nn;

import java.util.SplittableRandom;
import org.einsum4j.Einsum;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.Dropout(p)}: in training, each element is zeroed with probability {@code p} and the rest scaled
 * by {@code 1/(1−p)} (a Hadamard product with the mask, {@code ...,...->...}); the identity in evaluation. Masks come
 * from a seeded generator, one per forward pass, so runs are reproducible.
 */
public final class Dropout extends Module {
    private final double p;
    private final SplittableRandom random;
    private Tensor mask;

    public Dropout(double p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new NnException("Dropout p must be in [0, 1), got " + p);
        }
        this.p = p;
        this.random = new SplittableRandom(seed);
    }

    @Override
    public int[] outputShape(int[] s) {
        return s.clone();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        release();
        if (!training || p == 0) {
            mask = null;
            if (training) {
                input = x;
            }
            return x;
        }
        input = x;
        mask = own(NnKernels.of(x).dropoutMask(x.dtype(), x.dims(), p, random.nextLong()));
        return own(Einsum.contract("...,...->...", x, mask));
    }

    /** The mask of the last training pass (null when none was drawn). */
    Tensor mask() {
        return mask;
    }

    @Override
    public Tensor backward(Tensor g, boolean parameterGradients) {
        checkTrained("Dropout");
        return mask == null ? g : own(Einsum.contract("...,...->...", g, mask));
    }

    @Override
    public String toString() {
        return "Dropout(p=" + p + ")";
    }
}
