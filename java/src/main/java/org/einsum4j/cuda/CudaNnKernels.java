package org.einsum4j.cuda;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.einsum4j.Einsum4jException;
import org.einsum4j.nn.NnKernels;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * The nn modules' kernels on CUDA ({@code native/nn.cu}, launch contract in native/KERNELS.md "nn kernels"): one
 * launch per method (scale is the backend's copy and {@code scale_*}), every launch 1-D grid-stride (G1) over its
 * items, operands made contiguous on the device first. Nothing is read back to the host: losses, the pooling
 * argmax and the norm statistics stay on the device. Per-row kernels (norms, losses, argmax) run one thread per row,
 * a tuning choice that suits the short rows of the models here (≤ a few thousand elements per row); rows of
 * hundreds of thousands of elements would want a block per row.
 */
final class CudaNnKernels implements NnKernels {
    private final CudaBackend cuda;

    CudaNnKernels(CudaBackend cuda) {
        this.cuda = cuda;
    }

    /** Contiguous operands for one call: the tensor itself, or a device copy closed with the scope. */
    private final class Operands implements AutoCloseable {
        private final List<Tensor> copies = new ArrayList<>();

        long ptr(Tensor t) {
            if (t.isContiguous()) {
                return cuda.ptr(t);
            }
            Tensor c = cuda.contiguousCopy(t);
            copies.add(c);
            return cuda.ptr(c);
        }

        @Override
        public void close() {
            copies.forEach(Tensor::close);
        }
    }

    private static String sfx(Tensor t, String what) {
        return CudaBackend.floatSuffix(t.dtype(), what);
    }

    /** A result tensor of a launch: dtype and dims. */
    private record Result(DType dtype, int[] dims) {
    }

    private static Result result(DType dtype, int... dims) {
        return new Result(dtype, dims);
    }

    /**
     * New tensors for {@code results}, then one G1 launch over {@code n} items with the arguments {@code args}
     * builds from the results' device pointers; the results are closed if anything fails.
     */
    private Tensor[] launch(String kernel, long n, java.util.function.Function<long[], KernelArgs> args,
                            Result... results) {
        Tensor[] out = new Tensor[results.length];
        try {
            long[] ptrs = new long[results.length];
            for (int i = 0; i < results.length; i++) {
                out[i] = cuda.empty(results[i].dtype(), results[i].dims());
                ptrs[i] = cuda.ptr(out[i]);
            }
            KernelArgs a = args.apply(ptrs);
            if (n > 0) {
                cuda.launch(kernel, CudaBackend.gridStride(n), CudaBackend.BLOCK_1D, a);
            }
            return out;
        } catch (RuntimeException e) {
            for (Tensor t : out) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
    }

    /** {@link #launch} with one result, whose pointer {@code args} gets. */
    private Tensor one(String kernel, long n, DType dtype, int[] dims,
                       java.util.function.LongFunction<KernelArgs> args) {
        return launch(kernel, n, p -> args.apply(p[0]), result(dtype, dims))[0];
    }

    private static long code(Activation f) {
        return f.ordinal();
    }

    @Override
    public Tensor activation(Activation f, Tensor x) {
        String s = sfx(x, "activation");
        try (Operands o = new Operands()) {
            long px = o.ptr(x);
            return one("nn_activation_" + s, x.numel(), x.dtype(), x.dims(),
                    y -> new KernelArgs().ptr(px).ptr(y).i64(x.numel()).i64(code(f)));
        }
    }

    @Override
    public Tensor activationBackward(Activation f, Tensor x, Tensor gradOut) {
        same(x, gradOut, "activation backward");
        String s = sfx(gradOut, "activation backward");
        try (Operands o = new Operands()) {
            long px = o.ptr(x);
            long pg = o.ptr(gradOut);
            return one("nn_activation_backward_" + s, x.numel(), gradOut.dtype(), gradOut.dims(),
                    y -> new KernelArgs().ptr(px).ptr(pg).ptr(y).i64(x.numel()).i64(code(f)));
        }
    }

    private static void same(Tensor a, Tensor b, String what) {
        if (a.dtype() != b.dtype() || !Arrays.equals(a.dims(), b.dims())) {
            throw new Einsum4jException(what + ": operands " + a + " and " + b + " differ in dtype or shape");
        }
    }

    @Override
    public Tensor addAlongAxis(Tensor x, Tensor bias, int axis) {
        String s = sfx(x, "bias add");
        long inner = 1;
        for (int i = axis + 1; i < x.rank(); i++) {
            inner *= x.dim(i);
        }
        long c = x.dim(axis);
        long in = inner;
        try (Operands o = new Operands()) {
            long px = o.ptr(x);
            long pb = o.ptr(bias);
            return one("nn_add_along_axis_" + s, x.numel(), x.dtype(), x.dims(),
                    y -> new KernelArgs().ptr(px).ptr(pb).ptr(y).i64(x.numel()).i64(in).i64(c));
        }
    }

    @Override
    public Tensor scale(Tensor x, double alpha) {
        Tensor y = cuda.contiguousCopy(x);
        try {
            cuda.scale(y, alpha);
            return y;
        } catch (RuntimeException e) {
            y.close();
            throw e;
        }
    }

    @Override
    public Tensor axpy(Tensor a, double alpha, Tensor b) {
        same(a, b, "axpy");
        String s = sfx(a, "axpy");
        try (Operands o = new Operands()) {
            long pa = o.ptr(a);
            long pb = o.ptr(b);
            return one("nn_axpy_" + s, a.numel(), a.dtype(), a.dims(),
                    y -> new KernelArgs().ptr(pa).ptr(pb).ptr(y).i64(a.numel()).f64(alpha));
        }
    }

    @Override
    public Tensor fold(Tensor cols, int n, int channels, int[] in, int[] k, int[] s, int[] p, int[] d) {
        String sx = sfx(cols, "col2im");
        long oh = (in[0] + 2L * p[0] - (long) d[0] * (k[0] - 1) - 1) / s[0] + 1;
        long ow = (in[1] + 2L * p[1] - (long) d[1] * (k[1] - 1) - 1) / s[1] + 1;
        long total = (long) n * channels * in[0] * in[1];
        try (Operands o = new Operands()) {
            long pc = o.ptr(cols);
            return one("nn_fold_" + sx, total, cols.dtype(), new int[] {n, channels, in[0], in[1]},
                    x -> new KernelArgs().ptr(pc).ptr(x).i64(n).i64(channels).i64(in[0]).i64(in[1]).i64(k[0])
                            .i64(k[1]).i64(s[0]).i64(s[1]).i64(p[0]).i64(p[1]).i64(d[0]).i64(d[1]).i64(oh).i64(ow));
        }
    }

    /** Pooling geometry arguments: planes, h, w, kh, kw, sh, sw, oh, ow. */
    private static KernelArgs pool(KernelArgs a, int[] dims, int kh, int kw, int sh, int sw) {
        return a.i64((long) dims[0] * dims[1]).i64(dims[2]).i64(dims[3]).i64(kh).i64(kw).i64(sh).i64(sw)
                .i64((dims[2] - kh) / sh + 1).i64((dims[3] - kw) / sw + 1);
    }

    private static int[] pooled(int[] d, int kh, int kw, int sh, int sw) {
        return new int[] {d[0], d[1], (d[2] - kh) / sh + 1, (d[3] - kw) / sw + 1};
    }

    @Override
    public Tensor[] maxPool(Tensor x, int kh, int kw, int sh, int sw) {
        String s = sfx(x, "max pool");
        int[] od = pooled(x.dims(), kh, kw, sh, sw);
        try (Operands o = new Operands()) {
            long px = o.ptr(x);
            return launch("nn_max_pool_" + s, numel(od),
                    p -> pool(new KernelArgs().ptr(px).ptr(p[0]).ptr(p[1]), x.dims(), kh, kw, sh, sw),
                    result(x.dtype(), od), result(DType.INT64, od));
        }
    }

    @Override
    public Tensor maxPoolBackward(Tensor gradOut, Tensor argmax, int[] inputDims, int kh, int kw, int sh, int sw) {
        String s = sfx(gradOut, "max pool backward");
        try (Operands o = new Operands()) {
            long pg = o.ptr(gradOut);
            long pa = o.ptr(argmax);
            return one("nn_max_pool_backward_" + s, numel(inputDims), gradOut.dtype(), inputDims,
                    dx -> pool(new KernelArgs().ptr(pg).ptr(pa).ptr(dx), inputDims, kh, kw, sh, sw));
        }
    }

    @Override
    public Tensor avgPool(Tensor x, int kh, int kw, int sh, int sw) {
        String s = sfx(x, "average pool");
        int[] od = pooled(x.dims(), kh, kw, sh, sw);
        try (Operands o = new Operands()) {
            long px = o.ptr(x);
            return one("nn_avg_pool_" + s, numel(od), x.dtype(), od,
                    y -> pool(new KernelArgs().ptr(px).ptr(y), x.dims(), kh, kw, sh, sw));
        }
    }

    @Override
    public Tensor avgPoolBackward(Tensor gradOut, int[] inputDims, int kh, int kw, int sh, int sw) {
        String s = sfx(gradOut, "average pool backward");
        try (Operands o = new Operands()) {
            long pg = o.ptr(gradOut);
            return one("nn_avg_pool_backward_" + s, numel(inputDims), gradOut.dtype(), inputDims,
                    dx -> pool(new KernelArgs().ptr(pg).ptr(dx), inputDims, kh, kw, sh, sw));
        }
    }

    private static long numel(int[] dims) {
        long n = 1;
        for (int v : dims) {
            n *= v;
        }
        return n;
    }

    @Override
    public Tensor[] normalize(Tensor x, int groupSize, double eps) {
        String s = sfx(x, "normalize");
        long groups = groupSize == 0 ? 0 : x.numel() / groupSize;
        try (Operands o = new Operands()) {
            long px = o.ptr(x);
            return launch("nn_normalize_" + s, groups,
                    p -> new KernelArgs().ptr(px).ptr(p[0]).ptr(p[1]).i64(groups).i64(groupSize).f64(eps),
                    result(x.dtype(), x.dims()), result(DType.FLOAT64, 2, Math.toIntExact(groups)));
        }
    }

    @Override
    public Tensor normalizeBackward(Tensor gradXhat, Tensor xhat, Tensor stats, int groupSize) {
        same(gradXhat, xhat, "normalize backward");
        String s = sfx(gradXhat, "normalize backward");
        long groups = stats.dim(1);
        try (Operands o = new Operands()) {
            long pg = o.ptr(gradXhat);
            long px = o.ptr(xhat);
            long ps = o.ptr(stats);
            return one("nn_normalize_backward_" + s, groups, gradXhat.dtype(), gradXhat.dims(),
                    dx -> new KernelArgs().ptr(pg).ptr(px).ptr(ps).ptr(dx).i64(groups).i64(groupSize));
        }
    }

    @Override
    public Tensor dropoutMask(DType dtype, int[] dims, double p, long seed) {
        if (!dtype.isFloating()) {
            throw new Einsum4jException("dropout mask on CUDA needs FLOAT32 or FLOAT64, got " + dtype);
        }
        long n = numel(dims);
        return one("nn_dropout_mask_" + CudaBackend.suffix(dtype), n, dtype, dims,
                m -> new KernelArgs().ptr(m).i64(n).i64(seed).f64(p).f64(1 / (1 - p)));
    }

    @Override
    public Tensor gatherRows(Tensor weight, Tensor indices) {
        String s = sfx(weight, "embedding lookup");
        int dim = weight.dim(1);
        int[] id = indices.dims();
        int[] od = Arrays.copyOf(id, id.length + 1);
        od[id.length] = dim;
        long positions = indices.numel();
        try (Operands o = new Operands()) {
            long pw = o.ptr(weight);
            long pi = o.ptr(indices);
            return one("nn_gather_rows_" + s, positions * dim, weight.dtype(), od,
                    y -> new KernelArgs().ptr(pw).ptr(pi).ptr(y).i64(positions).i64(dim));
        }
    }

    /** A per-row loss kernel: FLOAT64 losses [R] and a gradient of {@code a}'s shape. */
    private Tensor[] rowLoss(String kernel, Tensor a, Tensor b, long rows, long len) {
        try (Operands o = new Operands()) {
            long pa = o.ptr(a);
            long pb = o.ptr(b);
            return launch(kernel, rows, p -> new KernelArgs().ptr(pa).ptr(pb).ptr(p[0]).ptr(p[1]).i64(rows).i64(len),
                    result(DType.FLOAT64, Math.toIntExact(rows)), result(a.dtype(), a.dims()));
        }
    }

    @Override
    public Tensor[] softmaxCrossEntropy(Tensor logits, Tensor labels) {
        return rowLoss("nn_softmax_xent_" + sfx(logits, "cross-entropy"), logits, labels, logits.dim(0),
                logits.dim(1));
    }

    @Override
    public Tensor[] meanSquaredError(Tensor prediction, Tensor target) {
        same(prediction, target, "mean squared error");
        long rows = prediction.dim(0);
        return rowLoss("nn_mse_" + sfx(prediction, "mean squared error"), prediction, target, rows,
                rows == 0 ? 0 : prediction.numel() / rows);
    }

    @Override
    public Tensor argmaxRows(Tensor logits) {
        String s = sfx(logits, "argmax");
        long rows = logits.dim(0);
        try (Operands o = new Operands()) {
            long pz = o.ptr(logits);
            return one("nn_argmax_rows_" + s, rows, DType.INT64, new int[] {logits.dim(0)},
                    y -> new KernelArgs().ptr(pz).ptr(y).i64(rows).i64(logits.dim(1)));
        }
    }

    @Override
    public Tensor[] adam(Tensor param, Tensor grad, Tensor m, Tensor v, double lr, double beta1, double beta2,
                         double eps, long step) {
        for (Tensor t : new Tensor[] {grad, m, v}) {
            same(param, t, "adam");
        }
        String s = sfx(param, "adam");
        long n = param.numel();
        double c1 = 1 - Math.pow(beta1, step);
        double c2 = 1 - Math.pow(beta2, step);
        Result r = result(param.dtype(), param.dims());
        try (Operands o = new Operands()) {
            long pp = o.ptr(param);
            long pg = o.ptr(grad);
            long pm = o.ptr(m);
            long pv = o.ptr(v);
            return launch("nn_adam_" + s, n, q -> new KernelArgs().ptr(pp).ptr(pg).ptr(pm).ptr(pv).ptr(q[0]).ptr(q[1])
                    .ptr(q[2]).i64(n).f64(lr).f64(beta1).f64(beta2).f64(eps).f64(c1).f64(c2), r, r, r);
        }
    }
}
