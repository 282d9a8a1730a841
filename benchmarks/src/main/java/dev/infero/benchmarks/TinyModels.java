package dev.infero.benchmarks;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes small ONNX models of the kind whose inference takes a fraction of a millisecond, with He-initialised random
 * weights, for measuring fixed per-inference costs and batch-1 fully connected layers against ONNX Runtime
 * ({@code infero benchmark --compare-with ORT}) on models outside the shared set:
 * <ul>
 * <li>{@code mlp.onnx}: 1×784 → Gemm 512 + Relu → Gemm 256 + Relu → Gemm 10 → Softmax;</li>
 * <li>{@code cnn_fc.onnx}: 1×3×32×32 → Conv 3×3 16 + Relu → MaxPool 2 → Conv 3×3 32 + PRelu → MaxPool 2 → Flatten
 * → Gemm 2048→192 + PRelu → Gemm 10;</li>
 * <li>{@code keypoints.onnx}: 1×1×40×40 → Conv 5×5 20 + Tanh → MaxPool 2 → Conv 3×3 40 + Relu → MaxPool 2 →
 * Conv 3×3 60 + Relu → Flatten → MatMul 2160→120 + Add + Relu → MatMul 120→10 (five x/y points).</li>
 * </ul>
 * Usage: {@code TinyModels DIR}.
 */
public final class TinyModels {
    private final Random random = new Random(7);

    private TinyModels() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "tiny-models");
        Files.createDirectories(dir);
        TinyModels m = new TinyModels();
        m.mlp().write(dir.resolve("mlp.onnx"));
        m.cnnWithFcHead().write(dir.resolve("cnn_fc.onnx"));
        m.keypoints().write(dir.resolve("keypoints.onnx"));
        System.out.println("wrote mlp.onnx, cnn_fc.onnx, keypoints.onnx to " + dir);
    }

    private OnnxModelBuilder mlp() {
        OnnxModelBuilder b = new OnnxModelBuilder("mlp", 13);
        b.input("x", ElementType.F32, 1, 784);
        String h = gemm(b, "fc1", "x", 784, 512);
        b.node("Relu", "relu1").inputs(h).outputs("h1");
        h = gemm(b, "fc2", "h1", 512, 256);
        b.node("Relu", "relu2").inputs(h).outputs("h2");
        h = gemm(b, "fc3", "h2", 256, 10);
        b.node("Softmax", "softmax").inputs(h).outputs("probs").attr("axis", 1L);
        b.output("probs", ElementType.F32, 1, 10);
        return b;
    }

    private OnnxModelBuilder cnnWithFcHead() {
        OnnxModelBuilder b = new OnnxModelBuilder("cnn_fc", 13);
        b.input("image", ElementType.F32, 1, 3, 32, 32);
        String x = conv(b, "conv1", "image", 3, 16, 3, 1);
        b.node("Relu", "relu1").inputs(x).outputs("r1");
        b.node("MaxPool", "pool1").inputs("r1").outputs("p1").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        x = conv(b, "conv2", "p1", 16, 32, 3, 1);
        b.initializer("slope2", gaussian(0.1, 32, 1, 1));
        b.node("PRelu", "prelu2").inputs(x, "slope2").outputs("r2");
        b.node("MaxPool", "pool2").inputs("r2").outputs("p2").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        b.node("Flatten", "flatten").inputs("p2").outputs("features").attr("axis", 1L);
        x = gemm(b, "fc1", "features", 32 * 8 * 8, 192);
        b.initializer("slope3", gaussian(0.1, 192));
        b.node("PRelu", "prelu3").inputs(x, "slope3").outputs("h");
        x = gemm(b, "fc2", "h", 192, 10);
        b.output(x, ElementType.F32, 1, 10);
        return b;
    }

    private OnnxModelBuilder keypoints() {
        OnnxModelBuilder b = new OnnxModelBuilder("keypoints", 13);
        b.input("face", ElementType.F32, 1, 1, 40, 40);
        String x = conv(b, "conv1", "face", 1, 20, 5, 0);
        b.node("Tanh", "tanh1").inputs(x).outputs("t1");
        b.node("MaxPool", "pool1").inputs("t1").outputs("p1").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        x = conv(b, "conv2", "p1", 20, 40, 3, 0);
        b.node("Relu", "relu2").inputs(x).outputs("r2");
        b.node("MaxPool", "pool2").inputs("r2").outputs("p2").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        x = conv(b, "conv3", "p2", 40, 60, 3, 0);
        b.node("Relu", "relu3").inputs(x).outputs("r3");
        b.initializer("flat_shape", Tensor.of(new long[] {1, 60 * 6 * 6}, 2));
        b.node("Reshape", "flatten").inputs("r3", "flat_shape").outputs("features");
        b.initializer("fc1.weight", gaussian(Math.sqrt(2.0 / 2160), 2160, 120));
        b.initializer("fc1.bias", gaussian(0.01, 120));
        b.node("MatMul", "fc1").inputs("features", "fc1.weight").outputs("fc1.mm");
        b.node("Add", "fc1.add").inputs("fc1.mm", "fc1.bias").outputs("fc1");
        b.node("Relu", "relu4").inputs("fc1").outputs("h");
        b.initializer("fc2.weight", gaussian(Math.sqrt(1.0 / 120), 120, 10));
        b.node("MatMul", "fc2").inputs("h", "fc2.weight").outputs("points");
        b.output("points", ElementType.F32, 1, 10);
        return b;
    }

    /** Gemm with transposed weights [out, in] and bias, as PyTorch's Linear exports. */
    private String gemm(OnnxModelBuilder b, String name, String x, int in, int out) {
        b.initializer(name + ".weight", gaussian(Math.sqrt(2.0 / in), out, in));
        b.initializer(name + ".bias", gaussian(0.01, out));
        b.node("Gemm", name).inputs(x, name + ".weight", name + ".bias").outputs(name).attr("transB", 1L);
        return name;
    }

    private String conv(OnnxModelBuilder b, String name, String x, int in, int out, int k, int pad) {
        b.initializer(name + ".weight", gaussian(Math.sqrt(2.0 / (in * k * k)), out, in, k, k));
        b.initializer(name + ".bias", gaussian(0.01, out));
        b.node("Conv", name).inputs(x, name + ".weight", name + ".bias").outputs(name)
                .attr("kernel_shape", k, k).attr("pads", pad, pad, pad, pad);
        return name;
    }

    private Tensor gaussian(double std, int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return t;
    }
}
