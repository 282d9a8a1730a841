package dev.infero.serve;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.tensor.Tensor;
import dev.infero.serve.client.InferoClient;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The engine under pressure: a full queue answers 503 at once, timeouts, dynamic batching, graceful shutdown. */
class EngineTest {
    @TempDir
    Path dir;

    private static final Map<String, String> ONE_THREAD = Map.of("INFERENCE_NUM_THREADS", "1");

    private static ModelConfig config(String name, Path file, int nireq, int batch) {
        return new ModelConfig(name, file, "CPU", nireq, batch, ONE_THREAD, VersionPolicy.latest());
    }

    /**
     * A server of the slow model: one request at a time, no batching, {@code queue} requests waiting at most, each
     * given {@code timeoutMs}.
     */
    private static InferoServer serveSlow(Path slow, int queue, long timeoutMs) {
        return InferoServer.start(List.of(config("slow", slow, 1, 1)),
                TestServers.restOnly().withLimits(1 << 20, queue, timeoutMs));
    }

    @Test
    void aFullQueueAnswers503AtOnceAndEveryAcceptedRequestGetsItsOwnOutput() throws Exception {
        Path slow = TestModels.slow(dir.resolve("slow.onnx"), 64);
        try (InferoServer server = serveSlow(slow, 2, 60_000)) {
            InferoClient client = TestServers.client(server);
            int n = 32;
            List<Tensor> inputs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                inputs.add(TestModels.randomF32(100 + i, 64, 256));
            }
            List<float[]> expected = TestModels.localFirstOutputs(slow, "x", inputs, ONE_THREAD);
            ExecutorService pool = Executors.newFixedThreadPool(n);
            CountDownLatch go = new CountDownLatch(1);
            AtomicInteger ok = new AtomicInteger();
            ConcurrentLinkedQueue<Long> rejectedMillis = new ConcurrentLinkedQueue<>();
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                done.add(pool.submit(() -> {
                    go.await();
                    long start = System.nanoTime();
                    try {
                        InferoClient.Result r = client.infer("slow", null, Map.of("x", inputs.get(id)), List.of(),
                                InferoClient.Encoding.BINARY, "req-" + id);
                        assertEquals("req-" + id, r.id());
                        assertClose(expected.get(id), r.outputs().get("y").floats());
                        ok.incrementAndGet();
                    } catch (InferoClient.ServerError e) {
                        assertEquals(503, e.status(), e.getMessage());
                        assertTrue(e.getMessage().contains("overloaded"), e.getMessage());
                        rejectedMillis.add((System.nanoTime() - start) / 1_000_000);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
            assertTrue(ok.get() >= 1, "accepted " + ok.get());
            assertTrue(!rejectedMillis.isEmpty(), "no request was rejected with a queue of 2");
            assertEquals(n, ok.get() + rejectedMillis.size());
            String metrics = server.metrics().scrape();
            assertTrue(metrics.contains("infero_requests_total{model=\"slow\",protocol=\"rest\",status=\"503\","
                    + "version=\"1\"}"), metrics);
            // Still serving afterwards.
            Tensor x = TestModels.randomF32(99, 64, 256);
            assertClose(TestModels.local(slow, Map.of("x", x), ONE_THREAD).get(0).floats(),
                    client.infer("slow", null, Map.of("x", x), InferoClient.Encoding.JSON).outputs().get("y").floats());
        }
    }

    @Test
    void aRequestThatCannotFinishInTimeGets504() throws Exception {
        Path slow = TestModels.slow(dir.resolve("slow.onnx"), 48);
        try (InferoServer server = serveSlow(slow, 8, 1)) {
            InferoClient client = TestServers.client(server);
            InferoClient.ServerError e = org.junit.jupiter.api.Assertions.assertThrows(InferoClient.ServerError.class,
                    () -> client.infer("slow", null, Map.of("x", TestModels.randomF32(1, 64, 256)),
                            InferoClient.Encoding.BINARY));
            assertEquals(504, e.status());
            assertTrue(client.isReady());
        }
    }

    @Test
    void dynamicBatchingCombinesConcurrentRequestsAndSplitsTheirOutputs() throws Exception {
        Path conv = TestModels.conv(dir.resolve("conv.onnx"), 4);
        try (InferoServer server = InferoServer.start(List.of(config("conv", conv, 1, 4)),
                TestServers.restOnly().withBatchTimeoutMicros(50_000))) {
            assertEquals(4, server.models().resolve("conv", null).batchSize());
            InferoClient client = TestServers.client(server);
            int n = 16;
            ExecutorService pool = Executors.newFixedThreadPool(n);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<float[][]>> results = new ArrayList<>();
            List<Tensor> inputs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Tensor x = TestModels.randomF32(200 + i, 1, 3, 8, 8);
                inputs.add(x);
                results.add(pool.submit(() -> {
                    go.await();
                    InferoClient.Result r = client.infer("conv", null, Map.of("x", x), InferoClient.Encoding.BINARY);
                    assertArrayEquals(new int[] {1, 4, 8, 8}, r.outputs().get("y").shape());
                    return new float[][] {r.outputs().get("y").floats(), r.outputs().get("s").floats()};
                }));
            }
            go.countDown();
            for (int i = 0; i < n; i++) {
                List<Tensor> expected = TestModels.local(conv, Map.of("x", inputs.get(i)), ONE_THREAD);
                float[][] got = results.get(i).get();
                assertClose(expected.get(0).floats(), got[0]);
                assertClose(expected.get(1).floats(), got[1]);
            }
            pool.shutdown();
            Matcher m = Pattern.compile("infero_inference_duration_seconds_count\\{model=\"conv\",version=\"1\"} "
                    + "([0-9.]+)").matcher(server.metrics().scrape());
            assertTrue(m.find());
            double inferences = Double.parseDouble(m.group(1));
            assertTrue(inferences < n, "16 concurrent requests ran as " + inferences + " inferences");
        }
    }

    /**
     * Equal within float rounding: batched kernels may sum in another order than batch-1 ones, and the 48-layer MatMul
     * chain amplifies the last-bit differences between the runtime's interpreted and JIT-compiled vector reductions
     * (a property of the CPU device, which the bit-exact protocol tests on the conv model do not meet).
     */
    private static void assertClose(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], 1e-4f * Math.max(1, Math.abs(expected[i])), "element " + i);
        }
    }

    @Test
    void batchSizeOnAModelWithoutBatchDimensionIsIgnoredWithAWarning() {
        Path integer = TestModels.integer(dir.resolve("int.onnx"));
        try (InferoServer server = InferoServer.start(List.of(config("int", integer, 1, 8)),
                ServeOptions.defaults().withPorts(-1, -1).withPollSeconds(0))) {
            // i64[1,4] → i64[1,4] has a batch dimension: batched.
            assertEquals(8, server.models().resolve("int", null).batchSize());
        }
        // f32[64,256] has no batch dimension of 1: served without batching.
        Path dyn = TestModels.slow(dir.resolve("slow.onnx"), 1);
        try (InferoServer server = InferoServer.start(List.of(config("s", dyn, 1, 4)),
                ServeOptions.defaults().withPorts(-1, -1).withPollSeconds(0))) {
            assertEquals(1, server.models().resolve("s", null).batchSize());
        }
    }

    @Test
    void gracefulShutdownFinishesRequestsInFlightAndRefusesNewOnes() throws Exception {
        Path slow = TestModels.slow(dir.resolve("slow.onnx"), 64);
        InferoServer server = serveSlow(slow, 8, 60_000);
        InferoClient client = TestServers.client(server);
        Tensor x = TestModels.randomF32(7, 64, 256);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<float[]>> inFlight = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            inFlight.add(pool.submit(() -> client.infer("slow", null, Map.of("x", x), InferoClient.Encoding.BINARY)
                    .outputs().get("y").floats()));
        }
        long until = System.nanoTime() + 10_000_000_000L;
        while (server.models().resolve("slow", null).inFlight() < 2 && System.nanoTime() < until) {
            Thread.sleep(1);
        }
        Thread closer = Thread.ofPlatform().start(server::close);
        Thread.sleep(20);
        // While draining: not ready, new inferences get 503 (or the listener is already gone).
        if (!server.isReady()) {
            try {
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        TestServers.rest(server, "/v2/health/ready")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(503, r.statusCode());
            } catch (java.io.IOException closedAlready) {
                // the listener stopped already: also a refusal
            }
        }
        float[] expected = TestModels.local(slow, Map.of("x", x), ONE_THREAD).get(0).floats();
        for (Future<float[]> f : inFlight) {
            assertClose(expected, f.get());
        }
        closer.join();
        pool.shutdown();
        assertTrue(!server.isLive());
        // Closed: new requests are refused.
        org.junit.jupiter.api.Assertions.assertThrows(dev.infero.core.InferoException.class,
                () -> client.infer("slow", null, Map.of("x", x), InferoClient.Encoding.BINARY));
    }
}
