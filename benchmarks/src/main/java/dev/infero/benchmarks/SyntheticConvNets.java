package dev.infero.benchmarks;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.OnnxExporter;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes convolution networks of fixed pseudo-random weights as ONNX, for judging convolution strategies on models
 * that are not among the shared ones: {@code resnet_like.onnx} (ResNet-18's plan: a 7×7/2 stem, max pooling, then
 * basic blocks of two 3×3 convolutions with BatchNorm, ReLU and a residual add, at 64, 128, 256 and 512 channels on
 * 56², 28², 14² and 7² planes, 1×1/2 projections) and {@code vgg_like.onnx} (VGG's plan on a 160² input: 3×3
 * convolutions with BatchNorm and ReLU, two or three per stage at 32, 64, 128, 256 and 256 channels, max pooling
 * between stages) and {@code downsample_like.onnx} (stride-2 and few-channel layers, each with BatchNorm and ReLU:
 * a 7×7/2 stem 3→32 on 224², 3×3 32→16 and 16→32 on 112², 3×3/2 32→64 on 112², a 1×1 64→128 on 56², then
 * 3×3/2 128→128 on 56² (ResNet-50's) and 128→256 on 28²). Usage: {@code java -cp <benchmarks classpath>
 * dev.infero.benchmarks.SyntheticConvNets DIR}; with layer specs after DIR ({@code [N x]CxHxW->C1[/kKsS]->C2...},
 * e.g. {@code 16x240x320->16->32->16}) it writes one model per spec instead: that chain of convolutions, each with
 * BatchNorm and ReLU ({@code layer_16_240_320_16_32_16.onnx}), for per-layer comparisons.
 */
public final class SyntheticConvNets {
    private final Graph g;
    private final Random rnd = new Random(7);
    private int names;

    private SyntheticConvNets(String name) {
        this.g = new Graph(name);
    }

    public static void main(String[] args) {
        Path dir = Path.of(args.length > 0 ? args[0] : ".");
        if (args.length > 1) {
            for (int i = 1; i < args.length; i++) {
                OnnxExporter.write(layer(args[i]), dir.resolve(layerFileName(args[i])));
            }
            return;
        }
        OnnxExporter.write(resnetLike(), dir.resolve("resnet_like.onnx"));
        OnnxExporter.write(vggLike(), dir.resolve("vgg_like.onnx"));
        OnnxExporter.write(downsampleLike(), dir.resolve("downsample_like.onnx"));
    }

    /** {@code NxCxHxW->Cout/kKsS} as a file name: {@code layer_N_C_H_W_Cout_kK_sS.onnx}. */
    static String layerFileName(String spec) {
        return "layer_" + spec.replace("->", "_").replace('x', '_').replace('/', '_') + ".onnx";
    }

    /**
     * A chain of convolutions, each with BatchNorm and ReLU, {@code [N x]CxHxW->C1[/kKsS]->C2[/kKsS]...} (batch 1
     * unless given, 1×1 stride 1 unless given, padding K/2), for per-layer comparisons ({@code infero benchmark -pc
     * --compare-with ORT}): a layer inside a chain reads and writes the peers' intermediate buffers, as in a model.
     */
    static Graph layer(String spec) {
        String[] io = spec.split("->");
        String[] d = io[0].split("x");
        int[] in = new int[4];
        in[0] = d.length == 4 ? Integer.parseInt(d[0]) : 1;
        for (int i = 0; i < 3; i++) {
            in[i + 1] = Integer.parseInt(d[d.length - 3 + i]);
        }
        SyntheticConvNets n = new SyntheticConvNets("layer");
        Value x = n.g.addParameter("input", ElementType.F32, PartialShape.of(in[0], in[1], in[2], in[3])).output(0);
        int cin = in[1];
        for (int i = 1; i < io.length; i++) {
            String[] out = io[i].split("/");
            int cout = Integer.parseInt(out[0]);
            String ks = out.length > 1 ? out[1] : "k1s1";
            int k = Integer.parseInt(ks.substring(1, ks.indexOf('s')));
            int s = Integer.parseInt(ks.substring(ks.indexOf('s') + 1));
            x = n.relu(n.convBn(x, cin, cout, k, s));
            cin = cout;
        }
        n.g.addResult("output", x);
        return n.g;
    }

    static Graph resnetLike() {
        SyntheticConvNets n = new SyntheticConvNets("resnet_like");
        Value x = n.g.addParameter("input", ElementType.F32, PartialShape.of(1, 3, 224, 224)).output(0);
        x = n.relu(n.convBn(x, 3, 64, 7, 2));
        x = n.maxPool(x, 3, 2, 1);
        int[] widths = {64, 128, 256, 512};
        int cin = 64;
        for (int stage = 0; stage < widths.length; stage++) {
            int c = widths[stage];
            for (int block = 0; block < 2; block++) {
                int stride = stage > 0 && block == 0 ? 2 : 1;
                Value shortcut = stride == 1 && cin == c ? x : n.convBn(x, cin, c, 1, stride);
                Value y = n.relu(n.convBn(x, cin, c, 3, stride));
                y = n.convBn(y, c, c, 3, 1);
                x = n.relu(n.g.value(new Add(), n.name("add"), y, shortcut));
                cin = c;
            }
        }
        n.g.addResult("output", x);
        return n.g;
    }

    static Graph vggLike() {
        SyntheticConvNets n = new SyntheticConvNets("vgg_like");
        Value x = n.g.addParameter("input", ElementType.F32, PartialShape.of(1, 3, 160, 160)).output(0);
        int[] widths = {32, 64, 128, 256, 256};
        int[] depth = {2, 2, 3, 3, 3};
        int cin = 3;
        for (int stage = 0; stage < widths.length; stage++) {
            for (int i = 0; i < depth[stage]; i++) {
                x = n.relu(n.convBn(x, cin, widths[stage], 3, 1));
                cin = widths[stage];
            }
            if (stage < widths.length - 1) {
                x = n.maxPool(x, 2, 2, 0);
            }
        }
        n.g.addResult("output", x);
        return n.g;
    }

    static Graph downsampleLike() {
        SyntheticConvNets n = new SyntheticConvNets("downsample_like");
        Value x = n.g.addParameter("input", ElementType.F32, PartialShape.of(1, 3, 224, 224)).output(0);
        x = n.relu(n.convBn(x, 3, 32, 7, 2));
        x = n.relu(n.convBn(x, 32, 16, 3, 1));
        x = n.relu(n.convBn(x, 16, 32, 3, 1));
        x = n.relu(n.convBn(x, 32, 64, 3, 2));
        x = n.relu(n.convBn(x, 64, 128, 1, 1));
        x = n.relu(n.convBn(x, 128, 128, 3, 2));
        x = n.relu(n.convBn(x, 128, 256, 3, 2));
        n.g.addResult("output", x);
        return n.g;
    }

    private String name(String kind) {
        return kind + (names++);
    }

    private Value constant(float[] values, int... shape) {
        return g.addConstant(name("c"), Tensor.of(values, shape)).output(0);
    }

    /** A k×k convolution (padding k/2) with He-scaled random weights, then BatchNorm of random statistics. */
    private Value convBn(Value x, int cin, int cout, int k, int stride) {
        float[] w = new float[cout * cin * k * k];
        double scale = Math.sqrt(2.0 / (cin * k * k));
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (rnd.nextGaussian() * scale);
        }
        long p = k / 2;
        Value conv = g.value(new Convolution(new WindowGeometry(new long[] {stride, stride}, new long[] {1, 1},
                new long[] {p, p}, new long[] {p, p}, AutoPad.EXPLICIT, false)), name("conv"), x,
                constant(w, cout, cin, k, k));
        float[][] bn = new float[4][cout];
        for (int c = 0; c < cout; c++) {
            bn[0][c] = 0.5f + rnd.nextFloat();
            bn[1][c] = 0.2f * (rnd.nextFloat() - 0.5f);
            bn[2][c] = 0.2f * (rnd.nextFloat() - 0.5f);
            bn[3][c] = 0.5f + rnd.nextFloat();
        }
        return g.value(new BatchNormInference(1e-5), name("bn"), conv, constant(bn[0], cout), constant(bn[1], cout),
                constant(bn[2], cout), constant(bn[3], cout));
    }

    private Value relu(Value x) {
        return g.value(new Relu(), name("relu"), x);
    }

    private Value maxPool(Value x, int k, int stride, int pad) {
        return g.value(new MaxPool(new long[] {k, k}, new WindowGeometry(new long[] {stride, stride},
                new long[] {1, 1}, new long[] {pad, pad}, new long[] {pad, pad}, AutoPad.EXPLICIT, false), false),
                name("pool"), x);
    }
}
