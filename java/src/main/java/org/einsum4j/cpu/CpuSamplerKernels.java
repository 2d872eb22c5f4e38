package org.einsum4j.cpu;

import java.util.stream.IntStream;
import org.einsum4j.gradsample.IndexOutOfRangeException;
import org.einsum4j.gradsample.SamplerKernels;
import org.einsum4j.gradsample.SparseEmbeddingGrad;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.HostAccess;
import org.einsum4j.tensor.Tensor;

/**
 * The grad samplers' kernels on the CPU: plain loops over off-heap host memory by address ({@link Memory}),
 * parallel streams over samples or rows when the work pays for it. They take contiguous host tensors and
 * allocate only their outputs.
 */
final class CpuSamplerKernels implements SamplerKernels {
    static final CpuSamplerKernels INSTANCE = new CpuSamplerKernels();

    /** Below this many elements a kernel runs on the calling thread only. */
    private static final long PARALLEL_THRESHOLD = 1L << 16;

    private CpuSamplerKernels() {
    }

    /** Divides a contiguous tensor by {@code k} in place (a division, not a multiply by a rounded 1/k). */
    @Override
    public void divide(Tensor t, int k) {
        long n = t.numel();
        if (n == 0) {
            return;
        }
        long a = HostAccess.address(t);
        if (t.dtype() == DType.FLOAT32) {
            float f = k;
            for (long i = 0; i < n; i++) {
                long p = a + 4 * i;
                Memory.putFloat(p, Memory.getFloat(p) / f);
            }
        } else {
            double d = k;
            for (long i = 0; i < n; i++) {
                long p = a + 8 * i;
                Memory.putDouble(p, Memory.getDouble(p) / d);
            }
        }
    }

