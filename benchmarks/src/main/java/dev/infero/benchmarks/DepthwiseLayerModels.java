package dev.infero.benchmarks;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.OnnxExporter;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes one-layer ONNX models of a depthwise 3×3 convolution (padding 1) with BatchNorm and ReLU, pseudo-random
 * weights, for the per-layer comparison against a peer ({@code ./infero benchmark -pc --compare-with ORT -m
 * DIR/dw_C_HxW_sS.onnx}) on shapes of our own. Usage: {@code java -cp <benchmarks classpath>
 * dev.infero.benchmarks.DepthwiseLayerModels DIR C:HxW:s ...} (input plane H×W, stride s).
 */
public final class DepthwiseLayerModels {
    private DepthwiseLayerModels() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        for (int i = 1; i < args.length; i++) {
            String[] f = args[i].split(":");
            String[] hw = f[1].split("x");
            int c = Integer.parseInt(f[0]);
            int h = Integer.parseInt(hw[0]);
            int w = Integer.parseInt(hw[1]);
            int s = Integer.parseInt(f[2]);
            OnnxExporter.write(model(c, h, w, s), dir.resolve("dw_" + c + "_" + h + "x" + w + "_s" + s + ".onnx"));
        }
    }

    static Graph model(int c, int h, int w, int stride) {
        Random rnd = new Random(c * 31L + h * 7L + w + stride);
        Graph g = new Graph("dw");
        Value x = g.addParameter("input", ElementType.F32, PartialShape.of(1, c, h, w)).output(0);
        float[] wts = new float[c * 9];
        for (int i = 0; i < wts.length; i++) {
            wts[i] = (float) (rnd.nextGaussian() / 3);
        }
        Value conv = g.value(new GroupConvolution(new WindowGeometry(new long[] {stride, stride}, new long[] {1, 1},
                new long[] {1, 1}, new long[] {1, 1}, AutoPad.EXPLICIT, false)), "dw", x,
                g.addConstant("w", Tensor.of(wts, c, 1, 1, 3, 3)).output(0));
        float[][] bn = new float[4][c];
        for (int i = 0; i < c; i++) {
            bn[0][i] = 0.5f + rnd.nextFloat();
            bn[1][i] = 0.2f * (rnd.nextFloat() - 0.5f);
            bn[2][i] = 0.2f * (rnd.nextFloat() - 0.5f);
            bn[3][i] = 0.5f + rnd.nextFloat();
        }
        Value y = g.value(new BatchNormInference(1e-5), "bn", conv,
                g.addConstant("g", Tensor.of(bn[0], c)).output(0), g.addConstant("b", Tensor.of(bn[1], c)).output(0),
                g.addConstant("m", Tensor.of(bn[2], c)).output(0), g.addConstant("v", Tensor.of(bn[3], c)).output(0));
        g.addResult("output", g.value(new Relu(), "relu", y));
        return g;
    }
}
