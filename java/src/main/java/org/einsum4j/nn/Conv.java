package org.einsum4j.nn;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.einsum4j.Backend;
import org.einsum4j.Einsum;
import org.einsum4j.gradsample.ConvLayer;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * {@code torch.nn.Conv1d/Conv2d} with stride, symmetric zero padding, dilation and groups. The forward pass unfolds
 * the input with the grad samplers' im2col ({@code [N, G, C/G·Πk, L]}) and contracts it with the weight viewed
 * {@code [G, O/G, C/G·Πk]} ({@code ngkl,gok->ngol}); the backward pass is two contractions ({@code ngol,ngkl->gok}
 * for the weight, {@code ngol,gok->ngkl} for the unfolded input) and a fold (col2im). Conv1d runs as Conv2d with
 * height 1.
 */
public final class Conv extends Module {
    private final int dims;
    private final int in;
    private final int out;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final Parameter weight;
    private final Parameter bias;
    private ConvGeometry geometry;
    private Tensor cols;

    private Conv(int dims, int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
                 boolean bias, DType dtype, long seed) {
        this.dims = dims;
        this.in = in;
        this.out = out;
        this.kernel = perDim("kernel", kernel, dims, 1);
        this.stride = perDim("stride", stride, dims, 1);
        this.padding = perDim("padding", padding, dims, 0);
        this.dilation = perDim("dilation", dilation, dims, 1);
        if (in < 1 || out < 1) {
            throw new NnException("Conv" + dims + "d channels must be >= 1, got in=" + in + ", out=" + out);
        }
        if (groups < 1 || in % groups != 0 || out % groups != 0) {
            throw new NnException("Conv" + dims + "d groups must be >= 1 and divide in=" + in + " and out=" + out
                    + ", got " + groups);
        }
        this.groups = groups;
        int[] w = new int[2 + dims];
        w[0] = out;
        w[1] = in / groups;
        System.arraycopy(this.kernel, 0, w, 2, dims);
        int fanIn = prod(w, 1, w.length);
        SplittableRandom r = new SplittableRandom(seed);
        double bound = 1 / Math.sqrt(fanIn);
        this.weight = new Parameter("weight", uniform(dtype, r, bound, w));
        this.bias = bias ? new Parameter("bias", uniform(dtype, r, bound, out)) : null;
    }

    /** {@code Conv1d(in, out, kernel, stride, padding)} with a bias. */
    public static Conv conv1d(int in, int out, int kernel, int stride, int padding, DType dtype, long seed) {
        return new Conv(1, in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1}, 1, true,
                dtype, seed);
    }

    /** {@code Conv1d(in, out, kernel, stride, padding, dilation, groups, bias)}. */
    public static Conv conv1d(int in, int out, int kernel, int stride, int padding, int dilation, int groups,
                              boolean bias, DType dtype, long seed) {
        return new Conv(1, in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {dilation},
                groups, bias, dtype, seed);
    }

    /** {@code Conv2d(in, out, kernel, stride, padding)} with a bias; sizes apply to both axes. */
    public static Conv conv2d(int in, int out, int kernel, int stride, int padding, DType dtype, long seed) {
        return new Conv(2, in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1}, 1, true,
                dtype, seed);
    }

    /** As {@link #conv2d(int, int, int, int, int, DType, long)} with per-axis sizes and an optional bias. */
    public static Conv conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, boolean bias, DType dtype,
                              long seed) {
        return new Conv(2, in, out, kernel, stride, padding, new int[] {1}, 1, bias, dtype, seed);
    }

    /**
     * {@code Conv2d(in, out, kernel, stride, padding, dilation, groups, bias)} with per-axis sizes (one number
     * applies to both axes).
     */
    public static Conv conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
                              boolean bias, DType dtype, long seed) {
        return new Conv(2, in, out, kernel, stride, padding, dilation, groups, bias, dtype, seed);
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
                dims == 1 ? 0 : padding[0], padding[k0], dims == 1 ? 1 : dilation[0], dilation[k0]);
        if (!g.fits()) {
            throw new NnException(this + ": input " + Arrays.toString(s) + " is smaller than the kernel "
                    + Arrays.toString(kernel) + " with padding " + Arrays.toString(padding) + " and dilation "
                    + Arrays.toString(dilation));
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
        sameDevice(x, weight);
        int n = x.dim(0);
        ConvGeometry g = geometry;
        Tensor xc = x.contiguous();
        if (xc != x) {
            own(xc);
        }
        Tensor c5 = own(Backend.forDevice(x.device()).samplerKernels().unfold(xc.view(n, in, 1, g.h(), g.w()), n, 1,
                groups, in,
                new int[] {1, g.h(), g.w()}, new int[] {1, g.kh(), g.kw()}, new int[] {1, g.sh(), g.sw()},
                new int[] {0, g.ph(), g.pw()}, new int[] {1, g.dh(), g.dw()}, new int[] {1, g.oh(), g.ow()}));
        cols = c5.view(n, groups, taps(), g.oh() * g.ow());
        Tensor y = own(Einsum.contract("ngkl,gok->ngol", cols, weight3d())).view(n, out, g.oh() * g.ow());
        if (bias != null) {
            y = own(NnKernels.of(x).addAlongAxis(y, bias.value(), 1));
        }
        if (training) {
            input = x;
        }
        return y.view(outputShape(x.dims()));
    }

    /** Rows of the unfolded input per group: {@code C/G·Πk}. */
    private int taps() {
        return prod(weight.dims(), 1, dims + 2);
    }

    private Tensor weight3d() {
        return weight.value().view(groups, out / groups, taps());
    }

    @Override
    public Tensor backward(Tensor g, boolean parameterGradients) {
        checkTrained("Conv");
        gradOut = g;
        int n = g.dim(0);
        ConvGeometry q = geometry;
        Tensor g4 = g.view(n, groups, out / groups, q.oh() * q.ow());
        if (parameterGradients) {
            try (Tensor dw = Einsum.contract("ngol,ngkl->gok", g4, cols)) {
                weight.setGrad(dw.reshape(weight.dims()));
            }
            if (bias != null) {
                bias.setGrad(Einsum.contract("nol->o", g.view(n, out, q.oh() * q.ow())));
            }
        }
        Tensor dcols = own(Einsum.contract("ngol,gok->ngkl", g4, weight3d()));
        Tensor dx = own(NnKernels.of(g).fold(dcols.view(n, in * q.kh() * q.kw(), q.oh() * q.ow()), n, in,
                new int[] {q.h(), q.w()}, new int[] {q.kh(), q.kw()}, new int[] {q.sh(), q.sw()},
                new int[] {q.ph(), q.pw()}, new int[] {q.dh(), q.dw()}));
        return dx.view(input.dims());
    }

    @Override
    public List<Parameter> parameters() {
        return weightAndBias(weight, bias);
    }

    @Override
    public Optional<Layer> layer() {
        return Optional.of(new ConvLayer(dims, in, out, kernel, stride, ConvLayer.Padding.of(padding), dilation, groups,
                bias != null, ConvLayer.PaddingMode.ZEROS));
    }

    @Override
    public String toString() {
        return "Conv" + dims + "d(in=" + in + ", out=" + out + ", kernel=" + Arrays.toString(kernel) + ", stride="
                + Arrays.toString(stride) + ", padding=" + Arrays.toString(padding)
                + (Arrays.stream(dilation).allMatch(v -> v == 1) ? "" : ", dilation=" + Arrays.toString(dilation))
                + (groups == 1 ? "" : ", groups=" + groups) + ")";
    }
}
