package dev.infero.api;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.jit.Jit;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.testing.SharedData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bounded concurrency stress (issue 19, "Concurrency"): compiled models shared by many threads, each with its own
 * requests; one {@link AsyncInferQueue} fed by several threads at once; models read, compiled, run and closed while the
 * others serve. Every output must equal, bit for bit, the one the same compiled model gave single-threaded before the
 * run. Each model is compiled twice, with the generated-code kernels (JIT) and with the Vector API kernels: the switch
 * ({@code infero.jit}) is read at compile time, so both kinds run side by side. With {@code ../shared} present,
 * BlazeFace joins the two generated networks. Bounded by {@link #SECONDS} of load (a count, not a speed check).
 */
class ConcurrencyStressTest {
    private static final long SECONDS = 8;
    private static final int INPUTS = 6;
    private static final int WORKERS = 6;
    private static final int SUBMITTERS = 2;

    @TempDir
    Path dir;

    /** A compiled model, its fixed inputs and the outputs it gave single-threaded. */
    private record Variant(String name, Path file, boolean jit, CompiledModel compiled, List<Tensor> inputs,
                           List<float[][]> reference) {
    }

    /** Conv 3x3 + Relu, depthwise 3x3, Conv 1x1 + Relu, global pooling, Gemm: kernels the JIT generates code for. */
    private Path convNet(String name, int size, int channels, long seed) {
        Random random = new Random(seed);
        OnnxModelBuilder b = new OnnxModelBuilder(name, 13).input("x", ElementType.F32, 1, 3, size, size);
        b.initializer("c1.w", gaussian(random, channels, 3, 3, 3)).initializer("c1.b", gaussian(random, channels));
        b.node("Conv", "c1").inputs("x", "c1.w", "c1.b").outputs("c1").attr("kernel_shape", 3, 3)
                .attr("pads", 1, 1, 1, 1);
        b.node("Relu", "r1").inputs("c1").outputs("r1");
        b.initializer("dw.w", gaussian(random, channels, 1, 3, 3)).initializer("dw.b", gaussian(random, channels));
        b.node("Conv", "dw").inputs("r1", "dw.w", "dw.b").outputs("dw").attr("kernel_shape", 3, 3)
                .attr("pads", 1, 1, 1, 1).attr("group", (long) channels);
        b.initializer("pw.w", gaussian(random, 2 * channels, channels, 1, 1))
                .initializer("pw.b", gaussian(random, 2 * channels));
        b.node("Conv", "pw").inputs("dw", "pw.w", "pw.b").outputs("pw").attr("kernel_shape", 1, 1);
        b.node("Relu", "r2").inputs("pw").outputs("r2");
        b.node("GlobalAveragePool", "gap").inputs("r2").outputs("gap");
        b.node("Flatten", "flat").inputs("gap").outputs("flat").attr("axis", 1L);
        b.initializer("fc.w", gaussian(random, 10, 2 * channels)).initializer("fc.b", gaussian(random, 10));
        b.node("Gemm", "fc").inputs("flat", "fc.w", "fc.b").outputs("y").attr("transB", 1L);
        b.output("y", ElementType.F32, 1, 10);
        Path file = dir.resolve(name + ".onnx");
        b.write(file);
        return file;
    }

    private static Tensor gaussian(Random random, int... shape) {
        float[] v = new float[Arrays.stream(shape).reduce(1, Math::multiplyExact)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * 0.3);
        }
        return Tensor.of(v, shape);
    }

    private static Map<String, String> config() {
        return Map.of("PERFORMANCE_HINT", "THROUGHPUT", "NUM_STREAMS", "2", "INFERENCE_NUM_THREADS", "2");
    }

    /** Compiles {@code file} with the JIT on or off (the switch is read at compile time) and records references. */
    private static Variant variant(Core core, String name, Path file, boolean jit) {
        String before = System.getProperty("infero.jit");
        CompiledModel compiled;
        System.setProperty("infero.jit", Boolean.toString(jit));
        try {
            compiled = core.compileModel(core.readModel(file), "CPU", config());
        } finally {
            if (before == null) {
                System.clearProperty("infero.jit");
            } else {
                System.setProperty("infero.jit", before);
            }
        }
        Random random = new Random(name.hashCode());
        List<Tensor> inputs = new ArrayList<>();
        List<float[][]> reference = new ArrayList<>();
        InferRequest request = compiled.createInferRequest();
        int[] shape = compiled.inputs().get(0).shape().toArray();
        for (int i = 0; i < INPUTS; i++) {
            float[] x = new float[Arrays.stream(shape).reduce(1, Math::multiplyExact)];
            for (int j = 0; j < x.length; j++) {
                x[j] = random.nextFloat() * 2 - 1;
            }
            Tensor input = Tensor.of(x, shape);
            inputs.add(input);
            request.setInput(0, input);
            request.infer();
            reference.add(outputs(request));
        }
        return new Variant(name + (jit ? "/jit" : "/vector"), file, jit, compiled, inputs, reference);
    }

    private static float[][] outputs(InferRequest request) {
        float[][] out = new float[request.outputs().size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = request.getOutput(i).toFloatArray();
        }
        return out;
    }

    private static boolean same(float[][] a, float[][] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) {
                return false;
            }
            for (int j = 0; j < a[i].length; j++) {
                if (Float.floatToRawIntBits(a[i][j]) != Float.floatToRawIntBits(b[i][j])) {
                    return false;
                }
            }
        }
        return true;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void sharedModelsQueuesAndReloadsGiveTheSingleThreadedOutputs() throws Exception {
        List<Path> files = new ArrayList<>(List.of(convNet("small", 24, 16, 1), convNet("wide", 32, 32, 2)));
        Path blazeFace = SharedData.root().resolve("models/face/blazeface.onnx");
        if (Files.isRegularFile(blazeFace)) {
            files.add(blazeFace);
        }
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicLong checked = new AtomicLong();
        AtomicLong reloads = new AtomicLong();
        AtomicLong queued = new AtomicLong();
        try (Core core = new Core()) {
            List<Variant> variants = new ArrayList<>();
            for (Path file : files) {
                String name = file.getFileName().toString().replace(".onnx", "");
                variants.add(variant(core, name, file, true));
                variants.add(variant(core, name, file, false));
            }
            for (int i = 0; i < variants.size(); i += 2) {
                // The two kernel families differ in rounding only: a gross difference means one of them is wrong.
                float[] jit = variants.get(i).reference().get(0)[0];
                float[] vector = variants.get(i + 1).reference().get(0)[0];
                assertArrayEquals(vector, jit, 1e-3f, variants.get(i).name() + " vs the Vector API kernels");
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < WORKERS; t++) {
                long seed = t;
                threads.add(Thread.ofPlatform().name("stress-worker-" + t).start(() -> {
                    Random random = new Random(seed);
                    InferRequest[] requests = new InferRequest[variants.size()];
                    while (System.nanoTime() < deadline && failures.isEmpty()) {
                        int v = random.nextInt(variants.size());
                        Variant variant = variants.get(v);
                        if (requests[v] == null) {
                            requests[v] = variant.compiled().createInferRequest();
                        }
                        int i = random.nextInt(INPUTS);
                        requests[v].setInput(0, variant.inputs().get(i));
                        requests[v].infer();
                        if (!same(outputs(requests[v]), variant.reference().get(i))) {
                            failures.add(variant.name() + " input " + i + " differs on " + Thread.currentThread());
                        }
                        checked.incrementAndGet();
                    }
                }));
            }
            Variant shared = variants.get(0);
            AsyncInferQueue<Integer> queue = new AsyncInferQueue<>(shared.compiled(), 4);
            queue.setCallback((request, input, failure) -> {
                if (failure != null) {
                    failures.add(shared.name() + " queue: " + failure);
                } else if (!same(outputs(request), shared.reference().get(input))) {
                    failures.add(shared.name() + " queue input " + input + " differs");
                }
                queued.incrementAndGet();
            });
            for (int t = 0; t < SUBMITTERS; t++) {
                long seed = 100 + t;
                threads.add(Thread.ofPlatform().name("stress-submitter-" + t).start(() -> {
                    Random random = new Random(seed);
                    while (System.nanoTime() < deadline && failures.isEmpty()) {
                        int i = random.nextInt(INPUTS);
                        queue.startAsync(List.of(shared.inputs().get(i)), i);
                    }
                }));
            }
            threads.add(Thread.ofPlatform().name("stress-loader").start(() -> {
                // Read, compile, run, close while the others serve; with the same switch and configuration the new
                // compilation must reproduce the reference bit for bit.
                Random random = new Random(7);
                while (System.nanoTime() < deadline && failures.isEmpty()) {
                    Variant variant = variants.get(random.nextInt(variants.size()));
                    if (variant.jit() != Jit.enabled()) {
                        continue; // compiled under the other switch setting: its reference is not this one's
                    }
                    try (CompiledModel fresh = core.compileModel(core.readModel(variant.file()), "CPU", config())) {
                        InferRequest request = fresh.createInferRequest();
                        int i = random.nextInt(INPUTS);
                        request.setInput(0, variant.inputs().get(i));
                        request.infer();
                        if (!same(outputs(request), variant.reference().get(i))) {
                            failures.add(variant.name() + " reloaded: input " + i + " differs");
                        }
                    }
                    reloads.incrementAndGet();
                }
            }));
            for (Thread thread : threads) {
                thread.join();
            }
            queue.close();
            for (Variant variant : variants) {
                variant.compiled().close();
            }
        }
        assertEquals(List.of(), List.copyOf(failures), "outputs that differ from the single-threaded run");
        assertTrue(checked.get() >= WORKERS, "every worker inferred: " + checked.get());
        assertTrue(queued.get() > 0 && reloads.get() > 0, "queue " + queued.get() + ", reloads " + reloads.get());
        System.out.printf("stress: %d shared-model inferences, %d through one queue from %d threads, %d reloads%n",
                checked.get(), queued.get(), SUBMITTERS, reloads.get());
    }
}
