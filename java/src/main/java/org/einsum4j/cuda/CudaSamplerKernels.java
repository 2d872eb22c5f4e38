package org.einsum4j.cuda;

import java.util.Arrays;
import org.einsum4j.Einsum4jException;
import org.einsum4j.gradsample.IndexOutOfRangeException;
import org.einsum4j.gradsample.SamplerKernels;
import org.einsum4j.gradsample.SparseEmbeddingGrad;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Tensor;

/**
 * The grad samplers' kernels on CUDA, each a launch (or a documented sequence) of native/KERNELS.md: im2col,
 * norm statistics then partials, the index check, embedding dense and sparse scatter, divide. Device-to-host reads
 * happen only where a host value is part of the contract: the index check's status (8 bytes, plus 8 for the message
 * when an index is bad) and the sparse gradient's per-sample offsets ({@link SparseEmbeddingGrad} hands them out as
 * a host {@code long[]}: B+1 int64). The sort of the sparse gradient runs on the device (unique_count, scan,
 * unique_rows: no host step).
 */
final class CudaSamplerKernels implements SamplerKernels {
    private final CudaBackend cuda;

    CudaSamplerKernels(CudaBackend cuda) {
        this.cuda = cuda;
    }

    private static void requireContiguous(Tensor t, String what) {
        if (!t.isContiguous()) {
            throw new Einsum4jException(what + ": needs a contiguous tensor, got " + t);
        }
    }

    @Override
    public Tensor unfold(Tensor x, int samples, int copies, int groups, int channels, int[] in, int[] k, int[] s,
                         int[] p, int[] d, int[] out) {
        requireContiguous(x, "im2col");
        String sfx = CudaBackend.floatSuffix(x.dtype(), "im2col");
        int cpg = channels / groups;
        long taps = (long) cpg * k[0] * k[1] * k[2];
        long l = (long) out[0] * out[1] * out[2];
        int[] dims = {samples, groups, copies, Math.toIntExact(taps), Math.toIntExact(l)};
        Tensor cols = cuda.empty(x.dtype(), dims);
        long rows = (long) samples * groups * copies * taps;
        if (rows * l == 0) {
            return cols;
        }
        try {
            cuda.launch("im2col_" + sfx,
                    CudaDriver.Dim3.of(Math.min((l + CudaBackend.BLOCK - 1) / CudaBackend.BLOCK, 1L << 20),
                            Math.min(rows, 65535)),
                    CudaBackend.BLOCK_1D,
                    new KernelArgs().ptr(cuda.ptr(x)).ptr(cuda.ptr(cols))
                            .struct(Layouts.conv(samples, copies, groups, channels, in, k, s, p, d, out)));
            return cols;
        } catch (RuntimeException e) {
            cols.close();
            throw e;
        }
    }

    /** {@code norm_stats}: mean and rstd (float64) per contiguous vector, into a new [2, vectors] FLOAT64 scratch. */
    private Tensor stats(Tensor x, long vectors, long len, double eps) {
        String sfx = CudaBackend.floatSuffix(x.dtype(), "norm statistics");
        Tensor st = cuda.empty(DType.FLOAT64, 2, Math.toIntExact(vectors));
        try {
            long mean = cuda.ptr(st);
            cuda.launch("norm_stats_" + sfx, CudaBackend.blockPerItem(vectors), CudaBackend.BLOCK_1D,
                    new KernelArgs().ptr(cuda.ptr(x)).ptr(mean).ptr(mean + 8 * vectors).i64(vectors).i64(len).f64(eps));
            return st;
        } catch (RuntimeException e) {
            st.close();
            throw e;
        }
    }

    @Override
    public void layerNormPartials(Tensor x, Tensor g, int rows, int inner, int len, double eps, Tensor weight,
                                  Tensor bias) {
        for (Tensor t : new Tensor[] {x, g, weight, bias}) {
            requireContiguous(t, "layer-norm partials");
        }
        long vectors = (long) rows * inner;
        if ((long) rows * len == 0) {
            return;
        }
        if (vectors == 0) {
            cuda.fill(weight, 0);
            cuda.fill(bias, 0);
            return;
        }
        try (Tensor st = stats(x, vectors, len, eps)) {
            long mean = cuda.ptr(st);
            cuda.launch("layer_norm_partials_" + CudaBackend.suffix(x.dtype()), CudaBackend.gridStride((long) rows * len),
                    CudaBackend.BLOCK_1D, new KernelArgs().ptr(cuda.ptr(x)).ptr(cuda.ptr(g)).ptr(mean)
                            .ptr(mean + 8 * vectors).ptr(cuda.ptr(weight)).ptr(cuda.ptr(bias)).i64(rows).i64(inner)
                            .i64(len));
        }
    }

