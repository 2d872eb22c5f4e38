package org.einsum4j.nn;

import java.util.List;
import java.util.Optional;
import org.einsum4j.Einsum;
import org.einsum4j.gradsample.GroupNormLayer;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.GroupNorm(groups, channels, eps)} with affine per-channel weight and bias over
 * {@code [N, C, …]}: x̂ over each group of C/G channels and all positions (kernel), then
 * {@code y = x̂ ⊙ γ + β} ({@code ncs,c->ncs} and a broadcast add); gradients {@code ncs,ncs->c} and
 * {@code ncs->c}.
 */
public final class GroupNorm extends Module {
    private final int groups;
    private final int channels;
    private final double eps;
    private final Parameter weight;
    private final Parameter bias;
    private Tensor xhat;
    private Tensor stats;

    public GroupNorm(int groups, int channels, double eps, DType dtype) {
        if (groups < 1 || channels < 1 || channels % groups != 0 || !(eps >= 0)) {
            throw new NnException("GroupNorm needs groups >= 1 dividing channels >= 1 and eps >= 0, got groups="
                    + groups + ", channels=" + channels + ", eps=" + eps);
        }
        this.groups = groups;
        this.channels = channels;
        this.eps = eps;
        this.weight = new Parameter("weight", constant(dtype, 1, channels));
        this.bias = new Parameter("bias", constant(dtype, 0, channels));
    }

    @Override
    public int[] outputShape(int[] s) {
        if (s.length < 2 || s[1] != channels) {
            throw shape(this, "[N, " + channels + ", ...]", s);
        }
        return s.clone();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        release();
        outputShape(x.dims());
        sameDevice(x, weight);
        int n = x.dim(0);
        int positions = prod(x.dims(), 2, x.rank());
        NnKernels k = NnKernels.of(x);
        Tensor[] r = k.normalize(x, channels / groups * positions, eps);
        xhat = own(r[0]).view(n, channels, positions);
        stats = own(r[1]);
        Tensor y = own(Einsum.contract("ncs,c->ncs", xhat, weight.value()));
        y = own(k.addAlongAxis(y, bias.value(), 1));
        if (training) {
            input = x;
        }
        return y.view(x.dims());
    }

    @Override
    public Tensor backward(Tensor g, boolean parameterGradients) {
        checkTrained("GroupNorm");
        gradOut = g;
        int positions = prod(g.dims(), 2, g.rank());
        Tensor g3 = g.view(g.dim(0), channels, positions);
        if (parameterGradients) {
            weight.setGrad(Einsum.contract("ncs,ncs->c", g3, xhat));
            bias.setGrad(Einsum.contract("ncs->c", g3));
        }
        Tensor dxhat = own(Einsum.contract("ncs,c->ncs", g3, weight.value()));
        return own(NnKernels.of(g).normalizeBackward(dxhat, xhat, stats, channels / groups * positions))
                .view(g.dims());
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    @Override
    public Optional<Layer> layer() {
        return Optional.of(new GroupNormLayer(groups, channels, eps, true));
    }

    @Override
    public String toString() {
        return "GroupNorm(groups=" + groups + ", channels=" + channels + ", eps=" + eps + ")";
    }
}