    /**
     * im2col for 1-, 2- and 3-d convolutions (1-d and 2-d as 3-d with leading size-1 dims): {@code x} contiguous
     * {@code [B·K, C, D, H, W]} → new contiguous {@code [B, G, K, (C/G)·kd·kh·kw, oD·oH·oW]}: sample-major,
     * then
     * group, then copy, so that (sample, group) is one mergeable batch dim of the per-group GEMMs; within a
     * group, channel-major then kernel offsets row-major (PyTorch's weight layout {@code [C_out, C_in/G, k…]}).
     * With G = 1 this is the plain {@code [B·K, C·Πk, L]} layout. Taps that fall into the zero padding stay zero.
     *
     * @param in  input spatial sizes {D, H, W}
     * @param k   kernel sizes; {@code s} strides; {@code p} left paddings; {@code d} dilations;
     *            {@code out} output sizes
     */
    @Override
    public Tensor unfold(Tensor x, int samples, int copies, int groups, int channels, int[] in, int[] k, int[] s,
                         int[] p, int[] d, int[] out) {
        final int rows = samples * copies;
        final int cpg = channels / groups;
        int kk = k[0] * k[1] * k[2];
        int l = out[0] * out[1] * out[2];
        final int es = x.dtype().byteSize();
        final boolean f32 = x.dtype() == DType.FLOAT32;
        final long inVol = (long) in[0] * in[1] * in[2];
        // range of output positions ow whose input iw = ow*s - p + kw*d lies inside [0, W), per kernel offset
        final int[][] lo = new int[3][];
        final int[][] hi = new int[3][];
        boolean padded = false;
        for (int a = 0; a < 3; a++) {
            lo[a] = new int[k[a]];
            hi[a] = new int[k[a]];
            for (int t = 0; t < k[a]; t++) {
                int off = t * d[a] - p[a];
                int first = 0;
                while (first < out[a] && (long) first * s[a] + off < 0) {
                    first++;
                }
                int last = first;
                while (last < out[a] && (long) last * s[a] + off < in[a]) {
                    last++;
                }
                lo[a][t] = first;
                hi[a][t] = last;
                padded |= first > 0 || last < out[a];
            }
        }
        // only taps that fall into the padding need zeros; without any, every element is written below
        int[] shape = {samples, groups, copies, cpg * kk, l};
        Tensor cols = padded ? Tensor.zeros(x.dtype(), shape) : Tensor.empty(x.dtype(), shape);
        if (cols.numel() == 0) {
            return cols;
        }
        final long src = HostAccess.address(x);
        final long dst = HostAccess.address(cols);
        int tasks = rows * channels;
        IntStream range = IntStream.range(0, tasks);
        if (cols.numel() >= PARALLEL_THRESHOLD) {
            range = range.parallel();
        }
        range.forEach(rc -> {
            int r = rc / channels;
            int c = rc % channels;
            int n = r / copies;
            int copy = r % copies;
            int grp = c / cpg;
            long block = (((long) n * groups + grp) * copies + copy) * cpg + c % cpg;
            long xBase = src + (long) rc * inVol * es;
            long cBase = dst + block * kk * l * es;
            int kidx = 0;
            for (int kd = 0; kd < k[0]; kd++) {
                for (int kh = 0; kh < k[1]; kh++) {
                    for (int kw = 0; kw < k[2]; kw++, kidx++) {
                        long rowBase = cBase + (long) kidx * l * es;
                        for (int od = lo[0][kd]; od < hi[0][kd]; od++) {
                            int id = od * s[0] - p[0] + kd * d[0];
                            for (int oh = lo[1][kh]; oh < hi[1][kh]; oh++) {
                                int ih = oh * s[1] - p[1] + kh * d[1];
                                long srcRow = xBase + ((long) id * in[1] + ih) * in[2] * es;
                                long dstRow = rowBase + ((long) od * out[1] + oh) * out[2] * es;
                                int w0 = lo[2][kw];
                                int w1 = hi[2][kw];
                                if (w1 <= w0) {
                                    continue;
                                }
                                int iw0 = w0 * s[2] - p[2] + kw * d[2];
                                if (s[2] == 1) {
                                    Memory.copy(srcRow + (long) iw0 * es, dstRow + (long) w0 * es,
                                            (long) (w1 - w0) * es);
                                } else if (f32) {
                                    for (int ow = w0, iw = iw0; ow < w1; ow++, iw += s[2]) {
                                        Memory.putFloat(dstRow + 4L * ow, Memory.getFloat(srcRow + 4L * iw));
                                    }
                                } else {
                                    for (int ow = w0, iw = iw0; ow < w1; ow++, iw += s[2]) {
                                        Memory.putDouble(dstRow + 8L * ow, Memory.getDouble(srcRow + 8L * iw));
                                    }
                                }
                            }
                        }
                    }
                }
            }
        });
        return cols;
    }

    // ------------------------------------------------------------------ normalization

    /**
     * LayerNorm's per-row partials: {@code x} and {@code g} contiguous {@code [rows, inner, len]}; each of the
     * rows·inner vectors of {@code len} is normalized, x̂ = (x − mean)/sqrt(var + eps) (biased variance, float64
     * statistics, as PyTorch's training-mode normalization), and {@code w[r, d] = Σ_inner x̂·g},
     * {@code b[r, d] = Σ_inner g} are accumulated in float64. x̂ is never stored: the sum over K (and the
     * reduction) is then one contraction {@code nkd->nd} over these {@code [rows, len]} partials.
     */
    @Override
    public void layerNormPartials(Tensor x, Tensor g, int rows, int inner, int len, double eps, Tensor weight,
                                  Tensor bias) {
        {
            if (weight.numel() == 0) {
                return;
            }
            final long xa = HostAccess.address(x);
            final long ga = HostAccess.address(g);
            final long wa = HostAccess.address(weight);
            final long ba = HostAccess.address(bias);
            final boolean f32 = x.dtype() == DType.FLOAT32;
            parallel(rows, (long) rows * inner * len).forEach(r -> {
                double[] accW = new double[len];
                double[] accB = new double[len];
                for (int m = 0; m < inner; m++) {
                    long off = ((long) r * inner + m) * len;
                    double[] stats = meanRstd(xa, off, len, eps, f32);
                    for (int d = 0; d < len; d++) {
                        double xv = load(xa, off + d, f32);
                        double gv = load(ga, off + d, f32);
                        accW[d] += (xv - stats[0]) * stats[1] * gv;
                        accB[d] += gv;
                    }
                }
                for (int d = 0; d < len; d++) {
                    store(wa, (long) r * len + d, accW[d], f32);
                    store(ba, (long) r * len + d, accB[d], f32);
                }
            });
        }
    }

