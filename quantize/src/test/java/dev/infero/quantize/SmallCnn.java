package dev.infero.quantize;

import static dev.infero.testing.RandomData.normal;

import dev.infero.api.Core;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.ir.IrWriter;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A small generated CNN with the shapes quantization cares about: a 3×3 convolution, a depthwise one, two 1×1
 * convolutions reading the same tensor (one shared FakeQuantize), a residual add, global pooling and a fully connected
 * classifier (MatMul) with 10 class scores.
 */
final class SmallCnn {
    static final int SIZE = 16;

    private SmallCnn() {
    }

    static Path write(Path dir) {
        Random rnd = new Random(7);
        OnnxModelBuilder b = stem("small_cnn", rnd)
                .initializer("w2", normal(rnd, 0.5f, 8, 1, 3, 3)).initializer("b2", normal(rnd, 0.1f, 8))
                .initializer("w3", normal(rnd, 0.4f, 4, 8, 1, 1)).initializer("b3", normal(rnd, 0.1f, 4))
                .initializer("w4", normal(rnd, 0.4f, 4, 8, 1, 1)).initializer("b4", normal(rnd, 0.1f, 4))
                .initializer("wf", normal(rnd, 0.5f, 10, 4)).initializer("bf", normal(rnd, 0.1f, 10));
        b.node("Conv", "dw").inputs("r1", "w2", "b2").outputs("c2").attr("pads", 1, 1, 1, 1).attr("group", 8L);
        b.node("Relu", "relu2").inputs("c2").outputs("r2");
        b.node("Conv", "pw_a").inputs("r2", "w3", "b3").outputs("c3");
        b.node("Conv", "pw_b").inputs("r2", "w4", "b4").outputs("c4");
        b.node("Add", "sum").inputs("c3", "c4").outputs("s");
        return written(b.classifierHead("s", "wf", "bf", "scores"), dir.resolve("small_cnn.onnx"));
    }

    /**
     * A plain chain of convolutions (3×3, 3×3, 1×1, each with ReLU), global pooling and a classifier: no depthwise
     * layer (whose inputs quantize per channel), so every convolution but the last feeds a per-tensor FakeQuantize.
     */
    static Path writePlain(Path dir) {
        Random rnd = new Random(11);
        OnnxModelBuilder b = stem("plain_cnn", rnd)
                .initializer("w2", normal(rnd, 0.3f, 8, 8, 3, 3)).initializer("b2", normal(rnd, 0.1f, 8))
                .initializer("w3", normal(rnd, 0.4f, 4, 8, 1, 1)).initializer("b3", normal(rnd, 0.1f, 4))
                .initializer("wf", normal(rnd, 0.5f, 10, 4)).initializer("bf", normal(rnd, 0.1f, 10));
        b.node("Conv", "conv2").inputs("r1", "w2", "b2").outputs("c2").attr("pads", 1, 1, 1, 1);
        b.node("Relu", "relu2").inputs("c2").outputs("r2");
        b.node("Conv", "conv3").inputs("r2", "w3", "b3").outputs("c3");
        b.node("Relu", "relu3").inputs("c3").outputs("r3");
        return written(b.classifierHead("r3", "wf", "bf", "scores"), dir.resolve("plain_cnn.onnx"));
    }

    /**
     * Both models' input x [1, 3, SIZE, SIZE], output scores [1, 10] and stem: a 3×3 convolution to 8 channels (w1,
     * b1, the first values drawn from {@code rnd}) with ReLU, giving r1.
     */
    private static OnnxModelBuilder stem(String name, Random rnd) {
        OnnxModelBuilder b = new OnnxModelBuilder(name, 17)
                .input("x", ElementType.F32, 1, 3, SIZE, SIZE)
                .output("scores", ElementType.F32, 1, 10)
                .initializer("w1", normal(rnd, 0.3f, 8, 3, 3, 3)).initializer("b1", normal(rnd, 0.1f, 8));
        b.node("Conv", "conv1").inputs("x", "w1", "b1").outputs("c1").attr("pads", 1, 1, 1, 1);
        b.node("Relu", "relu1").inputs("c1").outputs("r1");
        return b;
    }

    private static Path written(OnnxModelBuilder b, Path file) {
        b.write(file);
        return file;
    }

    /** The ONNX model {@code onnx} read into a graph, as {@link Core} reads it. */
    static Graph graph(Path onnx) {
        try (Core core = new Core()) {
            return core.readModel(onnx).graph();
        }
    }

    /** The ONNX model {@code onnx} written as FP32 IR {@code name} in {@code dir}: what the quantizer reads. */
    static IrWriter.Written fp32Ir(Path onnx, Path dir, String name) {
        return IrWriter.write(graph(onnx), dir, name);
    }

    /** Image-like samples: smooth gradients plus noise, values 0..1. */
    static List<Tensor> samples(int n, long seed) {
        Random rnd = new Random(seed);
        List<Tensor> out = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            float[] v = new float[3 * SIZE * SIZE];
            float fx = rnd.nextFloat();
            float fy = rnd.nextFloat();
            for (int i = 0; i < v.length; i++) {
                int x = i % SIZE;
                int y = (i / SIZE) % SIZE;
                v[i] = Math.clamp(0.5f * (fx * x + fy * y) / SIZE + 0.3f * rnd.nextFloat(), 0f, 1f);
            }
            out.add(Tensor.of(v, 1, 3, SIZE, SIZE));
        }
        return out;
    }
}
