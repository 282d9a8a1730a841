package dev.infero.tf.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.ConvolutionBackpropData;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.tensor.Tensor;
import dev.infero.tf.TfNode;
import dev.infero.tf.TfTranslator;
import dev.infero.tf.TfValue;
import dev.infero.tf.proto.Tf.NodeDef;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Convolutions, pooling, batch normalization, bias and matrix multiplication. NHWC data is computed as NCHW (the
 * output stays NCHW for the next op, see {@link TfValue}); TensorFlow's filters [kh, kw, in, out] are transposed to
 * OpenVINO's [out, in, kh, kw] once, at import. TensorFlow's SAME padding puts the odd pixel at the end: SAME_UPPER.
 */
public final class NnOps {
    private NnOps() {
    }

    public static void register(Map<String, TfTranslator> r) {
        r.put("Conv2D", n -> conv2d(n, n.in(0), n.plain(1), n.attrInts("dilations", null), null, null));
        r.put("DepthwiseConv2dNative", n -> conv2d(n, n.in(0), n.plain(1), n.attrInts("dilations", null), null,
                null));
        r.put("Conv2DBackpropInput", NnOps::conv2dBackpropInput);
        r.put("FusedBatchNorm", NnOps::fusedBatchNorm);
        r.put("FusedBatchNormV2", NnOps::fusedBatchNorm);
        r.put("FusedBatchNormV3", NnOps::fusedBatchNorm);
        r.put("BiasAdd", NnOps::biasAdd);
        r.put("MaxPool", n -> pool(n, true));
        r.put("AvgPool", n -> pool(n, false));
        r.put("MatMul", n -> List.of(TfValue.plain(n.add(new MatMul(n.attrBool("transpose_a", false),
                n.attrBool("transpose_b", false)), n.plain(0), n.plain(1)))));
        TfTranslator batchMatMul = n -> List.of(TfValue.plain(n.add(new MatMul(n.attrBool("adj_x", false),
                n.attrBool("adj_y", false)), n.plain(0), n.plain(1))));
        r.put("BatchMatMul", batchMatMul);
        r.put("BatchMatMulV2", batchMatMul);
        r.put("BatchMatMulV3", batchMatMul);
    }

    /** The spatial (H, W) entries of a 4-value NHWC or NCHW attribute such as strides. */
    private static long[] spatial(TfNode n, long[] four, boolean nhwc, String what) {
        if (four == null) {
            return new long[] {1, 1};
        }
        if (four.length != 4) {
            throw n.error(what + " " + Arrays.toString(four) + " must have 4 values");
        }
        return nhwc ? new long[] {four[1], four[2]} : new long[] {four[2], four[3]};
    }

    /** Window geometry from TensorFlow's padding attributes (SAME, VALID, EXPLICIT with explicit_paddings). */
    private static WindowGeometry window(TfNode n, long[] strides, long[] dilations, boolean nhwc) {
        String padding = n.attrString("padding", "VALID");
        long[] zero = {0, 0};
        return switch (padding) {
            case "SAME" -> new WindowGeometry(strides, dilations, zero, zero, AutoPad.SAME_UPPER, false);
            case "VALID" -> new WindowGeometry(strides, dilations, zero, zero, AutoPad.VALID, false);
            case "EXPLICIT" -> {
                long[] p = n.attrInts("explicit_paddings", new long[0]);
                if (p.length != 8) {
                    throw n.error("explicit_paddings " + Arrays.toString(p) + " must have 8 values");
                }
                int h = nhwc ? 1 : 2;
                int w = nhwc ? 2 : 3;
                yield new WindowGeometry(strides, dilations, new long[] {p[2 * h], p[2 * w]},
                        new long[] {p[2 * h + 1], p[2 * w + 1]}, AutoPad.EXPLICIT, false);
            }
            default -> throw n.error("padding '" + padding + "' is not SAME, VALID or EXPLICIT");
        };
    }

