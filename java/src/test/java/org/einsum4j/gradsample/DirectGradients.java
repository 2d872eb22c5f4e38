package org.einsum4j.gradsample;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.einsum4j.oracle.ReferenceEinsum;
import org.einsum4j.tensor.Tensor;

/**
 * Batch gradients (the sum over every row of the batch) computed independently of the samplers: the reference
 * oracle for the linear maps, plain float64 loops from the layers' definitions for the rest (convolution by its
 * sliding-window definition, no im2col).
 */
final class DirectGradients {
    private DirectGradients() {
    }

    static Map<String, double[]> of(Layer layer, List<Tensor> acts, List<Tensor> backs) {
        Map<String, double[]> m = new LinkedHashMap<>();
        if (layer instanceof LinearLayer l) {
            int in = l.in();
            int out = l.out();
            try (Tensor a = acts.get(0).reshape(-1, in); Tensor g = backs.get(0).reshape(-1, out);
                 Tensor w = ReferenceEinsum.evaluate("ro,ri->oi", g, a);
                 Tensor bias = ReferenceEinsum.evaluate("ro->o", g)) {
                m.put("weight", w.toDoubleArray());
                if (l.bias()) {
                    m.put("bias", bias.toDoubleArray());
                }
            }
        } else if (layer instanceof ConvLayer c) {
            conv(c, acts.get(0), backs.get(0), m);
        } else if (layer instanceof EmbeddingLayer e) {
            long[] idx = acts.get(0).toLongArray();
            double[] g = backs.get(0).toDoubleArray();
            double[] w = new double[e.num() * e.dim()];
            for (int p = 0; p < idx.length; p++) {
                if (idx[p] == e.paddingIdx()) {
                    continue;
                }
                for (int j = 0; j < e.dim(); j++) {
                    w[(int) idx[p] * e.dim() + j] += g[p * e.dim() + j];
                }
            }
            m.put("weight", w);
        } else if (layer instanceof LayerNormLayer l) {
            int d = 1;
            for (int s : l.normalizedShape()) {
                d *= s;
            }
            double[] w = new double[d];
            double[] bias = new double[d];
            normRows(acts.get(0).toDoubleArray(), backs.get(0).toDoubleArray(), d, l.eps(), (row, i) -> i, w, bias);
            m.put("weight", w);
            if (l.bias()) {
                m.put("bias", bias);
            }
        } else if (layer instanceof GroupNormLayer || layer instanceof InstanceNormLayer) {
            Tensor a = acts.get(0);
            int c = a.dim(1);
            int groups = layer instanceof GroupNormLayer gn ? gn.groups() : c;
            int sp = (int) (a.numel() / Math.max(1, a.dim(0)) / c);
            int len = c / groups * sp;
            double[] w = new double[c];
            double[] bias = new double[c];
            // element i of (row, group) belongs to channel group*(c/groups) + i/sp
            normRows(a.toDoubleArray(), backs.get(0).toDoubleArray(), len, eps(layer),
                    (row, i) -> (row % groups) * (c / groups) + i / sp, w, bias);
            m.put("weight", w);
            m.put("bias", bias);
        } else if (layer instanceof RnnLayer r) {
            String w = r.batchFirst() ? "rti,rtj->ij" : "tri,trj->ij";
            String b = r.batchFirst() ? "rto->o" : "tro->o";
            try (Tensor wih = ReferenceEinsum.evaluate(w, backs.get(0), acts.get(0));
                 Tensor whh = ReferenceEinsum.evaluate(w, backs.get(1), acts.get(1));
                 Tensor bih = ReferenceEinsum.evaluate(b, backs.get(0));
                 Tensor bhh = ReferenceEinsum.evaluate(b, backs.get(1))) {
                m.put("weight_ih_l0", wih.toDoubleArray());
                m.put("weight_hh_l0", whh.toDoubleArray());
                if (r.bias()) {
                    m.put("bias_ih_l0", bih.toDoubleArray());
                    m.put("bias_hh_l0", bhh.toDoubleArray());
                }
            }
        } else if (layer instanceof SequenceBiasLayer s) {
            Tensor g = backs.get(0);
            int timeAxis = s.batchFirst() ? 1 : 0;
            int last = g.dim(timeAxis) - 1;
            double[] bias = new double[s.embedDim()];
            int rows = g.dim(s.batchFirst() ? 0 : 1);
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < s.embedDim(); j++) {
                    bias[j] += s.batchFirst() ? g.get(r, last, j) : g.get(last, r, j);
                }
            }
            m.put("bias", bias);
        } else {
            throw new IllegalArgumentException("no direct gradient for " + layer);
        }
        return m;
    }

    private static double eps(Layer l) {
        return l instanceof GroupNormLayer g ? g.eps() : ((InstanceNormLayer) l).eps();
    }

    interface ParamIndex {
        int of(int row, int i);
    }

    /** Normalizes each row of {@code len} in float64 and accumulates x̂·g and g into the parameter slots. */
    private static void normRows(double[] x, double[] g, int len, double eps, ParamIndex at, double[] w,
                                 double[] bias) {
        int rows = x.length / len;
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < len; i++) {
                mean += x[r * len + i];
            }
            mean /= len;
            double var = 0;
            for (int i = 0; i < len; i++) {
                var += (x[r * len + i] - mean) * (x[r * len + i] - mean);
            }
            var /= len;
            for (int i = 0; i < len; i++) {
                double xhat = (x[r * len + i] - mean) / Math.sqrt(var + eps);
                int p = at.of(r, i);
                w[p] += xhat * g[r * len + i];
                bias[p] += g[r * len + i];
            }
        }
    }

    /**
     * Weight and bias gradients of a convolution by its definition:
     * out[o, q] = Σ w[o, c, t] · x[c, q·s − p + t·d].
     */
    private static void conv(ConvLayer c, Tensor at, Tensor gt, Map<String, double[]> m) {
        int nd = c.dims();
        int rows = at.dim(0);
        int[] in = java.util.Arrays.copyOfRange(at.dims(), 2, nd + 2);
        int[] out = java.util.Arrays.copyOfRange(gt.dims(), 2, nd + 2);
        int[] k = c.kernel();
        int[] s = c.stride();
        int[] d = c.dilation();
        int[][] lr = c.padding().resolve(k, d);
        int cg = c.in() / c.groups();
        int og = c.out() / c.groups();
        double[] x = at.toDoubleArray();
        double[] g = gt.toDoubleArray();
        int inVol = 1;
        int outVol = 1;
        int kVol = 1;
        for (int i = 0; i < nd; i++) {
            inVol *= in[i];
            outVol *= out[i];
            kVol *= k[i];
        }
        double[] w = new double[c.out() * cg * kVol];
        double[] bias = new double[c.out()];
        int[] q = new int[nd];
        int[] t = new int[nd];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < c.out(); o++) {
                int grp = o / og;
                for (int qi = 0; qi < outVol; qi++) {
                    unravel(qi, out, q);
                    double gv = g[(r * c.out() + o) * outVol + qi];
                    bias[o] += gv;
                    for (int ci = 0; ci < cg; ci++) {
                        int ch = grp * cg + ci;
                        for (int ti = 0; ti < kVol; ti++) {
                            unravel(ti, k, t);
                            int flat = 0;
                            boolean inside = true;
                            for (int a = 0; a < nd; a++) {
                                int pos = q[a] * s[a] - lr[a][0] + t[a] * d[a];
                                if (pos < 0 || pos >= in[a]) {
                                    inside = false;
                                    break;
                                }
                                flat = flat * in[a] + pos;
                            }
                            if (inside) {
                                w[(o * cg + ci) * kVol + ti] += gv * x[(r * c.in() + ch) * inVol + flat];
                            }
                        }
                    }
                }
            }
        }
        m.put("weight", w);
        if (c.bias()) {
            m.put("bias", bias);
        }
    }

    private static void unravel(int flat, int[] dims, int[] out) {
        for (int i = dims.length - 1; i >= 0; i--) {
            out[i] = flat % dims[i];
            flat /= dims[i];
        }
    }
}
