package dev.infero.onnx.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.ConvolutionBackpropData;
import dev.infero.core.ops.nn.GroupConvolutionBackpropData;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * ConvTranspose as ConvolutionBackpropData (group 1) or GroupConvolutionBackpropData, whose weights
 * {@code [C_in, C_out / G, k...]} are reshaped to {@code [G, C_in / G, C_out / G, k...]}. An {@code output_shape}
 * attribute becomes the op's output_shape input; ONNX then crops the excess half at each side with the odd one at
 * the start, except for SAME_UPPER (odd one at the end) - OpenVINO's same_lower and same_upper.
 */
public final class ConvTransposeOps {
    private ConvTransposeOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("ConvTranspose", ConvTransposeOps::convTranspose);
    }

    private static List<Value> convTranspose(OnnxNode n) {
        Value x = n.requireInput(0);
        Value w = n.requireInput(1);
        if (!w.shape().hasRank()) {
            throw n.error("weights of unknown rank are not supported");
        }
        int spatial = w.shape().rank() - 2;
        long[] ones = new long[spatial];
        Arrays.fill(ones, 1);
        long[] strides = n.attrInts("strides", ones);
        long[] dilations = n.attrInts("dilations", ones);
        long[] pads = n.attrInts("pads", new long[2 * spatial]);
        long[] outputPadding = n.attrInts("output_padding", new long[spatial]);
        long[] outputShape = n.attrInts("output_shape", null);
        if (strides.length != spatial || dilations.length != spatial || pads.length != 2 * spatial
                || outputPadding.length != spatial) {
            throw n.error("strides, dilations, output_padding (one per spatial axis) and pads (two per axis) do not"
                    + " match " + spatial + " spatial axes");
        }
        AutoPad autoPad = AutoPad.fromOnnx(n.attrString("auto_pad", "NOTSET"));
        Value shapeInput = null;
        if (outputShape != null) {
            if (outputShape.length == spatial + 2) {
                outputShape = Arrays.copyOfRange(outputShape, 2, outputShape.length);
            }
            shapeInput = n.constant(Tensor.vector(outputShape));
            autoPad = autoPad == AutoPad.SAME_UPPER ? AutoPad.SAME_UPPER : AutoPad.SAME_LOWER;
            pads = new long[2 * spatial];
        }
        WindowGeometry window = new WindowGeometry(strides, dilations, Arrays.copyOfRange(pads, 0, spatial),
                Arrays.copyOfRange(pads, spatial, 2 * spatial), autoPad, false);
        long groups = n.attrInt("group", 1);
        Value y;
        if (groups == 1) {
            y = n.add(new ConvolutionBackpropData(window, outputPadding), inputs(x, w, shapeInput));
        } else {
            Value gw = ConvolutionOps.groupedWeights(n, w, groups);
            y = n.add(new GroupConvolutionBackpropData(window, outputPadding), inputs(x, gw, shapeInput));
        }
        if (n.hasInput(2)) {
            y = n.add(new Add(), y, ConvolutionOps.channelVector(n, n.input(2), spatial));
        }
        return List.of(y);
    }

    private static Value[] inputs(Value x, Value w, Value outputShape) {
        return outputShape == null ? new Value[] {x, w} : new Value[] {x, w, outputShape};
    }
}
