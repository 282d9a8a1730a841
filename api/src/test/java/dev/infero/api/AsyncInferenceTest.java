package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Asynchronous requests, streams and the request queue under load: every inference gets exactly its own outputs. */
class AsyncInferenceTest {
    private static final int WIDTH = 64;

    @TempDir
    Path dir;

    /** y = (x + 1) * 3 over a [1, 64] input: a chain long enough for interleaved requests to matter. */
    private Model model(Core core) {
        Path file = dir.resolve("affine.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("affine", 17)
                .input("x", ElementType.F32, 1, WIDTH)
                .initializer("one", Tensor.of(new float[] {1}, 1))
                .initializer("three", Tensor.of(new float[] {3}, 1))
                .output("y", ElementType.F32, 1, WIDTH);
        b.node("Add", "add").inputs("x", "one").outputs("t");
        b.node("Mul", "mul").inputs("t", "three").outputs("y");
        b.write(file);
        return core.readModel(file);
    }

    private static Tensor input(int id) {
        float[] x = new float[WIDTH];
        for (int i = 0; i < WIDTH; i++) {
            x[i] = id * 1000 + i;
        }
        return Tensor.of(x, 1, WIDTH);
    }

    private static float[] expected(int id) {
        float[] y = new float[WIDTH];
        for (int i = 0; i < WIDTH; i++) {
            y[i] = (id * 1000 + i + 1) * 3f;
        }
        return y;
    }

    @Test
    void hundredsOfConcurrentRequestsEachGetTheirOwnOutputs() {
        try (Core core = new Core();
             CompiledModel compiled = core.compileModel(model(core), "CPU",
                     Map.of("PERFORMANCE_HINT", "THROUGHPUT", "NUM_STREAMS", "4", "INFERENCE_NUM_THREADS", "4"))) {
            List<InferRequest> requests = new ArrayList<>();
            Set<String> threads = ConcurrentHashMap.newKeySet();
            AtomicInteger callbacks = new AtomicInteger();
            for (int id = 0; id < 300; id++) {
                InferRequest r = compiled.createInferRequest();
                r.setInput(0, input(id));
                r.setCallback(failure -> {
                    threads.add(Thread.currentThread().getName());
                    callbacks.incrementAndGet();
                });
                requests.add(r);
            }
            requests.forEach(InferRequest::startAsync);
            for (int id = 0; id < requests.size(); id++) {
                requests.get(id).await();
                assertArrayEquals(expected(id), requests.get(id).getOutput(0).toFloatArray(), "request " + id);
            }
            assertEquals(300, callbacks.get());
            assertTrue(threads.stream().allMatch(t -> t.startsWith("infero-CPU-stream-")), threads.toString());
            assertTrue(threads.size() <= 4, threads.toString());
        }
    }

    @Test
    void aQueueKeepsUserDataWithEachInference() {
        int frames = 500;
        try (Core core = new Core();
             CompiledModel compiled = core.compileModel(model(core), "CPU", Map.of("NUM_STREAMS", "2"))) {
            assertEquals(2, compiled.optimalNumberOfInferRequests());
            AtomicReferenceArray<float[]> results = new AtomicReferenceArray<>(frames);
            try (AsyncInferQueue<Integer> queue = new AsyncInferQueue<>(compiled, 0)) {
                assertEquals(2, queue.size());
                queue.setCallback((request, frame, failure) ->
                        results.set(frame, request.getOutput(0).toFloatArray()));
                for (int frame = 0; frame < frames; frame++) {
                    queue.startAsync(List.of(input(frame)), frame);
                }
                queue.waitAll();
            }
            for (int frame = 0; frame < frames; frame++) {
                assertNotNull(results.get(frame), "frame " + frame);
                assertArrayEquals(expected(frame), results.get(frame), "frame " + frame);
            }
        }
    }

    @Test
    void aRunningRequestRefusesChangesAndAwaitRethrowsFailures() {
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(model(core), "CPU")) {
            InferRequest unbound = compiled.createInferRequest();
            unbound.startAsync();
            InferoException failure = assertThrows(InferoException.class, unbound::await);
            assertEquals("input 'x' was not set", failure.getMessage());

            InferRequest r = compiled.createInferRequest();
            r.setInput(0, input(7));
            CountDownLatch release = new CountDownLatch(1);
            r.setCallback(f -> awaitQuietly(release));
            r.startAsync();
            assertFalse(r.await(Duration.ofMillis(20)), "completes only after its callback");
            release.countDown();
            assertTrue(r.await(Duration.ofSeconds(10)));
            assertArrayEquals(expected(7), r.getOutput(0).toFloatArray());
        }
    }

    @Test
    void aBusyRequestCannotBeRestartedOrRebound() throws Exception {
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(model(core), "CPU")) {
            // The single stream is held by a request whose callback waits, so the second request stays queued.
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            InferRequest blocker = compiled.createInferRequest();
            blocker.setInput(0, input(0));
            blocker.setCallback(f -> {
                started.countDown();
                awaitQuietly(release);
            });
            blocker.startAsync();
            started.await();

            InferRequest r = compiled.createInferRequest();
            r.setInput(0, input(1));
            r.startAsync();
            assertTrue(r.isBusy());
            assertThrows(InferoException.class, r::startAsync);
            InferoException rebind = assertThrows(InferoException.class, () -> r.setInput(0, input(2)));
            assertTrue(rebind.getMessage().contains("still running"), rebind.getMessage());
            release.countDown();
            r.await();
            assertArrayEquals(expected(1), r.getOutput(0).toFloatArray());
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void propertiesReportTheResolvedConfiguration() {
        try (Core core = new Core(); CompiledModel compiled = core.compileModel(model(core), "CPU",
                Map.of("PERFORMANCE_HINT", "LATENCY", "INFERENCE_NUM_THREADS", "2", "PERF_COUNT", "YES"))) {
            assertEquals("1", compiled.property("NUM_STREAMS"));
            assertEquals("2", compiled.property("THREADS_PER_STREAM"));
            assertEquals("LATENCY", compiled.property("PERFORMANCE_HINT"));
            assertEquals("affine", compiled.property("NETWORK_NAME"));
            InferRequest r = compiled.createInferRequest();
            r.setInput(0, input(0));
            r.infer();
            assertEquals(List.of("add", "mul"), r.getProfilingInfo().stream().map(p -> p.nodeName()).toList());
            assertThrows(InferoException.class, () -> core.compileModel(model(core), "CPU", Map.of("STREAMS", "2")));
        }
    }
}
