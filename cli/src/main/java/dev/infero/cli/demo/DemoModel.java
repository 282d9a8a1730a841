package dev.infero.cli.demo;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import java.util.Random;

/**
 * The demo network: a small MobileNet-like image classifier with deterministic pseudo-random weights.
 *
 * <pre>
 * image [1,3,64,64]
 *   stem:    Conv 3x3 stride 2 (3 -> 16) + Relu                         [1,16,32,32]
 *   2 x residual block (16): depthwise Conv 3x3 -> Conv 1x1 -> Relu, + input
 *   MaxPool 2x2 stride 2                                                [1,16,16,16]
 *   expand:  Conv 1x1 (16 -> 32) + Relu                                 [1,32,16,16]
 *   1 x residual block (32)
 *   GlobalAveragePool, Flatten, Gemm (32 -> 10), Softmax                [1,10]
 * </pre>
 *
 * Weights are He-initialised (variance 2 / fan-in) and residual branches scaled by 1/2, so activations stay of
 * order one through the network and the output is a non-degenerate distribution.
 */
public final class DemoModel {
    public static final String INPUT = "image";
    public static final String OUTPUT = "probabilities";
    public static final int SIZE = 64;
    public static final int CLASSES = 10;
    public static final int OPSET = 13;

    private final OnnxModelBuilder builder = new OnnxModelBuilder("infero_demo", OPSET);
    private final Random random;

    private DemoModel(long seed) {
        this.random = new Random(seed);
    }

    /** The demo network with weights drawn from {@code seed}. */
    public static OnnxModelBuilder build(long seed) {
        return new DemoModel(seed).network();
    }

    private OnnxModelBuilder network() {
        builder.input(INPUT, ElementType.F32, 1, 3, SIZE, SIZE);
        String x = relu(conv("stem", INPUT, 3, 16, 3, 2, 1, 1.0f), "stem");
        x = residualBlock("block1", x, 16);
        x = residualBlock("block2", x, 16);
        builder.node("MaxPool", "pool").inputs(x).outputs("pool").attr("kernel_shape", 2, 2).attr("strides", 2, 2);
        x = relu(conv("expand", "pool", 16, 32, 1, 1, 1, 1.0f), "expand");
        x = residualBlock("block3", x, 32);
        builder.node("GlobalAveragePool", "gap").inputs(x).outputs("gap");
        builder.node("Flatten", "flatten").inputs("gap").outputs("features").attr("axis", 1L);
        builder.initializer("fc.weight", gaussian(Math.sqrt(1.0 / 32), CLASSES, 32));
        builder.initializer("fc.bias", gaussian(0.01, CLASSES));
        builder.node("Gemm", "fc").inputs("features", "fc.weight", "fc.bias").outputs("logits").attr("transB", 1L);
        builder.node("Softmax", "softmax").inputs("logits").outputs(OUTPUT).attr("axis", 1L);
        builder.output(OUTPUT, ElementType.F32, 1, CLASSES);
        return builder;
    }

    /** Depthwise 3x3, pointwise 1x1, Relu, plus the block's input. */
    private String residualBlock(String name, String x, int channels) {
        String dw = conv(name + ".dw", x, channels, channels, 3, 1, channels, 1.0f);
        String pw = relu(conv(name + ".pw", dw, channels, channels, 1, 1, 1, 0.5f), name);
        builder.node("Add", name + ".add").inputs(x, pw).outputs(name + ".out");
        return name + ".out";
    }

    /** A Conv with bias; {@code gain} scales the He-initialised weights. Padding keeps H and W (divided by stride). */
    private String conv(String name, String x, int in, int out, int k, int stride, int group, float gain) {
        int fanIn = in / group * k * k;
        builder.initializer(name + ".weight", gaussian(gain * Math.sqrt(2.0 / fanIn), out, in / group, k, k));
        builder.initializer(name + ".bias", gaussian(0.01, out));
        int pad = k / 2;
        builder.node("Conv", name).inputs(x, name + ".weight", name + ".bias").outputs(name)
                .attr("kernel_shape", k, k).attr("strides", stride, stride).attr("pads", pad, pad, pad, pad)
                .attr("group", (long) group);
        return name;
    }

    private String relu(String x, String name) {
        builder.node("Relu", name + ".relu").inputs(x).outputs(name + ".relu");
        return name + ".relu";
    }

    private Tensor gaussian(double std, int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        float[] v = t.floats();
        for (int i = 0; i < t.size(); i++) {
            v[i] = (float) (random.nextGaussian() * std);
        }
        return t;
    }

    /**
     * A deterministic 1x3x64x64 test picture with values in [0, 1]: colour gradients with a bright disc, so every
     * channel and region differs.
     */
    public static Tensor syntheticImage() {
        Tensor t = Tensor.allocate(ElementType.F32, 1, 3, SIZE, SIZE);
        float[] v = t.floats();
        int plane = SIZE * SIZE;
        for (int y = 0; y < SIZE; y++) {
            for (int x = 0; x < SIZE; x++) {
                double dx = x - SIZE * 0.6;
                double dy = y - SIZE * 0.4;
                double disc = dx * dx + dy * dy < SIZE * SIZE / 16.0 ? 0.5 : 0;
                int p = y * SIZE + x;
                v[p] = (float) Math.min(1, (double) x / SIZE + disc);
                v[plane + p] = (float) Math.min(1, (double) y / SIZE + disc);
                v[2 * plane + p] = (float) (0.5 + 0.5 * Math.sin((x + y) * 0.2));
            }
        }
        return t;
    }
}
