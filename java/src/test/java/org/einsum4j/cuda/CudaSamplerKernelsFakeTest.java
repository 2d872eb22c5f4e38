package org.einsum4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.einsum4j.gradsample.ConvLayer;
import org.einsum4j.gradsample.EmbeddingLayer;
import org.einsum4j.gradsample.EmbeddingSampler;
import org.einsum4j.gradsample.GradSampler;
import org.einsum4j.gradsample.GroupNormLayer;
import org.einsum4j.gradsample.IndexOutOfRangeException;
import org.einsum4j.gradsample.KReduction;
import org.einsum4j.gradsample.Layer;
import org.einsum4j.gradsample.LayerNormLayer;
import org.einsum4j.gradsample.LinearLayer;
import org.einsum4j.gradsample.SparseEmbeddingGrad;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code GradSampler.compute} on the CUDA backend with the recording fake: each layer's kernels are the launches of
 * native/KERNELS.md with the geometry the layer implies, no tensor crosses to the host, and the only device-to-host
 * reads are the documented ones (index check status; the sparse gradient's offsets).
 */
class CudaSamplerKernelsFakeTest {
    private final Device dev = FakeCudaProvider.device(6);
    private final CudaBackend cuda = FakeCudaProvider.backend(dev);
    private final RecordingDriver driver = FakeCudaProvider.driver(dev);
    private final List<Tensor> owned = new ArrayList<>();

    @AfterEach
    void close() {
        owned.forEach(Tensor::close);
        driver.effects.clear();
    }

    private Tensor put(Tensor host) {
        try (host) {
            Tensor t = host.to(dev);
            owned.add(t);
            return t;
        }
    }

    private Map<String, Tensor> compute(Layer layer, Tensor a, Tensor g, int k) {
        driver.clearRecords();
        long copies = cuda.hostCopies();
        long reads = cuda.readBacks();
        Map<String, Tensor> out = GradSampler.compute(layer, a, g, k, KReduction.SUM);
        assertEquals(copies, cuda.hostCopies(), "tensor host copies in " + layer);
        assertEquals(0, driver.hostToDevice.get(), "host-to-device copies in " + layer);
        assertEquals(cuda.readBacks() - reads, driver.deviceToHost.get(), "only read-backs leave the device");
        for (Tensor t : out.values()) {
            assertEquals(dev, t.device());
            owned.add(t);
        }
        synchronized (driver.gemms) {
            driver.gemms.forEach(x -> CudaGemmFakeTest.assertValidCublasCall(x.call(), layer.toString()));
        }
        return out;
    }

    @Test
    void linearIsContractionsOnlyWithoutReadBacks() {
        Map<String, Tensor> r = compute(new LinearLayer(5, 3, true), put(Tensor.random(DType.FLOAT32, 1, 6, 5)),
                put(Tensor.random(DType.FLOAT32, 2, 6, 3)), 2);
        assertArrayEquals(new int[] {3, 3, 5}, r.get("weight").dims());
        assertArrayEquals(new int[] {3, 3}, r.get("bias").dims());
        assertEquals(1, driver.launches("outer_f32").size(), "K = 2: the weight is a per-sample outer product");
        assertEquals(1, driver.launches("sum_axes_").size(), "the bias is a sum");
        assertEquals(0, driver.deviceToHost.get());
    }

    @Test
    void conv2dLaunchesIm2colWithTheLayersGeometry() {
        ConvLayer conv = ConvLayer.of(2, 4, 6, 3, 2).withStride(2, 1).withPadding(1, 0).withDilation(1, 2);
        // B = 2, K = 3: rows 6; input 4×9×8 → out ((9+2-3)/2+1, (8-2·1-1)/1+1) = (5, 6)
        compute(conv, put(Tensor.random(DType.FLOAT64, 3, 6, 4, 9, 8)), put(Tensor.random(DType.FLOAT64, 4, 6, 6, 5, 6)),
                3);
        List<RecordingDriver.Launch> im2col = driver.launches("im2col_f64");
        assertEquals(1, im2col.size(), driver.launches.toString());
        RecordingDriver.Launch l = im2col.get(0);
        ByteBuffer g = l.args().structAt(2);
        long[] geometry = new long[22];
        for (int i = 0; i < 22; i++) {
            geometry[i] = g.getLong(8 * i);
        }
        assertArrayEquals(new long[] {2, 3, 1, 4, 1, 9, 8, 1, 3, 2, 1, 2, 1, 0, 1, 0, 1, 1, 2, 1, 5, 6}, geometry);
        // L = 30 positions; rows = B·G·K·(C/G)·kd·kh·kw = 2·1·3·4·3·2
        assertEquals(CudaDriver.Dim3.of(1, 144), l.grid());
        assertEquals(CudaDriver.Dim3.of(256), l.block());
    }

    @Test
    void layerNormIsStatisticsThenPartialsWithTheirGridRules() {
        compute(LayerNormLayer.of(1e-5, 8), put(Tensor.random(DType.FLOAT32, 5, 4, 10, 8)),
                put(Tensor.random(DType.FLOAT32, 6, 4, 10, 8)), 2);
        RecordingDriver.Launch stats = driver.launches("norm_stats_f32").get(0);
        assertEquals(CudaDriver.Dim3.of(40), stats.grid(), "a block per vector: 4 rows × 10 positions");
        assertEquals(8, stats.args().longAt(4), "vector length");
        assertEquals(1e-5, stats.args().doubleAt(5));
        RecordingDriver.Launch partials = driver.launches("layer_norm_partials_f32").get(0);
        assertEquals(stats.args().longAt(1), partials.args().longAt(2), "the partials read the statistics");
        assertEquals(stats.args().longAt(2), partials.args().longAt(3));
        assertEquals(CudaDriver.Dim3.of(1), partials.grid());
        assertEquals(List.of(4L, 10L, 8L), List.of(partials.args().longAt(6), partials.args().longAt(7),
                partials.args().longAt(8)));
    }

    @Test
    void groupNormPartialsAreAWarpPerOutput() {
        compute(new GroupNormLayer(2, 6, 1e-5, true), put(Tensor.random(DType.FLOAT32, 7, 4, 6, 5)),
                put(Tensor.random(DType.FLOAT32, 8, 4, 6, 5)), 1);
        RecordingDriver.Launch p = driver.launches("group_norm_partials_f32").get(0);
        assertEquals(CudaBackend.warpPerItem(4 * 6), p.grid());
        assertEquals(List.of(4L, 2L, 3L, 5L), List.of(p.args().longAt(6), p.args().longAt(7), p.args().longAt(8),
                p.args().longAt(9)));
        assertEquals(CudaDriver.Dim3.of(8), driver.launches("norm_stats_f32").get(0).grid());
    }

    private static Tensor indices(long[] v, int... dims) {
        return Tensor.ofLongs(v, dims);
    }

    @Test
    void denseEmbeddingChecksIndicesWithOneEightByteReadThenScatters() {
        EmbeddingLayer e = new EmbeddingLayer(50, 40, 3);
        compute(e, put(indices(new long[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2)), put(Tensor.random(DType.FLOAT32, 9, 4, 2, 40)),
                2);
        assertEquals(1, driver.deviceToHost.get(), "the index check's status");
        RecordingDriver.Launch check = driver.launches("index_check_i64").get(0);
        assertEquals(List.of(8L, 50L), List.of(check.args().longAt(1), check.args().longAt(2)));
        RecordingDriver.Launch scatter = driver.launches("embedding_dense_f32").get(0);
        assertEquals(CudaDriver.Dim3.of(64), scatter.block(), "32·ceil(40/32) for D < 256");
        assertEquals(CudaDriver.Dim3.of(1, 2), scatter.grid());
        assertEquals(List.of(2L, 4L, 50L, 40L, 3L), List.of(scatter.args().longAt(3), scatter.args().longAt(4),
                scatter.args().longAt(5), scatter.args().longAt(6), scatter.args().longAt(7)));
    }

    @Test
    void aBadIndexGivesTheCpuBackendsMessage() {
        long[] v = {1, 2, 3, 99, 5, 6};
        EmbeddingLayer e = new EmbeddingLayer(50, 4, EmbeddingLayer.NO_PADDING);
        String cpu;
        try (Tensor i = indices(v, 3, 2); Tensor g = Tensor.random(DType.FLOAT32, 1, 3, 2, 4)) {
            cpu = assertThrows(IndexOutOfRangeException.class, () -> GradSampler.compute(e, i, g, 1)).getMessage();
        }
        driver.effects.put("index_check_i64", a -> RecordingDriver.writeLongs(a.longAt(3), 3));
        Tensor i = put(indices(v, 3, 2));
        Tensor g = put(Tensor.random(DType.FLOAT32, 1, 3, 2, 4));
        driver.clearRecords();
        String gpu = assertThrows(IndexOutOfRangeException.class, () -> GradSampler.compute(e, i, g, 1)).getMessage();
        assertEquals(cpu, gpu);
        assertEquals(2, driver.deviceToHost.get(), "status, then the offending index for the message");
    }

    @Test
    void sparseEmbeddingSortsOnTheDeviceAndReadsBackOnlyTheOffsets() {
        EmbeddingLayer e = new EmbeddingLayer(50, 4, 0);
        Tensor i = put(indices(new long[] {7, 7, 3, 0, 9, 9, 9, 1}, 4, 2));
        Tensor g = put(Tensor.random(DType.FLOAT64, 2, 4, 2, 4));
        // the scan's result as the device would give it: sample 0 holds {3, 7}, sample 1 holds {1, 9}
        driver.effects.put("exclusive_scan_i64", a -> RecordingDriver.writeLongs(a.longAt(1), 0, 2, 4));
        driver.clearRecords();
        try (SparseEmbeddingGrad s = new EmbeddingSampler().computeSparse(e, i, g, 2, KReduction.MEAN)) {
            assertArrayEquals(new long[] {0, 2, 4}, s.offsets());
            assertArrayEquals(new int[] {4}, s.rows().dims());
            assertArrayEquals(new int[] {4, 4}, s.values().dims());
            assertEquals(dev, s.values().device());
            assertEquals(2, driver.deviceToHost.get(), "index status and the B+1 offsets");
            assertEquals(0, driver.hostToDevice.get());
            List<String> names = driver.launches.stream().map(RecordingDriver.Launch::kernel).toList();
            assertEquals(List.of("index_check_i64", "embedding_unique_count", "exclusive_scan_i64",
                    "embedding_unique_rows", "embedding_sparse_scatter_f64"), names);
            RecordingDriver.Launch scan = driver.launches("exclusive_scan_i64").get(0);
            assertEquals(CudaDriver.Dim3.of(1024), scan.block());
            RecordingDriver.Launch scatter = driver.launches("embedding_sparse_scatter_f64").get(0);
            assertEquals(2.0, scatter.args().doubleAt(9), "MEAN divides by K = 2");
            assertEquals(0L, scatter.args().longAt(8), "padding index");
            driver.clearRecords();
            try (Tensor dense = s.toDense(50)) {
                assertArrayEquals(new int[] {2, 50, 4}, dense.dims());
                RecordingDriver.Launch l = driver.launches("embedding_sparse_to_dense_f64").get(0);
                assertEquals(List.of(2L, 50L, 4L), List.of(l.args().longAt(4), l.args().longAt(5), l.args().longAt(6)));
                assertEquals(1, driver.hostToDevice.get(), "the offsets go up");
                assertEquals(0, driver.deviceToHost.get());
            }
        }
    }
}
