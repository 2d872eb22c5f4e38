package org.einsum4j.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.einsum4j.Einsum;
import org.einsum4j.gradsample.ConvLayer;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.Conv1d/Conv2d} with stride, symmetric zero padding and one group. The forward pass unfolds the
 * input (im2col, {@code [N, C·Πk, L]}) and contracts it with the weight viewed {@code [O, C·Πk]}
 * ({@code nkl,ok->nol}); the backward pass is two contractions ({@code nol,nkl->ok} for the weight,
 * {@code nol,ok->nkl} for the unfolded input) and a fold. Conv1d runs as Conv2d with height 1.
 */
public final class Conv extends Module {
    private final int dims;
    private final int in;
    private final int out;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final Parameter weight;
    private final Parameter bias;
    private ConvGeometry geometry;
    private Tensor cols;

    private Conv(int dims, int in, int out, int[] kernel, int[] stride, int[] padding, boolean bias, DType dtype,
                 long seed) {
        this.dims = dims;
        this.in = in;
        this.out = out;
        this.kernel = perDim("kernel", kernel, dims, 1);
        this.stride = perDim("stride", stride, dims, 1);
        this.padding = perDim("padding", padding, dims, 0);
        if (in < 1 || out < 1) {
            throw new NnException("Conv" + dims + "d channels must be >= 1, got in=" + in + ", out=" + out);
        }
        int[] w = new int[2 + dims];
        w[0] = out;
        w[1] = in;
        System.arraycopy(this.kernel, 0, w, 2, dims);
        int fanIn = prod(w, 1, w.length);
        SplittableRandom r = new SplittableRandom(seed);
        double bound = 1 / Math.sqrt(fanIn);
        this.weight = new Parameter("weight", uniform(dtype, r, bound, w));
        this.bias = bias ? new Parameter("bias", uniform(dtype, r, bound, out)) : null;
    }

    /** {@code Conv1d(in, out, kernel, stride, padding)} with a bias. */
    public static Conv conv1d(int in, int out, int kernel, int stride, int padding, DType dtype, long seed) {
        return new Conv(1, in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding}, true, dtype, seed);
    }

    /** {@code Conv2d(in, out, kernel, stride, padding)} with a bias; sizes apply to both axes. */
    public static Conv conv2d(int in, int out, int kernel, int stride, int padding, DType dtype, long seed) {
        return new Conv(2, in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding}, true, dtype, seed);
    }

    /** As {@link #conv2d(int, int, int, int, int, DType, long)} with per-axis sizes and an optional bias. */
    public static Conv conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, boolean bias, DType dtype,
                              long seed) {
        return new Conv(2, in, out, kernel, stride, padding, bias, dtype, seed);
    }

    private static int[] perDim(String what, int[] v, int dims, int min) {
        if (v == null || (v.length != 1 && v.length != dims)) {
            throw new NnException("Conv" + dims + "d " + what + " " + Arrays.toString(v) + ": expected 1 or " + dims
                    + " numbers");
        }
        int[] o = new int[dims];
        for (int i = 0; i < dims; i++) {
            o[i] = v.length == 1 ? v[0] : v[i];
            if (o[i] < min) {
                throw new NnException("Conv" + dims + "d " + what + " " + Arrays.toString(v) + " must be >= " + min);
            }
        }
        return o;
    }

    private ConvGeometry geometry(int[] s) {
        if (s.length != dims + 2 || s[1] != in) {
            throw shape(this, dims == 1 ? "[N, " + in + ", L]" : "[N, " + in + ", H, W]", s);
        }
        int k0 = dims == 1 ? 0 : 1;
        ConvGeometry g = new ConvGeometry(in, dims == 1 ? 1 : s[2], s[s.length - 1],
                dims == 1 ? 1 : kernel[0], kernel[k0], dims == 1 ? 1 : stride[0], stride[k0],
                dims == 1 ? 0 : padding[0], padding[k0], 1, 1);
        if (!g.fits()) {
            throw new NnException(this + ": input " + Arrays.toString(s) + " is smaller than the kernel "
                    + Arrays.toString(kernel) + " with padding " + Arrays.toString(padding));
        }
        return g;
    }

    @Override
    public int[] outputShape(int[] s) {
        ConvGeometry g = geometry(s);
        return dims == 1 ? new int[] {s[0], out, g.ow()} : new int[] {s[0], out, g.oh(), g.ow()};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        release();
        geometry = geometry(x.dims());
        int n = x.dim(0);
        NnKernels k = NnKernels.of(x);
        cols = own(k.unfold(x, geometry));
        Tensor y = own(Einsum.contract("nkl,ok->nol", cols, weight2d()));
        if (bias != null) {
            y = own(k.addAlongAxis(y, bias.value(), 1));
        }
        if (training) {
            input = x;
        }
        return y.view(outputShape(x.dims()));
    }

    private Tensor weight2d() {
        return weight.value().view(out, prod(weight.dims(), 1, dims + 2));
    }

    @Override
    public Tensor backward(Tensor g, boolean parameterGradients) {
        checkTrained("Conv");
        gradOut = g;
        int n = g.dim(0);
        Tensor g3 = g.view(n, out, geometry.oh() * geometry.ow());
        if (parameterGradients) {
            try (Tensor dw = Einsum.contract("nol,nkl->ok", g3, cols)) {
                weight.setGrad(dw.reshape(weight.dims()));
            }
            if (bias != null) {
                bias.setGrad(Einsum.contract("nol->o", g3));
            }
        }
        Tensor dcols = own(Einsum.contract("nol,ok->nkl", g3, weight2d()));
        Tensor dx = own(NnKernels.of(g).fold(dcols, geometry, n));
        return dx.view(input.dims());
    }

    @Override
    public List<Parameter> parameters() {
        return weightAndBias(weight, bias);
    }

    @Override
    public Optional<Layer> layer() {
        return Optional.of(new ConvLayer(dims, in, out, kernel, stride, ConvLayer.Padding.of(padding), new int[] {1}, 1,
                bias != null, ConvLayer.PaddingMode.ZEROS));
    }

    @Override
    public String toString() {
        return "Conv" + dims + "d(in=" + in + ", out=" + out + ", kernel=" + Arrays.toString(kernel) + ", stride="
                + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding) + ")";
    }
}
