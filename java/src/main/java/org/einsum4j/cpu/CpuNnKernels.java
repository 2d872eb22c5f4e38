package org.einsum4j.cpu;

import org.einsum4j.nn.NnKernels;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * {@link NnKernels} on the host ({@code CpuBackend.nnKernels()}): each method copies its operands to Java arrays
 * through the public copy API ({@link Tensor#toDoubleArray()}), computes in float64 with plain loops, and copies the
 * result back in the operands' dtype. The models here are small (the digits demo moves well under a megabyte per
 * kernel call) and the contractions, which dominate, run on BLAS. These loops are also the reference the CUDA
 * kernels (native/nn.cu) are compared with (NnKernelHarnessTest).
 */
final class CpuNnKernels implements NnKernels {
    static final CpuNnKernels INSTANCE = new CpuNnKernels();

    private static final double SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

    private CpuNnKernels() {
    }

    /**
     * The tensor's values as doubles. FLOAT32 goes through {@link Tensor#toFloatArray()} (a block copy for contiguous
     * tensors) and a widening loop, several times faster than a per-element conversion.
     */
    private static double[] in(Tensor t) {
        if (t.dtype() != DType.FLOAT32) {
            return t.toDoubleArray();
        }
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    private static Tensor out(double[] data, DType dtype, int... dims) {
        if (dtype == DType.FLOAT64) {
            return Tensor.of(data, dims);
        }
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return Tensor.of(f, dims);
    }

    @Override
    public Tensor activation(Activation f, Tensor x) {
        double[] a = in(x);
        for (int i = 0; i < a.length; i++) {
            double v = a[i];
            switch (f) {
                case RELU: a[i] = v > 0 ? v : 0; break;
                case TANH: a[i] = Math.tanh(v); break;
                default: a[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
            }
        }
        return out(a, x.dtype(), x.dims());
    }

    @Override
    public Tensor activationBackward(Activation f, Tensor x, Tensor gradOut) {
        double[] a = in(x);
        double[] g = in(gradOut);
        for (int i = 0; i < a.length; i++) {
            double v = a[i];
            double d;
            switch (f) {
                case RELU: d = v > 0 ? 1 : 0; break;
                case TANH: { double t = Math.tanh(v); d = 1 - t * t; break; }
                default: {
                    double u = SQRT_2_OVER_PI * (v + 0.044715 * v * v * v);
                    double t = Math.tanh(u);
                    d = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
                }
            }
            a[i] = g[i] * d;
        }
        return out(a, gradOut.dtype(), gradOut.dims());
    }

    @Override
    public Tensor addAlongAxis(Tensor x, Tensor bias, int axis) {
        double[] a = in(x);
        double[] b = in(bias);
        int[] d = x.dims();
        int inner = 1;
        for (int i = axis + 1; i < d.length; i++) {
            inner *= d[i];
        }
        int c = d[axis];
        for (int i = 0; i < a.length; i++) {
            a[i] += b[(i / inner) % c];
        }
        return out(a, x.dtype(), d);
    }

    @Override
    public Tensor scale(Tensor x, double alpha) {
        double[] a = in(x);
        for (int i = 0; i < a.length; i++) {
            a[i] *= alpha;
        }
        return out(a, x.dtype(), x.dims());
    }

    @Override
    public Tensor axpy(Tensor x, double alpha, Tensor y) {
        double[] a = in(x);
        double[] b = in(y);
        for (int i = 0; i < a.length; i++) {
            a[i] += alpha * b[i];
        }
        return out(a, x.dtype(), x.dims());
    }

    @Override
    public Tensor fold(Tensor colsT, int n, int channels, int[] in, int[] k, int[] st, int[] p, int[] d) {
        Geometry g = new Geometry(channels, in[0], in[1], k[0], k[1], st[0], st[1], p[0], p[1], d[0], d[1]);
        double[] cols = in(colsT);
        int oh = g.oh();
        int ow = g.ow();
        int rows = g.c() * g.kh() * g.kw();
        int l = oh * ow;
        double[] a = new double[n * g.c() * g.h() * g.w()];
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < g.c(); c++) {
                int xBase = (s * g.c() + c) * g.h() * g.w();
                for (int ki = 0; ki < g.kh(); ki++) {
                    for (int kj = 0; kj < g.kw(); kj++) {
                        int base = (s * rows + (c * g.kh() + ki) * g.kw() + kj) * l;
                        for (int oi = 0; oi < oh; oi++) {
                            int yy = oi * g.sh() - g.ph() + ki * g.dh();
                            if (yy < 0 || yy >= g.h()) {
                                continue;
                            }
                            for (int oj = 0; oj < ow; oj++) {
                                int xx = oj * g.sw() - g.pw() + kj * g.dw();
                                if (xx >= 0 && xx < g.w()) {
                                    a[xBase + yy * g.w() + xx] += cols[base + oi * ow + oj];
                                }
                            }
                        }
                    }
                }
            }
        }
        return out(a, colsT.dtype(), n, g.c(), g.h(), g.w());
    }

    /** A 2-d convolution window: channels, input, kernel, stride, padding, dilation per axis. */
    private record Geometry(int c, int h, int w, int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        int oh() {
            return (h + 2 * ph - dh * (kh - 1) - 1) / sh + 1;
        }

        int ow() {
            return (w + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
        }
    }

    private static int pooled(int size, int k, int s) {
        return (size - k) / s + 1;
    }

    /**
     * The input index of every window element of a 2-d pooling over {@code [N, C, H, W]}: {@code kh·kw} consecutive
     * entries per output element, outputs in {@code [N, C, oh, ow]} order. One table drives the max and average
     * pools and their backward passes.
     */
    private static int[] windows(int[] d, int kh, int kw, int sh, int sw) {
        int planes = d[0] * d[1];
        int h = d[2];
        int w = d[3];
        int oh = pooled(h, kh, sh);
        int ow = pooled(w, kw, sw);
        int[] idx = new int[planes * oh * ow * kh * kw];
        int n = 0;
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    for (int u = 0; u < kh; u++) {
                        for (int v = 0; v < kw; v++) {
                            idx[n++] = (p * h + i * sh + u) * w + j * sw + v;
                        }
                    }
                }
            }
        }
        return idx;
    }

    private static int[] pooledDims(int[] d, int kh, int kw, int sh, int sw) {
        return new int[] {d[0], d[1], pooled(d[2], kh, sh), pooled(d[3], kw, sw)};
    }

    @Override
    public Tensor[] maxPool(Tensor x, int kh, int kw, int sh, int sw) {
        double[] a = in(x);
        int[] win = windows(x.dims(), kh, kw, sh, sw);
        int kk = kh * kw;
        double[] y = new double[win.length / kk];
        long[] arg = new long[y.length];
        for (int o = 0; o < y.length; o++) {
            int at = win[o * kk];
            for (int e = 1; e < kk; e++) {
                if (a[win[o * kk + e]] > a[at]) {
                    at = win[o * kk + e];
                }
            }
            y[o] = a[at];
            arg[o] = at;
        }
        int[] od = pooledDims(x.dims(), kh, kw, sh, sw);
        return new Tensor[] {out(y, x.dtype(), od), Tensor.ofLongs(arg, od)};
    }

    @Override
    public Tensor maxPoolBackward(Tensor gradOut, Tensor argmax, int[] inputDims, int kh, int kw, int sh, int sw) {
        double[] g = in(gradOut);
        long[] arg = argmax.toLongArray();
        double[] dx = new double[inputDims[0] * inputDims[1] * inputDims[2] * inputDims[3]];
        for (int i = 0; i < g.length; i++) {
            dx[(int) arg[i]] += g[i];
        }
        return out(dx, gradOut.dtype(), inputDims);
    }

    @Override
    public Tensor avgPool(Tensor x, int kh, int kw, int sh, int sw) {
        double[] a = in(x);
        int[] win = windows(x.dims(), kh, kw, sh, sw);
        int kk = kh * kw;
        double[] y = new double[win.length / kk];
        for (int o = 0; o < y.length; o++) {
            double s = 0;
            for (int e = 0; e < kk; e++) {
                s += a[win[o * kk + e]];
            }
            y[o] = s / kk;
        }
        return out(y, x.dtype(), pooledDims(x.dims(), kh, kw, sh, sw));
    }

    @Override
    public Tensor avgPoolBackward(Tensor gradOut, int[] inputDims, int kh, int kw, int sh, int sw) {
        double[] g = in(gradOut);
        int[] win = windows(inputDims, kh, kw, sh, sw);
        int kk = kh * kw;
        double[] dx = new double[inputDims[0] * inputDims[1] * inputDims[2] * inputDims[3]];
        for (int o = 0; o < g.length; o++) {
            for (int e = 0; e < kk; e++) {
                dx[win[o * kk + e]] += g[o] / kk;
            }
        }
        return out(dx, gradOut.dtype(), inputDims);
    }

    @Override
    public Tensor[] normalize(Tensor x, int groupSize, double eps) {
        double[] a = in(x);
        int groups = a.length / groupSize;
        double[] stats = new double[2 * groups];
        for (int gi = 0; gi < groups; gi++) {
            int o = gi * groupSize;
            double mean = 0;
            for (int i = 0; i < groupSize; i++) {
                mean += a[o + i];
            }
            mean /= groupSize;
            double var = 0;
            for (int i = 0; i < groupSize; i++) {
                double c = a[o + i] - mean;
                var += c * c;
            }
            double r = 1 / Math.sqrt(var / groupSize + eps);
            stats[gi] = mean;
            stats[groups + gi] = r;
            for (int i = 0; i < groupSize; i++) {
                a[o + i] = (a[o + i] - mean) * r;
            }
        }
        return new Tensor[] {out(a, x.dtype(), x.dims()), Tensor.of(stats, 2, groups)};
    }

    @Override
    public Tensor normalizeBackward(Tensor gradXhat, Tensor xhat, Tensor stats, int groupSize) {
        double[] g = in(gradXhat);
        double[] xh = in(xhat);
        int groups = stats.dim(1);
        double[] rstd = java.util.Arrays.copyOfRange(in(stats), groups, 2 * groups);
        for (int gi = 0; gi < groups; gi++) {
            int o = gi * groupSize;
            double mg = 0;
            double mgx = 0;
            for (int i = 0; i < groupSize; i++) {
                mg += g[o + i];
                mgx += g[o + i] * xh[o + i];
            }
            mg /= groupSize;
            mgx /= groupSize;
            for (int i = 0; i < groupSize; i++) {
                g[o + i] = rstd[gi] * (g[o + i] - mg - xh[o + i] * mgx);
            }
        }
        return out(g, gradXhat.dtype(), gradXhat.dims());
    }

    @Override
    public Tensor dropoutMask(DType dtype, int[] dims, double p, long seed) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        double[] m = new double[(int) n];
        double keep = 1 / (1 - p);
        for (int i = 0; i < m.length; i++) {
            m[i] = NnKernels.dropoutUniform(seed, i) < p ? 0 : keep;
        }
        return out(m, dtype, dims);
    }

    @Override
    public Tensor gatherRows(Tensor weight, Tensor indices) {
        double[] w = in(weight);
        long[] idx = indices.toLongArray();
        int num = weight.dim(0);
        int d = weight.dim(1);
        double[] y = new double[idx.length * d];
        for (int i = 0; i < idx.length; i++) {
            long r = idx[i];
            if (r < 0 || r >= num) {
                throw new org.einsum4j.nn.NnException("Embedding index " + r + " at position " + i
                        + " out of range [0, " + num + ")");
            }
            System.arraycopy(w, (int) r * d, y, i * d, d);
        }
        int[] id = indices.dims();
        int[] od = java.util.Arrays.copyOf(id, id.length + 1);
        od[id.length] = d;
        return out(y, weight.dtype(), od);
    }

    @Override
    public Tensor[] softmaxCrossEntropy(Tensor logits, Tensor labels) {
        double[] z = in(logits);
        long[] y = labels.toLongArray();
        int r = logits.dim(0);
        int c = logits.dim(1);
        double[] loss = new double[r];
        for (int i = 0; i < r; i++) {
            int o = i * c;
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < c; j++) {
                max = Math.max(max, z[o + j]);
            }
            double s = 0;
            for (int j = 0; j < c; j++) {
                z[o + j] = Math.exp(z[o + j] - max);
                s += z[o + j];
            }
            int label = (int) y[i];
            loss[i] = -Math.log(z[o + label] / s);
            for (int j = 0; j < c; j++) {
                z[o + j] /= s;
            }
            z[o + label] -= 1;
        }
        return new Tensor[] {Tensor.of(loss, r), out(z, logits.dtype(), r, c)};
    }

    @Override
    public Tensor[] meanSquaredError(Tensor prediction, Tensor target) {
        double[] p = in(prediction);
        double[] t = in(target);
        int r = prediction.dim(0);
        int d = r == 0 ? 0 : p.length / r;
        double[] loss = new double[r];
        for (int i = 0; i < r; i++) {
            double s = 0;
            for (int j = 0; j < d; j++) {
                double e = p[i * d + j] - t[i * d + j];
                s += e * e;
                p[i * d + j] = 2 * e / d;
            }
            loss[i] = s / d;
        }
        return new Tensor[] {Tensor.of(loss, r), out(p, prediction.dtype(), prediction.dims())};
    }

    @Override
    public Tensor argmaxRows(Tensor logits) {
        double[] z = in(logits);
        int r = logits.dim(0);
        int c = logits.dim(1);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            int best = 0;
            for (int j = 1; j < c; j++) {
                if (z[i * c + j] > z[i * c + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return Tensor.ofLongs(out, r);
    }

    @Override
    public Tensor[] adam(Tensor param, Tensor grad, Tensor mT, Tensor vT, double lr, double beta1, double beta2,
                         double eps, long step) {
        double[] p = in(param);
        double[] g = in(grad);
        double[] m = in(mT);
        double[] v = in(vT);
        double c1 = 1 - Math.pow(beta1, step);
        double c2 = 1 - Math.pow(beta2, step);
        for (int i = 0; i < p.length; i++) {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i];
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
            p[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
        }
        int[] d = param.dims();
        return new Tensor[] {out(p, param.dtype(), d), out(m, param.dtype(), d), out(v, param.dtype(), d)};
    }
}