    /** The data input in the layout the op computes in: NCHW for NHWC ops, else as given. */
    private static Value data(TfNode n, TfValue x, boolean nhwc) {
        if (nhwc) {
            return x.nchw() ? x.value() : n.nchw(n.inputs().indexOf(x));
        }
        return x.nchw() ? n.plain(n.inputs().indexOf(x)) : x.value();
    }

    private static TfValue result(Value y, boolean nhwc) {
        return nhwc ? TfValue.transposed(y) : TfValue.plain(y);
    }

    /**
     * Conv2D and DepthwiseConv2dNative of {@code x} by the TensorFlow filter {@code filter}; explicit
     * {@code padsBegin}/{@code padsEnd} (non-null) override the node's padding attribute.
     */
    static List<TfValue> conv2d(TfNode n, TfValue x, Value filter, long[] dilations4, long[] padsBegin, long[] padsEnd) {
        boolean nhwc = n.nhwc();
        long[] strides = spatial(n, n.attrInts("strides", null), nhwc, "strides");
        long[] dilations = spatial(n, dilations4, nhwc, "dilations");
        WindowGeometry window = padsBegin == null ? window(n, strides, dilations, nhwc)
                : new WindowGeometry(strides, dilations, padsBegin, padsEnd, AutoPad.EXPLICIT, false);
        Value data = data(n, x, nhwc);
        int[] fs = n.staticShape(filter, "the filter");
        if (fs.length != 4) {
            throw n.error("filter must be 4-D [height, width, in, out], got " + Arrays.toString(fs));
        }
        Value y;
        if (n.op().equals("DepthwiseConv2dNative")) {
            // [kh, kw, C, M] -> [C, M, 1, kh, kw]: one group per input channel, M outputs each.
            Value w = n.transpose(filter, 2, 3, 0, 1);
            w = n.helper("weights", new Reshape(false), w, n.constant(Tensor.vector(fs[2], fs[3], 1, fs[0], fs[1])));
            y = n.add(new GroupConvolution(window), data, w);
        } else {
            Value w = n.transpose(filter, 3, 2, 0, 1); // [out, in, kh, kw]
            int channels = data.shape().hasRank() && !data.shape().isDynamic(1) ? data.shape().dim(1) : fs[2];
            if (channels == fs[2]) {
                y = n.add(new Convolution(window), data, w);
            } else {
                if (channels % fs[2] != 0 || fs[3] % (channels / fs[2]) != 0) {
                    throw n.error("input has " + channels + " channels, which the filter " + Arrays.toString(fs)
                            + " does not divide into groups");
                }
                int groups = channels / fs[2];
                w = n.helper("weights", new Reshape(false), w, n.constant(Tensor.vector(groups, fs[3] / groups,
                        fs[2], fs[0], fs[1])));
                y = n.add(new GroupConvolution(window), data, w);
            }
        }
        return List.of(result(y, nhwc));
    }

    /** The convolution of a fused SpaceToBatchND → conv → BatchToSpaceND chain (see Fusions). */
    public static List<TfValue> dilatedConvolution(TfNode n, NodeDef conv, long[] dilations, long[] padsBegin,
                                                   long[] padsEnd) {
        TfNode c = n.withDef(conv);
        return conv2d(c, n.in(0), n.plain(1), new long[] {1, dilations[0], dilations[1], 1}, padsBegin, padsEnd);
    }