    /**
     * GroupNorm's (and InstanceNorm's) per-row partials: {@code x} and {@code g} contiguous
     * {@code [rows, groups·cpg, spatial]}; each (row, group) block of {@code cpg·spatial} values is normalized with
     * float64 statistics and, per channel c, {@code w[r, c] = Σ_spatial x̂·g}, {@code b[r, c] = Σ_spatial g}
     * (float64 accumulation). x̂ is never stored; the K sum is then the contraction {@code nkc->nc}.
     */
    @Override
    public void groupNormPartials(Tensor x, Tensor g, int rows, int groups, int cpg, int spatial, double eps,
                                  Tensor weight, Tensor bias) {
        int channels = groups * cpg;
        {
            if (weight.numel() == 0) {
                return;
            }
            final long xa = HostAccess.address(x);
            final long ga = HostAccess.address(g);
            final long wa = HostAccess.address(weight);
            final long ba = HostAccess.address(bias);
            final boolean f32 = x.dtype() == DType.FLOAT32;
            final int len = cpg * spatial;
            parallel(rows * groups, (long) rows * channels * spatial).forEach(rg -> {
                long off = (long) rg * len;
                double[] stats = meanRstd(xa, off, len, eps, f32);
                for (int c = 0; c < cpg; c++) {
                    double sw = 0;
                    double sb = 0;
                    long co = off + (long) c * spatial;
                    for (int s = 0; s < spatial; s++) {
                        double gv = load(ga, co + s, f32);
                        sw += (load(xa, co + s, f32) - stats[0]) * gv;
                        sb += gv;
                    }
                    long o = (long) rg * cpg + c;
                    store(wa, o, sw * stats[1], f32);
                    store(ba, o, sb, f32);
                }
            });
        }
    }

    /** Mean and 1/sqrt(biased var + eps) of {@code len} elements at element offset {@code off}, two passes. */
    private static double[] meanRstd(long base, long off, int len, double eps, boolean f32) {
        if (len == 0) {
            return new double[] {0, 0}; // an empty group (zero spatial size) contributes nothing, not NaN
        }
        double sum = 0;
        for (int i = 0; i < len; i++) {
            sum += load(base, off + i, f32);
        }
        double mean = sum / len;
        double sq = 0;
        for (int i = 0; i < len; i++) {
            double v = load(base, off + i, f32) - mean;
            sq += v * v;
        }
        return new double[] {mean, 1.0 / Math.sqrt(sq / len + eps)};
    }

    private static double load(long base, long index, boolean f32) {
        return f32 ? Memory.getFloat(base + 4 * index) : Memory.getDouble(base + 8 * index);
    }

    private static void store(long base, long index, double v, boolean f32) {
        if (f32) {
            Memory.putFloat(base + 4 * index, (float) v);
        } else {
            Memory.putDouble(base + 8 * index, v);
        }
    }

    /** Tasks 0..n−1, in parallel when the work (elements touched) is large enough to pay for it. */
    private static IntStream parallel(int n, long work) {
        IntStream r = IntStream.range(0, n);
        return work >= PARALLEL_THRESHOLD ? r.parallel() : r;
    }

    // ------------------------------------------------------------------ embedding

