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
 * Conv 3×3 60 + Relu → Flatten → MatMul 2160→120 + Add + Relu → MatMul 120→10 (five x/y points);</li>
 * <li>{@code ssd_tail.onnx}: an SSD-style detector's output side on 1×32×40×40 features: three levels (40², 20², 10²,
 * max-pool downsampling), each with 1×1 location (3 anchors × 4) and class (3 × 2) heads → Transpose(0,2,3,1) →
 * Reshape → Concat over levels → [1,6300,4] and [1,6300,2]; Softmax along the last axis; box decoding against
 * constant priors: Slice [..., :2] / [..., 2:], Mul, Exp, Add, Sub, Div, Concat along the last axis (the data
 * movement on rows of 2–4 values that detectors end with).</li>
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
        m.ssdTail().write(dir.resolve("ssd_tail.onnx"));
        System.out.println("wrote mlp.onnx, cnn_fc.onnx, keypoints.onnx, ssd_tail.onnx to " + dir);
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

    private OnnxModelBuilder ssdTail() {
        OnnxModelBuilder b = new OnnxModelBuilder("ssd_tail", 13);
        b.input("features", ElementType.F32, 1, 32, 40, 40);
        int anchors = 3;
        String[] loc = new String[3];
        String[] conf = new String[3];
        String x = "features";
        int rows = 0;
        for (int level = 0; level < 3; level++) {
            int side = 40 >> level;
            if (level > 0) {
                b.node("MaxPool", "pool" + level).inputs(x).outputs("p" + level).attr("kernel_shape", 2, 2)
                        .attr("strides", 2, 2);
                x = "p" + level;
            }
            for (String head : new String[] {"loc", "conf"}) {
                int per = head.equals("loc") ? 4 : 2;
                String c = conv(b, head + level, x, 32, anchors * per, 1, 0);
                b.node("Transpose", head + level + ".t").inputs(c).outputs(head + level + ".t").attr("perm", 0, 2, 3, 1);
                b.initializer(head + level + ".shape", Tensor.of(new long[] {1, -1, per}, 3));
                b.node("Reshape", head + level + ".r").inputs(head + level + ".t", head + level + ".shape")
                        .outputs(head + level + ".r");
                (head.equals("loc") ? loc : conf)[level] = head + level + ".r";
            }
            rows += side * side * anchors;
        }
        b.node("Concat", "locations").inputs(loc).outputs("locations").attr("axis", 1L);
        b.node("Concat", "confidences").inputs(conf).outputs("confidences").attr("axis", 1L);
        b.node("Softmax", "scores").inputs("confidences").outputs("scores").attr("axis", 2L);
        Tensor priors = Tensor.allocate(ElementType.F32, 1, rows, 4);
        float[] p = priors.floats();
        for (int i = 0; i < p.length; i++) {
            p[i] = 0.05f + 0.9f * random.nextFloat();
        }
        b.initializer("priors", priors);
        slice(b, "loc.xy", "locations", 0, 2);
        slice(b, "loc.wh", "locations", 2, 4);
        slice(b, "prior.xy", "priors", 0, 2);
        slice(b, "prior.wh", "priors", 2, 4);
        b.initializer("center_variance", Tensor.of(new float[] {0.1f}));
        b.initializer("size_variance", Tensor.of(new float[] {0.2f}));
        b.initializer("two", Tensor.of(new float[] {2f}));
        b.node("Mul", "xy.v").inputs("loc.xy", "center_variance").outputs("xy.v");
        b.node("Mul", "xy.s").inputs("xy.v", "prior.wh").outputs("xy.s");
        b.node("Add", "centers").inputs("xy.s", "prior.xy").outputs("centers");
        b.node("Mul", "wh.v").inputs("loc.wh", "size_variance").outputs("wh.v");
        b.node("Exp", "wh.e").inputs("wh.v").outputs("wh.e");
        b.node("Mul", "sizes").inputs("wh.e", "prior.wh").outputs("sizes");
        b.node("Div", "half").inputs("sizes", "two").outputs("half");
        b.node("Sub", "corner0").inputs("centers", "half").outputs("corner0");
        b.node("Add", "corner1").inputs("centers", "half").outputs("corner1");
        b.node("Concat", "boxes").inputs("corner0", "corner1").outputs("boxes").attr("axis", 2L);
        b.output("scores", ElementType.F32, 1, rows, 2);
        b.output("boxes", ElementType.F32, 1, rows, 4);
        return b;
    }

    /** Slice [..., from:to] of the last axis. */
    private static void slice(OnnxModelBuilder b, String name, String x, long from, long to) {
        b.initializer(name + ".starts", Tensor.of(new long[] {from}, 1));
        b.initializer(name + ".ends", Tensor.of(new long[] {to}, 1));
        b.initializer(name + ".axes", Tensor.of(new long[] {2}, 1));
        b.node("Slice", name).inputs(x, name + ".starts", name + ".ends", name + ".axes").outputs(name);
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
        return gaussian(random, std, shape);
    }

    /** A tensor of {@code shape} with normal random values of deviation {@code std} (the writers' weights). */
    static Tensor gaussian(Random random, double std, int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        float[] v = t.floats();
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return t;
    }
}