    @Override
    public void groupNormPartials(Tensor x, Tensor g, int rows, int groups, int cpg, int spatial, double eps,
                                  Tensor weight, Tensor bias) {
        for (Tensor t : new Tensor[] {x, g, weight, bias}) {
            requireContiguous(t, "group-norm partials");
        }
        long vectors = (long) rows * groups;
        long outputs = vectors * cpg;
        if (outputs == 0) {
            return;
        }
        try (Tensor st = stats(x, vectors, (long) cpg * spatial, eps)) {
            long mean = cuda.ptr(st);
            cuda.launch("group_norm_partials_" + CudaBackend.suffix(x.dtype()), CudaBackend.warpPerItem(outputs),
                    CudaBackend.BLOCK_1D, new KernelArgs().ptr(cuda.ptr(x)).ptr(cuda.ptr(g)).ptr(mean)
                            .ptr(mean + 8 * vectors).ptr(cuda.ptr(weight)).ptr(cuda.ptr(bias)).i64(rows).i64(groups)
                            .i64(cpg).i64(spatial));
        }
    }

    @Override
    public void checkIndices(Tensor idx, int v, String what) {
        requireContiguous(idx, what);
        if (idx.dtype() != DType.INT64) {
            throw new Einsum4jException(what + ": indices must be INT64, got " + idx.dtype());
        }
        long n = idx.numel();
        if (n == 0) {
            return;
        }
        try (Tensor bad = cuda.empty(DType.INT64, 1)) {
            long status = cuda.ptr(bad);
            cuda.driver().memset(status, (byte) 0xFF, 8, cuda.stream());
            cuda.launch("index_check_i64", CudaBackend.gridStride(n), CudaBackend.BLOCK_1D,
                    new KernelArgs().ptr(cuda.ptr(idx)).i64(n).i64(v).ptr(status));
            long first = cuda.readLongs(status, 1)[0];
            if (first >= 0) {
                long x = cuda.readLongs(cuda.ptr(idx) + 8 * first, 1)[0];
                throw new IndexOutOfRangeException(what + ": index " + x + " at position "
                        + Arrays.toString(unravel(first, idx.dims())) + " of activations " + idx.shape()
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

    /** embedding_dense's block: 256, or 32·ceil(D/32) when D is below 256. */
    private static CudaDriver.Dim3 scatterBlock(long dim) {
        return CudaDriver.Dim3.of(dim < CudaBackend.BLOCK ? Math.max(32, (dim + 31) / 32 * 32) : CudaBackend.BLOCK);
    }

    private static CudaDriver.Dim3 scatterGrid(long dim, long samples) {
        long bx = scatterBlock(dim).x();
        return CudaDriver.Dim3.of(Math.max(1, (dim + bx - 1) / bx), Math.min(samples, 65535));
    }

    /** An embedding call's operands checked, its kernel suffix, samples B and positions per sample K·P. */
    private record Scatter(String sfx, int samples, long perSample) {
        static Scatter of(Tensor idx, Tensor g, int k) {
            requireContiguous(idx, "embedding");
            requireContiguous(g, "embedding");
            int rows = idx.dim(0);
            return new Scatter(CudaBackend.floatSuffix(g.dtype(), "embedding"), rows / k,
                    rows == 0 ? 0 : k * (idx.numel() / rows));
        }
    }

    @Override
    public Tensor embeddingDense(Tensor idx, Tensor g, int k, int v, int dim, int paddingIdx) {
        Scatter sc = Scatter.of(idx, g, k);
        String sfx = sc.sfx();
        int b = sc.samples();
        Tensor out = cuda.empty(g.dtype(), b, v, dim);
        try {
            if ((long) b * v * dim > 0) {
                cuda.launch("embedding_dense_" + sfx, scatterGrid(dim, b), scatterBlock(dim), new KernelArgs()
                        .ptr(cuda.ptr(idx)).ptr(cuda.ptr(g)).ptr(cuda.ptr(out)).i64(b).i64(sc.perSample()).i64(v)
                        .i64(dim).i64(paddingIdx));
            }
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    @Override
    public SparseEmbeddingGrad embeddingSparse(Tensor idx, Tensor g, int k, int dim, int paddingIdx, int divisor) {
        Scatter sc = Scatter.of(idx, g, k);
        String sfx = sc.sfx();
        int b = sc.samples();
        long perSample = sc.perSample();
        long[] offsets;
        try (Tensor counts = cuda.empty(DType.INT64, Math.max(1, b)); Tensor offs = cuda.empty(DType.INT64, b + 1)) {
            if (b == 0) {
                offsets = new long[1];
            } else {
                cuda.launch("embedding_unique_count", CudaBackend.blockPerItem(b), CudaBackend.BLOCK_1D,
                        new KernelArgs().ptr(cuda.ptr(idx)).ptr(cuda.ptr(counts)).i64(b).i64(perSample).i64(paddingIdx));
                cuda.launch("exclusive_scan_i64", CudaDriver.Dim3.of(1), CudaDriver.Dim3.of(1024),
                        new KernelArgs().ptr(cuda.ptr(counts)).ptr(cuda.ptr(offs)).i64(b));
                offsets = cuda.readLongs(cuda.ptr(offs), b + 1);
            }
            int nnz = Math.toIntExact(offsets[b]);
            Tensor rowIds = cuda.empty(DType.INT64, nnz);
            Tensor values = null;
            try {
                values = cuda.empty(g.dtype(), nnz, dim);
                if (nnz > 0) {
                    cuda.launch("embedding_unique_rows", CudaBackend.blockPerItem(b), CudaBackend.BLOCK_1D,
                            new KernelArgs().ptr(cuda.ptr(idx)).ptr(cuda.ptr(offs)).ptr(cuda.ptr(rowIds)).i64(b)
                                    .i64(perSample).i64(paddingIdx));
                    KernelArgs a = new KernelArgs().ptr(cuda.ptr(idx)).ptr(cuda.ptr(g)).ptr(cuda.ptr(offs))
                            .ptr(cuda.ptr(rowIds)).ptr(cuda.ptr(values)).i64(b).i64(perSample).i64(dim).i64(paddingIdx);
                    if (dim > 0) {
                        cuda.launch("embedding_sparse_scatter_" + sfx, scatterGrid(dim, b), scatterBlock(dim),
                                CudaBackend.scalar(a, g.dtype(), divisor));
                    }
                }
                return new SparseEmbeddingGrad(offsets, rowIds, values);
            } catch (RuntimeException e) {
                rowIds.close();
                if (values != null) {
                    values.close();
                }
                throw e;
            }
        }
    }

    /**
     * Dense form: one {@code embedding_sparse_to_dense} launch. Its offsets must be on the device and the sparse
     * gradient hands them out on the host, so they are uploaded (B+1 int64, counted in the driver's host-to-device
     * copies): this method is for tests and small vocabularies, not for the sampler's hot path.
     */
    @Override
    public Tensor sparseToDense(SparseEmbeddingGrad grad, int vocabulary) {
        Tensor values = grad.values();
        String sfx = CudaBackend.floatSuffix(values.dtype(), "embedding");
        long[] offsets = grad.offsets();
        int b = offsets.length - 1;
        int dim = values.dim(1);
        Tensor out = cuda.empty(values.dtype(), b, vocabulary, dim);
        if (out.numel() == 0) {
            return out;
        }
        try (Tensor offs = cuda.empty(DType.INT64, b + 1)) {
            cuda.writeLongs(cuda.ptr(offs), offsets);
            cuda.launch("embedding_sparse_to_dense_" + sfx, scatterGrid(dim, b), scatterBlock(dim),
                    new KernelArgs().ptr(cuda.ptr(offs)).ptr(cuda.ptr(grad.rows())).ptr(cuda.ptr(values))
                            .ptr(cuda.ptr(out)).i64(b).i64(vocabulary).i64(dim));
            return out;
        } catch (RuntimeException e) {
            out.close();
            throw e;
        }
    }

    @Override
    public void divide(Tensor t, int k) {
        cuda.divide(t, k);
    }
}
