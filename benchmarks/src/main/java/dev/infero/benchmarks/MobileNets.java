package dev.infero.benchmarks;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes mobile classifiers of He-initialised random weights as ONNX, for finding slow layer kinds on architectures
 * outside the shared set ({@code infero benchmark -pc --compare-with ORT}):
 * <ul>
 * <li>{@code mobilenetv2_like.onnx}: MobileNetV2's plan at 224² (3×3/2 stem 32, inverted residuals of 1×1 expansion
 * ×6 + ReLU6 (Clip 0..6), 3×3 depthwise + ReLU6, 1×1 projection, residual Add when the shape is kept; 16 → 320
 * channels; 1×1 1280, global average pooling, Gemm 1000);</li>
 * <li>{@code efficientnet_like.onnx}: the same plan at 192² with SiLU (x · Sigmoid(x)) instead of ReLU6 and a
 * squeeze-and-excitation block in every inverted residual (GlobalAveragePool → 1×1 reduce + SiLU → 1×1 expand →
 * Sigmoid → Mul with the depthwise output), 5×5 depthwise kernels in the later stages.</li>
 * </ul>
 * Usage: {@code MobileNets DIR}.
 */
public final class MobileNets {
    private final Random random = new Random(11);
    private final OnnxModelBuilder b;
    private final boolean efficient;
    private int names;
    private boolean clipBounds;

    private MobileNets(String name, boolean efficient) {
        this.b = new OnnxModelBuilder(name, 13);
        this.efficient = efficient;
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args.length > 0 ? args[0] : "mobile-models");
        Files.createDirectories(dir);
        new MobileNets("mobilenetv2_like", false).build(224).write(dir.resolve("mobilenetv2_like.onnx"));
        new MobileNets("efficientnet_like", true).build(192).write(dir.resolve("efficientnet_like.onnx"));
        System.out.println("wrote mobilenetv2_like.onnx, efficientnet_like.onnx to " + dir);
    }

    private OnnxModelBuilder build(int size) {
        b.input("input", ElementType.F32, 1, 3, size, size);
        String x = act(conv("input", 3, 32, 3, 2, 1));
        // MobileNetV2's table: expansion t, channels c, repeats n, first stride s.
        int[][] table = {{1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2},
            {6, 320, 1, 1}};
        int cin = 32;
        for (int[] row : table) {
            for (int i = 0; i < row[2]; i++) {
                int stride = i == 0 ? row[3] : 1;
                int k = efficient && row[1] >= 64 ? 5 : 3;
                x = invertedResidual(x, cin, row[1], row[0], stride, k);
                cin = row[1];
            }
        }
        x = act(conv(x, cin, 1280, 1, 1, 1));
        b.node("GlobalAveragePool", "gap").inputs(x).outputs("pooled");
        b.initializer("flat", Tensor.of(new long[] {1, 1280}, 2));
        b.node("Reshape", "flatten").inputs("pooled", "flat").outputs("features");
        b.initializer("fc.weight", gaussian(Math.sqrt(1.0 / 1280), 1000, 1280));
        b.initializer("fc.bias", gaussian(0.01, 1000));
        b.node("Gemm", "fc").inputs("features", "fc.weight", "fc.bias").outputs("logits").attr("transB", 1L);
        b.output("logits", ElementType.F32, 1, 1000);
        return b;
    }

    private String invertedResidual(String x, int cin, int cout, int expansion, int stride, int k) {
        int hidden = cin * expansion;
        String h = expansion == 1 ? x : act(conv(x, cin, hidden, 1, 1, 1));
        h = act(conv(h, hidden, hidden, k, stride, hidden));
        if (efficient) {
            h = squeezeExcite(h, hidden, Math.max(1, cin / 4));
        }
        String y = conv(h, hidden, cout, 1, 1, 1);
        if (stride == 1 && cin == cout) {
            String sum = name("add");
            b.node("Add", sum).inputs(y, x).outputs(sum);
            return sum;
        }
        return y;
    }

    private String squeezeExcite(String x, int channels, int reduced) {
        String pooled = name("se_pool");
        b.node("GlobalAveragePool", pooled).inputs(x).outputs(pooled);
        String s = act(conv(pooled, channels, reduced, 1, 1, 1));
        s = conv(s, reduced, channels, 1, 1, 1);
        String gate = name("se_gate");
        b.node("Sigmoid", gate).inputs(s).outputs(gate);
        String out = name("se_mul");
        b.node("Mul", out).inputs(x, gate).outputs(out);
        return out;
    }

    /** ReLU6 (Clip 0..6) or SiLU (x · Sigmoid(x)). */
    private String act(String x) {
        if (efficient) {
            String s = name("sigmoid");
            b.node("Sigmoid", s).inputs(x).outputs(s);
            String y = name("silu");
            b.node("Mul", y).inputs(x, s).outputs(y);
            return y;
        }
        String y = name("relu6");
        if (!clipBounds) {
            b.initializer("zero", Tensor.of(new float[] {0f}));
            b.initializer("six", Tensor.of(new float[] {6f}));
            clipBounds = true;
        }
        b.node("Clip", y).inputs(x, "zero", "six").outputs(y);
        return y;
    }

    private String conv(String x, int cin, int cout, int k, int stride, int group) {
        String name = name("conv");
        b.initializer(name + ".weight", gaussian(Math.sqrt(2.0 / (cin / group * k * k)), cout, cin / group, k, k));
        b.initializer(name + ".bias", gaussian(0.01, cout));
        int p = k / 2;
        b.node("Conv", name).inputs(x, name + ".weight", name + ".bias").outputs(name)
                .attr("kernel_shape", k, k).attr("pads", p, p, p, p).attr("strides", stride, stride)
                .attr("group", (long) group);
        return name;
    }

    private String name(String kind) {
        return kind + (names++);
    }

    private Tensor gaussian(double std, int... shape) {
        return TinyModels.gaussian(random, std, shape);
    }
}