    /**
     * Checks every index of a contiguous INT64 tensor lies in {@code [0, v)}; reports the first offender with its
     * position (row-major multi-index).
     */
    @Override
    public void checkIndices(Tensor idx, int v, String what) {
        long n = idx.numel();
        long a = n == 0 ? 0 : HostAccess.address(idx);
        for (long i = 0; i < n; i++) {
            long x = Memory.getLong(a + 8 * i);
            if (x < 0 || x >= v) {
                throw new IndexOutOfRangeException(what + ": index " + x + " at position "
                        + java.util.Arrays.toString(unravel(i, idx.dims())) + " of activations " + idx.shape()
                        + " is out of range [0, " + v + ") (V = " + v + ")");
            }
        }
    }

    private static int[] unravel(long flat, int[] dims) {
        int[] ix = new int[dims.length];
        for (int i = dims.length - 1; i >= 0; i--) {
            ix[i] = (int) (flat % dims[i]);
            flat /= dims[i];
        }
        return ix;
    }

    /**
     * Dense per-sample Embedding gradient: {@code out[n, idx[r, t], :] += g[r, t, :]} for rows r of sample n
     * ({@code r / k}), skipping {@code paddingIdx}. {@code idx} contiguous INT64 {@code [R, P]} (checked),
     * {@code g} contiguous {@code [R, P, D]}; returns new {@code [R/k, v, D]}. Parallel over samples, so no two
     * threads touch one output row.
     */
    @Override
    public Tensor embeddingDense(Tensor idx, Tensor g, int k, int v, int dim, int paddingIdx) {
        int rows = idx.dim(0);
        int b = rows / k;
        int positions = rows == 0 ? 0 : (int) (idx.numel() / rows);
        if (positions == 0) {
            return Tensor.zeros(g.dtype(), b, v, dim);
        }
        // each sample's [V, D] slab is zeroed by the thread that scatters into it: the dense result is B·V·D
        // values (1.9 GiB for the suite's L07), and a single-threaded memset plus its page faults would cost more
        // than the scatter itself
        Tensor out = Tensor.empty(g.dtype(), b, v, dim);
        if (out.numel() == 0) {
            return out;
        }
        final long ia = HostAccess.address(idx);
        final long ga = HostAccess.address(g);
        final long oa = HostAccess.address(out);
        final boolean f32 = g.dtype() == DType.FLOAT32;
        final int es = g.dtype().byteSize();
        IntStream range = IntStream.range(0, b);
        if ((long) rows * positions * dim + (long) b * v * dim >= PARALLEL_THRESHOLD) {
            range = range.parallel();
        }
        range.forEach(n -> {
            long outBase = oa + (long) n * v * dim * es;
            Memory.zero(outBase, (long) v * dim * es);
            for (int r = n * k; r < n * k + k; r++) {
                for (int t = 0; t < positions; t++) {
                    long pos = (long) r * positions + t;
                    int row = (int) Memory.getLong(ia + 8 * pos);
                    if (row == paddingIdx) {
                        continue;
                    }
                    long o = outBase + (long) row * dim * es;
                    long gi = ga + pos * dim * es;
                    if (f32) {
                        for (int j = 0; j < dim; j++) {
                            Memory.putFloat(o + 4L * j, Memory.getFloat(o + 4L * j) + Memory.getFloat(gi + 4L * j));
                        }
                    } else {
                        for (int j = 0; j < dim; j++) {
                            Memory.putDouble(o + 8L * j,
                                    Memory.getDouble(o + 8L * j) + Memory.getDouble(gi + 8L * j));
                        }
                    }
                }
            }
        });
        return out;
    }