    private static List<TfValue> conv2dBackpropInput(TfNode n) {
        boolean nhwc = n.nhwc();
        long[] strides = spatial(n, n.attrInts("strides", null), nhwc, "strides");
        long[] dilations = spatial(n, n.attrInts("dilations", null), nhwc, "dilations");
        String padding = n.attrString("padding", "VALID");
        Value filter = n.plain(1);
        int[] fs = n.staticShape(filter, "the filter");
        if (fs.length != 4) {
            throw n.error("filter must be 4-D [height, width, out, in], got " + Arrays.toString(fs));
        }
        // TF filter [kh, kw, C_result, C_backprop] -> OpenVINO [C_in(data), C_out, kh, kw]
        Value w = n.transpose(filter, 3, 2, 0, 1);
        Value sizes = n.plain(0);
        Value spatialSize = n.helper("output_size", new Gather(0), sizes, n.constant(Tensor.vector(nhwc ? new long[] {1, 2}
                : new long[] {2, 3})), n.constant(Tensor.scalar(0L)));
        long[] zero = {0, 0};
        WindowGeometry window = switch (padding) {
            case "SAME" -> new WindowGeometry(strides, dilations, zero, zero, AutoPad.SAME_UPPER, false);
            case "VALID" -> new WindowGeometry(strides, dilations, zero, zero, AutoPad.EXPLICIT, false);
            case "EXPLICIT" -> {
                long[] p = n.attrInts("explicit_paddings", new long[0]);
                if (p.length != 8) {
                    throw n.error("explicit_paddings " + Arrays.toString(p) + " must have 8 values");
                }
                int h = nhwc ? 1 : 2;
                int wi = nhwc ? 2 : 3;
                yield new WindowGeometry(strides, dilations, new long[] {p[2 * h], p[2 * wi]},
                        new long[] {p[2 * h + 1], p[2 * wi + 1]}, AutoPad.EXPLICIT, false);
            }
            default -> throw n.error("padding '" + padding + "' is not SAME, VALID or EXPLICIT");
        };
        Value data = data(n, n.in(2), nhwc);
        Value y = n.add(new ConvolutionBackpropData(window, new long[] {0, 0}), data, w, spatialSize);
        return List.of(result(y, nhwc));
    }

    private static List<TfValue> fusedBatchNorm(TfNode n) {
        if (n.attrBool("is_training", true)) {
            throw n.error("is_training=true computes batch statistics, which an inference graph should not; freeze "
                    + "the model in inference mode (is_training=false)");
        }
        boolean nhwc = n.nhwc();
        Value x = data(n, n.in(0), nhwc);
        Value y = n.add(new BatchNormInference(n.attrFloat("epsilon", 1e-4f)), x, n.plain(1), n.plain(2),
                n.plain(3), n.plain(4));
        TfValue mean = n.in(3);
        TfValue variance = n.in(4);
        return List.of(result(y, nhwc), mean, variance, mean, variance, mean);
    }

    private static List<TfValue> biasAdd(TfNode n) {
        boolean nhwc = n.nhwc();
        TfValue x = n.in(0);
        Value bias = n.plain(1);
        if (x.nchw()) {
            // NHWC data held as NCHW: the bias runs along axis 1.
            return List.of(TfValue.transposed(n.add(new Add(), x.value(), n.helper("bias", new Reshape(false), bias,
                    n.constant(Tensor.vector(1, -1, 1, 1))))));
        }
        if (nhwc) {
            return List.of(TfValue.plain(n.add(new Add(), x.value(), bias)));
        }
        int rank = x.value().shape().hasRank() ? x.value().shape().rank() : 4;
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        shape[1] = -1;
        return List.of(TfValue.plain(n.add(new Add(), x.value(), n.helper("bias", new Reshape(false), bias,
                n.constant(Tensor.vector(shape))))));
    }

    private static List<TfValue> pool(TfNode n, boolean max) {
        boolean nhwc = n.nhwc();
        long[] kernel = spatial(n, n.attrInts("ksize", null), nhwc, "ksize");
        long[] strides = spatial(n, n.attrInts("strides", null), nhwc, "strides");
        WindowGeometry window = window(n, strides, new long[] {1, 1}, nhwc);
        Value x = data(n, n.in(0), nhwc);
        // TensorFlow's AvgPool divides by the number of real (unpadded) pixels in the window.
        Value y = max ? n.add(new MaxPool(kernel, window, false), x) : n.add(new AvgPool(kernel, window, true), x);
        return List.of(result(y, nhwc));
    }
}
