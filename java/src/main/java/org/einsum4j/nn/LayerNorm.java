package org.einsum4j.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.einsum4j.Einsum;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.gradsample.LayerNormLayer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.LayerNorm(normalizedShape, eps)} with affine weight and bias: x̂ over the trailing
 * {@code normalizedShape} dims (kernel), then {@code y = x̂ ⊙ γ + β} ({@code rd,d->rd} and a broadcast add); the
 * parameter gradients are {@code rd,rd->d} and {@code rd->d}.
 */
public final class LayerNorm extends Module {
    private final int[] normalizedShape;
    private final int size;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;
    private Tensor xhat;
    private Tensor stats;

    public LayerNorm(int[] normalizedShape, double eps, DType dtype) {
        if (normalizedShape.length == 0 || Arrays.stream(normalizedShape).anyMatch(d -> d < 1) || !(eps >= 0)) {
            throw new NnException("LayerNorm needs a non-empty normalized shape of sizes >= 1 and eps >= 0, got "
                    + Arrays.toString(normalizedShape) + ", eps=" + eps);
        }
        this.normalizedShape = normalizedShape.clone();
        this.size = prod(normalizedShape, 0, normalizedShape.length);
        this.eps = eps;
        this.weight = new Parameter("weight", constant(dtype, 1, normalizedShape));
        this.bias = new Parameter("bias", constant(dtype, 0, normalizedShape));
    }

    @Override
    public int[] outputShape(int[] s) {
        int lead = s.length - normalizedShape.length;
        if (lead < 1 || !Arrays.equals(Arrays.copyOfRange(s, lead, s.length), normalizedShape)) {
            throw shape(this, "[N, ..., " + Arrays.toString(normalizedShape).replaceAll("[\\[\\]]", "") + "]", s);
        }
        return s.clone();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        release();
        outputShape(x.dims());
        sameDevice(x, weight);
        int rows = (int) (x.numel() / size);
        NnKernels k = NnKernels.of(x);
        Tensor[] r = k.normalize(x, size, eps);
        xhat = own(r[0]).view(rows, size);
        stats = own(r[1]);
        Tensor y = own(Einsum.contract("rd,d->rd", xhat, weight.value().view(size)));
        y = own(k.addAlongAxis(y, bias.value().view(size), 1));
        if (training) {
            input = x;
        }
        return y.view(x.dims());
    }

    @Override
    public Tensor backward(Tensor g, boolean parameterGradients) {
        checkTrained("LayerNorm");
        gradOut = g;
        int rows = (int) (g.numel() / size);
        Tensor g2 = g.view(rows, size);
        if (parameterGradients) {
            try (Tensor dw = Einsum.contract("rd,rd->d", g2, xhat); Tensor db = Einsum.contract("rd->d", g2)) {
                weight.setGrad(dw.reshape(normalizedShape));
                bias.setGrad(db.reshape(normalizedShape));
            }
        }
        Tensor dxhat = own(Einsum.contract("rd,d->rd", g2, weight.value().view(size)));
        return own(NnKernels.of(g).normalizeBackward(dxhat, xhat, stats, size)).view(g.dims());
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    @Override
    public Optional<Layer> layer() {
        return Optional.of(new LayerNormLayer(normalizedShape, eps, true, true));
    }

    @Override
    public String toString() {
        return "LayerNorm(" + Arrays.toString(normalizedShape) + ", eps=" + eps + ")";
    }
}
