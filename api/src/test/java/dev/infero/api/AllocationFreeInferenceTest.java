package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.testing.SharedData;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After warm-up, a synchronous inference of a static model allocates nothing on the heap: buffers, kernel scratch and
 * the kernels' parallel task bodies are all created with the request. Measured with the JDK's per-thread allocation
 * counter on one thread (the calling thread runs every kernel).
 */
class AllocationFreeInferenceTest {
    private static final int WARMUP = 2000;
    private static final int MEASURED = 50;

    @TempDir
    Path dir;

    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = r.nextFloat() * 2 - 1;
        }
        return t;
    }

    /** Bytes the calling thread allocates per inference once the request is warm. */
    private static long allocatedPerInference(CompiledModel model, Tensor input) {
        InferRequest request = model.createInferRequest();
        request.setInput(0, input);
        for (int i = 0; i < WARMUP; i++) {
            request.infer();
        }
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().threadId();
        long before = threads.getThreadAllocatedBytes(id);
        for (int i = 0; i < MEASURED; i++) {
            request.infer();
        }
        long after = threads.getThreadAllocatedBytes(id);
        return (after - before) / MEASURED;
    }

    /** A small CNN with every fast kernel: conv, depthwise, pooling, channel pad, residual 1x1 conv. */
    private Path smallCnn() {
        Random r = new Random(3);
        Path file = dir.resolve("cnn.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("cnn", 17)
                .input("x", ElementType.F32, 1, 3, 32, 32)
                .initializer("w1", random(r, 8, 3, 3, 3)).initializer("b1", random(r, 8))
                .initializer("wd", random(r, 8, 1, 3, 3)).initializer("bd", random(r, 8))
                .initializer("wp", random(r, 12, 8, 1, 1)).initializer("bp", random(r, 12))
                .initializer("pads", Tensor.of(new long[] {0, 0, 0, 0, 0, 4, 0, 0}, 8))
                .output("y", ElementType.F32);
        b.node("Conv", "c1").inputs("x", "w1", "b1").outputs("c1").attr("pads", 1, 1, 1, 1).attr("strides", 2, 2);
        b.node("Relu", "r1").inputs("c1").outputs("r1");
        b.node("Conv", "dw").inputs("r1", "wd", "bd").outputs("dw").attr("group", 8).attr("pads", 1, 1, 1, 1)
                .attr("strides", 2, 2);
        b.node("MaxPool", "mp").inputs("r1").outputs("mp").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        b.node("Pad", "pad").inputs("mp", "pads").outputs("padded");
        b.node("Conv", "pw").inputs("dw", "wp", "bp").outputs("pw");
        b.node("Add", "res").inputs("pw", "padded").outputs("sum");
        b.node("Relu", "r2").inputs("sum").outputs("r2");
        b.node("AveragePool", "ap").inputs("r2").outputs("y").attr("kernel_shape", 3, 3).attr("pads", 1, 1, 1, 1);
        b.write(file);
        return file;
    }

    @Test
    void smallCnnInfersWithoutAllocating() {
        try (Core core = new Core()) {
            CompiledModel model = core.compileModel(core.readModel(smallCnn()), "CPU",
                    Map.of("INFERENCE_NUM_THREADS", "1"));
            assertEquals(0, allocatedPerInference(model, random(new Random(1), 1, 3, 32, 32)));
        }
    }

    @Test
    void blazeFaceInfersWithoutAllocating() {
        Path blazeface = SharedData.require("models/face/blazeface.onnx");
        try (Core core = new Core()) {
            CompiledModel model = core.compileModel(core.readModel(blazeface), "CPU",
                    Map.of("INFERENCE_NUM_THREADS", "1"));
            assertEquals(0, allocatedPerInference(model, random(new Random(1), 1, 3, 128, 128)));
        }
    }
}