    /**
     * Sparse per-sample Embedding gradient: per sample, its distinct indices (ascending, {@code paddingIdx}
     * left out) and the sum of the backprop rows at them. Memory O(B·K·P·D) at most, never B·V·D.
     */
    @Override
    public SparseEmbeddingGrad embeddingSparse(Tensor idx, Tensor g, int k, int dim, int paddingIdx,
                                               int divisor) {
        int rows = idx.dim(0);
        int b = rows / k;
        int positions = rows == 0 ? 0 : (int) (idx.numel() / rows);
        int perSample = k * positions;
        long[] offsets = new long[b + 1];
        long[][] keys = new long[b][];
        long ia = idx.numel() == 0 ? 0 : HostAccess.address(idx);
        // sort (index, position) pairs per sample; a key packs both so one primitive sort groups equal indices
        for (int n = 0; n < b; n++) {
            long[] ks = new long[perSample];
            int m = 0;
            for (int q = 0; q < perSample; q++) {
                long pos = (long) n * perSample + q;
                long row = Memory.getLong(ia + 8 * pos);
                if (row != paddingIdx) {
                    ks[m++] = row * perSample + q;
                }
            }
            ks = java.util.Arrays.copyOf(ks, m);
            java.util.Arrays.sort(ks);
            keys[n] = ks;
            long distinct = 0;
            long prev = -1;
            for (long key : ks) {
                long row = key / perSample;
                if (row != prev) {
                    distinct++;
                    prev = row;
                }
            }
            offsets[n + 1] = offsets[n] + distinct;
        }
        int nnz = Math.toIntExact(offsets[b]);
        Tensor rowIds = Tensor.zeros(DType.INT64, nnz);
        Tensor values = null;
        try {
            values = Tensor.zeros(g.dtype(), nnz, dim);
            if (nnz > 0) {
                long ra = HostAccess.address(rowIds);
                long va = HostAccess.address(values);
                long ga = HostAccess.address(g);
                boolean f32 = g.dtype() == DType.FLOAT32;
                int es = g.dtype().byteSize();
                int e = -1;
                for (int n = 0; n < b; n++) {
                    long prev = -1;
                    for (long key : keys[n]) {
                        long row = key / perSample;
                        long pos = (long) n * perSample + key % perSample;
                        if (row != prev) {
                            e++;
                            Memory.putLong(ra + 8L * e, row);
                            prev = row;
                        }
                        long o = va + (long) e * dim * es;
                        long gi = ga + pos * dim * es;
                        for (int j = 0; j < dim; j++) {
                            if (f32) {
                                Memory.putFloat(o + 4L * j, Memory.getFloat(o + 4L * j) + Memory.getFloat(gi + 4L * j));
                            } else {
                                Memory.putDouble(o + 8L * j,
                                        Memory.getDouble(o + 8L * j) + Memory.getDouble(gi + 8L * j));
                            }
                        }
                    }
                }
                if (divisor != 1) {
                    divide(values, divisor);
                }
            }
            return new SparseEmbeddingGrad(offsets, rowIds, values);
        } catch (RuntimeException ex) {
            rowIds.close();
            if (values != null) {
                values.close();
            }
            throw ex;
        }
    }

    @Override
    public Tensor sparseToDense(SparseEmbeddingGrad grad, int vocabulary) {
        Tensor values = grad.values();
        Tensor rows = grad.rows();
        long[] offsets = grad.offsets();
        int samples = grad.samples();
        int d = values.rank() == 2 ? values.dim(1) : 0;
        Tensor out = Tensor.zeros(values.dtype(), samples, vocabulary, d);
        if (out.numel() == 0 || grad.nnz() == 0) {
            return out;
        }
        int es = values.dtype().byteSize();
        long oa = HostAccess.address(out);
        long va = HostAccess.address(values);
        long ra = HostAccess.address(rows);
        for (int n = 0; n < samples; n++) {
            for (long e = offsets[n]; e < offsets[n + 1]; e++) {
                long row = Memory.getLong(ra + 8 * e);
                Memory.copy(va + e * d * es, oa + (((long) n * vocabulary + row) * d) * es, (long) d * es);
            }
        }
        return out;
    }
}
