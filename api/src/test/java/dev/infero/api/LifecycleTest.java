package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ONNX Runtime's resource rules: use after close throws, closing waits for inferences in flight, nothing hangs. */
class LifecycleTest {
    @TempDir
    Path dir;

    /** y = x · W with a 512×512 W: long enough that an inference is reliably in flight when close() comes. */
    private Path model() {
        Path file = dir.resolve("mm.onnx");
        float[] w = new float[512 * 512];
        for (int i = 0; i < w.length; i++) {
            w[i] = (i % 7) * 0.01f;
        }
        OnnxModelBuilder b = new OnnxModelBuilder("mm", 17).input("x", ElementType.F32, 256, 512)
                .initializer("w", Tensor.of(w, 512, 512)).output("y", ElementType.F32);
        b.node("MatMul", "mm").inputs("x", "w").outputs("y");
        b.write(file);
        return file;
    }

    private static Tensor input() {
        return Tensor.of(new float[256 * 512], 256, 512);
    }

    @Test
    void everyUseAfterCloseThrowsIllegalStateNamingTheObject() {
        Core core = new Core();
        CompiledModel compiled = core.compileModel(model(), "CPU");
        InferRequest request = compiled.createInferRequest();
        compiled.close();
        compiled.close(); // twice is fine
        assertTrue(compiled.isClosed());
        IllegalStateException e = assertThrows(IllegalStateException.class, compiled::createInferRequest);
        assertTrue(e.getMessage().contains("compiled model 'mm'") && e.getMessage().contains("is closed"),
                e.getMessage());
        assertThrows(IllegalStateException.class, () -> request.setInput(0, input()));
        assertThrows(IllegalStateException.class, request::infer);
        assertThrows(IllegalStateException.class, request::startAsync);
        assertThrows(IllegalStateException.class, () -> new AsyncInferQueue<Integer>(compiled, 2));
        assertThrows(IllegalStateException.class, compiled::properties);
        core.close();
        e = assertThrows(IllegalStateException.class, () -> core.readModel(model()));
        assertTrue(e.getMessage().startsWith("Core is closed"), e.getMessage());
    }

    @Test
    void closingWaitsForInferencesInFlightAndNothingHangs() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (Core core = new Core()) {
                for (String hint : List.of("LATENCY", "THROUGHPUT")) {
                    CompiledModel compiled = core.compileModel(core.readModel(model()), "CPU",
                            Map.of("PERFORMANCE_HINT", hint));
                    InferRequest request = compiled.createInferRequest();
                    request.setInput(0, input());
                    CountDownLatch started = new CountDownLatch(1);
                    CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                        started.countDown();
                        for (int i = 0; i < 20; i++) {
                            try {
                                request.infer();
                            } catch (IllegalStateException closed) {
                                return; // the model closed between two inferences: the clean failure
                            }
                        }
                    });
                    started.await();
                    compiled.close();
                    running.get(); // every inference either ran whole or was refused; none is left parked
                    assertThrows(IllegalStateException.class, request::infer);
                }
            }
        });
    }

    @Test
    void aCallbackMayCloseItsOwnModelAndAQueueOverAClosedModelRefusesWork() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (Core core = new Core()) {
                CompiledModel compiled = core.compileModel(model(), "CPU");
                InferRequest request = compiled.createInferRequest();
                request.setInput(0, input());
                request.setCallback(failure -> compiled.close());
                request.startAsync();
                request.await();
                assertTrue(compiled.isClosed());

                CompiledModel other = core.compileModel(model(), "CPU");
                AsyncInferQueue<Integer> queue = new AsyncInferQueue<>(other, 2);
                queue.startAsync(List.of(input()), 1);
                queue.close();
                assertThrows(IllegalStateException.class, () -> queue.startAsync(List.of(input()), 2));
                other.close();
                assertThrows(dev.infero.core.InferoException.class, () -> new AsyncInferQueue<Integer>(compiled,
                        AsyncInferQueue.MAX_JOBS + 1));
            }
        });
    }

    @Test
    void closingAModelStopsItsWorkerThreads() throws Exception {
        int before = Thread.activeCount();
        for (int i = 0; i < 5; i++) {
            try (Core core = new Core(); CompiledModel compiled = core.compileModel(core.readModel(model()), "CPU",
                    Map.of("PERFORMANCE_HINT", "THROUGHPUT"))) {
                InferRequest request = compiled.createInferRequest();
                request.setInput(0, input());
                request.infer();
                assertArrayEquals(new int[] {256, 512}, request.getOutput(0).shape());
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (Thread.activeCount() > before + 2 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(Thread.activeCount() <= before + 2, "threads before " + before + ", after " + Thread.activeCount());
    }

    private static int liveThreads() {
        return Thread.getAllStackTraces().size();
    }

    @Test
    void twentyModelsOpenedRunAndClosedLeaveNoThreadBehind() throws Exception {
        Path file = model();
        try (Core warm = new Core(); CompiledModel m = warm.compileModel(file, "CPU")) {
            m.createInferRequest(); // class loading and shared pools started once, before counting
        }
        int before = liveThreads();
        for (int i = 0; i < 20; i++) {
            String hint = i % 2 == 0 ? "LATENCY" : "THROUGHPUT";
            try (Core core = new Core(); CompiledModel compiled = core.compileModel(core.readModel(file), "CPU",
                    Map.of("PERFORMANCE_HINT", hint, "INFERENCE_NUM_THREADS", "4"))) {
                InferRequest request = compiled.createInferRequest();
                request.setInput(0, input());
                request.infer();
            }
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (liveThreads() > before && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertTrue(liveThreads() <= before, "live threads before " + before + ", after 20 models " + liveThreads());
    }

    @Test
    void closingALatencyModelUnderConcurrentInferencesFailsOrDrainsEachAndNothingHangs() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (Core core = new Core()) {
                CompiledModel compiled = core.compileModel(core.readModel(model()), "CPU",
                        Map.of("PERFORMANCE_HINT", "LATENCY"));
                int threads = 4;
                CountDownLatch started = new CountDownLatch(threads);
                java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
                List<CompletableFuture<Void>> callers = new java.util.ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    InferRequest request = compiled.createInferRequest();
                    request.setInput(0, input());
                    callers.add(CompletableFuture.runAsync(() -> {
                        started.countDown();
                        for (int i = 0; i < 50; i++) {
                            try {
                                request.infer();
                                ran.incrementAndGet();
                            } catch (IllegalStateException closed) {
                                refused.incrementAndGet();
                                return;
                            }
                        }
                    }));
                }
                started.await();
                compiled.close();
                CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new)).get();
                assertTrue(refused.get() > 0, "some inference came after close: " + ran + " ran, " + refused
                        + " refused");
            }
        });
    }

    @Test
    void waitAllAndCloseOfAQueueReturnAfterItsModelIsClosed() {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            try (Core core = new Core()) {
                for (String hint : List.of("LATENCY", "THROUGHPUT")) {
                    CompiledModel compiled = core.compileModel(core.readModel(model()), "CPU",
                            Map.of("PERFORMANCE_HINT", hint));
                    AsyncInferQueue<Integer> queue = new AsyncInferQueue<>(compiled, 4);
                    for (int i = 0; i < 4; i++) {
                        queue.startAsync(List.of(input()), i);
                    }
                    compiled.close(); // drains the four inferences
                    queue.waitAll();
                    queue.close();
                    assertThrows(IllegalStateException.class, () -> queue.startAsync(List.of(input()), 5));
                }
            }
        });
    }
}
