package org.einsum4j.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.einsum4j.Backend;
import org.einsum4j.ContractExpression;
import org.einsum4j.Einsum;
import org.einsum4j.tensor.DType;
import org.einsum4j.tensor.Device;
import org.einsum4j.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Streams, events and staging on the recording fake, from the driver calls' order: each expression run on a stream
 * of the backend's pool (forked from and joined back to the caller's stream, the pool reused), user streams taking
 * the run's work, the allocator holding back a block other streams used until their events complete, and the
 * double-buffered pinned staging of large host copies.
 */
class CudaStreamsFakeTest {
    private final Device dev = FakeCudaProvider.device(8);
    private final CudaBackend cuda = FakeCudaProvider.backend(dev);
    private final RecordingDriver driver = FakeCudaProvider.driver(dev);

    private Tensor onDevice(long seed, int... dims) {
        try (Tensor h = Tensor.random(DType.FLOAT32, seed, dims)) {
            return h.to(dev);
        }
    }

    @Test
    void everyRunOfAnExpressionGoesToAPooledStreamReusedByTheNextRun() {
        try (Tensor a = onDevice(1, 8, 64); Tensor b = onDevice(2, 64, 32)) {
            ContractExpression e = Einsum.expression("ij,jk->ik", org.einsum4j.ContractOptions.defaults(), DType.FLOAT32,
                    dev, new int[] {8, 64}, new int[] {64, 32});
            e.contract(a, b).close();
            int pooled = cuda.pooledStreams();
            assertTrue(pooled >= 1, "the run's stream went back to the pool");
            driver.clearRecords();
            long streamsBefore = driver.log.size();
            List<Long> runStreams = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                e.contract(a, b).close();
                runStreams.add(driver.gemms.get(i).stream());
            }
            assertEquals(0, streamsBefore);
            assertEquals(pooled, cuda.pooledStreams(), "no new stream per call");
            assertEquals(1, runStreams.stream().distinct().count(), "the same pooled stream: " + runStreams);
            assertNotEquals(cuda.defaultStream(), runStreams.get(0));
            // fork before and join after each run: 2 records and 2 waits per run around its GEMM
            assertEquals(6, driver.log("wait").size(), driver.log.toString());
        }
    }

    @Test
    void runsOpenAtOnceOnTwoThreadsGetTwoStreamsAndARunInsideARunUsesItsStream() throws Exception {
        try (Backend.RunScope outer = cuda.openRun()) {
            long mine = cuda.stream();
            assertNotEquals(cuda.defaultStream(), mine);
            try (Backend.RunScope inner = cuda.openRun()) {
                assertEquals(mine, cuda.stream(), "nested: the enclosing run's stream");
            }
            long other = CompletableFuture.supplyAsync(() -> {
                try (Backend.RunScope r = cuda.openRun()) {
                    return cuda.stream();
                }
            }).get();
            assertNotEquals(mine, other, "a concurrent run on another thread gets its own stream");
            assertNotEquals(cuda.defaultStream(), other);
        }
        assertEquals(cuda.defaultStream(), cuda.stream(), "the thread's stream is the default again");
    }

    @Test
    void aUserStreamTakesTheRunsWorkAfterWaitingForTheCallersEarlierWork() {
        try (Tensor a = onDevice(3, 8, 64); Tensor b = onDevice(4, 64, 32); CudaStream s = new CudaStream(cuda)) {
            driver.clearRecords();
            try (Tensor c = s.call(() -> Einsum.contract("ij,jk->ik", a, b))) {
                assertEquals(s.handle(), driver.gemms.get(0).stream());
                List<String> order = driver.log("record", "wait", "gemm");
                String event = order.get(0).split(" ")[1];
                assertEquals(List.of("record " + event + " s=" + cuda.defaultStream(), "wait s=" + s.handle() + " " + event,
                        "gemm s=" + s.handle()), order, "one fork from the caller's stream, no pool stream, no join");
            }
        }
    }

    @Test
    void aBlockUsedOnAnotherStreamIsNotReusedBeforeThatStreamsWorkIsDone() {
        CudaAllocator alloc = cuda.allocator();
        CudaStream user = new CudaStream(cuda);
        try (user) {
            Tensor t = cuda.empty(DType.FLOAT32, 5000); // on the default stream
            long ptr = cuda.ptr(t);
            driver.busy(user.handle());
            user.call(() -> {
                cuda.scale(t, 2); // queued on the user stream, still "running"
                return null;
            });
            t.close();
            assertEquals(1, alloc.pendingBlocks(), "held back, not in the default stream's cache");
            long mallocs = alloc.mallocs();
            driver.clearRecords();
            try (Tensor u = cuda.empty(DType.FLOAT32, 5000)) {
                assertNotEquals(ptr, cuda.ptr(u), "not handed out while the user stream may still read it");
                assertEquals(mallocs + 1, alloc.mallocs());
                assertTrue(driver.log("record").stream().anyMatch(l -> l.endsWith("s=" + user.handle())),
                        "an event recorded on the stream that used the block: " + driver.log);
            }
            driver.finish(user.handle());
            try (Tensor v = cuda.empty(DType.FLOAT32, 5000)) {
                assertEquals(0, alloc.pendingBlocks());
                assertTrue(cuda.ptr(v) == ptr || alloc.reuses() > 0, "filed once the event completed");
            }
            // a block only ever used on its own stream is reused at once
            Tensor w = cuda.empty(DType.FLOAT32, 7000);
            long wp = cuda.ptr(w);
            w.close();
            assertEquals(0, alloc.pendingBlocks());
            try (Tensor x = cuda.empty(DType.FLOAT32, 7000)) {
                assertEquals(wp, cuda.ptr(x));
            }
        }
    }

    /** A block used on a user stream that was closed since: no event on the destroyed stream, reused at once. */
    @Test
    void aBlockUsedOnAClosedUserStreamNeedsNoEventOnIt() {
        CudaAllocator alloc = cuda.allocator();
        Tensor t = cuda.empty(DType.FLOAT32, 9000);
        long ptr = cuda.ptr(t);
        long handle;
        try (CudaStream user = new CudaStream(cuda)) {
            handle = user.handle();
            user.call(() -> {
                cuda.scale(t, 3);
                return null;
            });
        }
        t.close();
        driver.clearRecords();
        try (Tensor u = cuda.empty(DType.FLOAT32, 9000)) {
            assertEquals(ptr, cuda.ptr(u), "reused: the closed stream's work was synchronized");
            assertEquals(List.of(), driver.log("record"), "no event recorded on the destroyed stream " + handle);
            assertEquals(0, alloc.pendingBlocks());
        }
    }

    @Test
    void largeHostCopiesAreDoubleBufferedThroughTwoPinnedBuffers() {
        long chunk = CudaBackend.STAGING;
        int n = (int) (chunk / 4 * 2 + 1000); // three chunks: two full, one of 4000 bytes
        try (Tensor h = Tensor.random(DType.FLOAT32, 5, n)) {
            driver.clearRecords();
            try (Tensor d = cuda.empty(DType.FLOAT32, n)) {
                // a download ends with both buffers idle (earlier tests on this device may have left uploads queued)
                try (Tensor one = cuda.zeros(DType.FLOAT32, 1); Tensor x = one.to(Device.CPU)) {
                    assertEquals(0f, x.toFloatArray()[0]);
                }
                driver.clearRecords();
                cuda.copy(h, d);
                List<String> in = driver.log("host", "h2d", "record", "sync", "syncstream");
                String e0 = in.get(2).split(" ")[1];
                String e1 = in.get(5).split(" ")[1];
                assertNotEquals(e0, e1, "one event per buffer");
                long s = cuda.defaultStream();
                // fill buffer 0 and queue its copy, fill buffer 1 while it runs, wait for buffer 0's copy, refill it
                assertEquals(List.of("host " + chunk, "h2d s=" + s + " " + chunk, "record " + e0 + " s=" + s,
                        "host " + chunk, "h2d s=" + s + " " + chunk, "record " + e1 + " s=" + s,
                        "sync " + e0, "host 4000", "h2d s=" + s + " 4000", "record " + e0 + " s=" + s), in);

                driver.clearRecords();
                try (Tensor back = d.to(Device.CPU)) {
                    List<String> out = driver.log("host", "d2h", "record", "sync", "syncstream");
                    // the buffers' last uploads are awaited before each is reused; then chunk i+1 downloads while
                    // the host drains chunk i, and the emptied buffer takes chunk i+2
                    assertEquals(List.of("sync " + e0, "d2h s=" + s + " " + chunk, "record " + e0 + " s=" + s,
                            "sync " + e1, "d2h s=" + s + " " + chunk, "record " + e1 + " s=" + s,
                            "sync " + e0, "host " + chunk, "d2h s=" + s + " 4000", "record " + e0 + " s=" + s,
                            "sync " + e1, "host " + chunk, "sync " + e0, "host 4000"), out);
                    assertArrayEquals(h.toFloatArray(), back.toFloatArray());
                }
            }
        }
    }
}
