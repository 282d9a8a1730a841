package dev.infero.tflite;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.Elu;
import dev.infero.core.ops.activation.HSwish;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Abs;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Ceiling;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Exp;
import dev.infero.core.ops.eltwise.Floor;
import dev.infero.core.ops.eltwise.Log;
import dev.infero.core.ops.eltwise.Maximum;
import dev.infero.core.ops.eltwise.Minimum;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Negative;
import dev.infero.core.ops.eltwise.Power;
import dev.infero.core.ops.eltwise.Sqrt;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.eltwise.Tanh;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.DepthToSpace;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.ops.movement.Slice;
import dev.infero.core.ops.movement.SpaceToDepth;
import dev.infero.core.ops.movement.Split;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Tile;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.movement.VariadicSplit;
import dev.infero.core.ops.movement.BlockRearrangement;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.ConvolutionBackpropData;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.normalization.LogSoftmax;
import dev.infero.core.ops.normalization.Softmax;
import dev.infero.core.ops.reduce.ReduceMax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.ops.reduce.ReduceMin;
import dev.infero.core.ops.reduce.ReduceProd;
import dev.infero.core.ops.reduce.ReduceSum;
import dev.infero.core.ops.slicing.StridedSlice;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.tflite.schema.AddOptions;
import dev.infero.tflite.schema.BuiltinOptions;
import dev.infero.tflite.schema.ConcatenationOptions;
import dev.infero.tflite.schema.Conv2DOptions;
import dev.infero.tflite.schema.DepthToSpaceOptions;
import dev.infero.tflite.schema.DepthwiseConv2DOptions;
import dev.infero.tflite.schema.DivOptions;
import dev.infero.tflite.schema.FullyConnectedOptions;
import dev.infero.tflite.schema.FullyConnectedOptionsWeightsFormat;
import dev.infero.tflite.schema.GatherOptions;
import dev.infero.tflite.schema.LeakyReluOptions;
import dev.infero.tflite.schema.MirrorPadMode;
import dev.infero.tflite.schema.MirrorPadOptions;
import dev.infero.tflite.schema.MulOptions;
import dev.infero.tflite.schema.PackOptions;
import dev.infero.tflite.schema.Padding;
import dev.infero.tflite.schema.Pool2DOptions;
import dev.infero.tflite.schema.ReducerOptions;
import dev.infero.tflite.schema.ReshapeOptions;
import dev.infero.tflite.schema.ResizeBilinearOptions;
import dev.infero.tflite.schema.ResizeNearestNeighborOptions;
import dev.infero.tflite.schema.ShapeOptions;
import dev.infero.tflite.schema.SoftmaxOptions;
import dev.infero.tflite.schema.SpaceToDepthOptions;
import dev.infero.tflite.schema.SplitOptions;
import dev.infero.tflite.schema.SqueezeOptions;
import dev.infero.tflite.schema.StridedSliceOptions;
import dev.infero.tflite.schema.SubOptions;
import dev.infero.tflite.schema.TransposeConvOptions;
import dev.infero.tflite.schema.UnpackOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The translators of TFLite builtin operators, by builtin code. Layout rules (see {@link TfliteImporter}): windowed
 * ops read and write NCHW; layout-neutral ops follow their input's layout, permuting axes and constant operands; the
 * others read TFLite's layout.
 */
final class TfliteOps {
    /** Translates one operator: reads its inputs and defines every output. */
    @FunctionalInterface
    interface Translator {
        void translate(TfliteOperator n);
    }

    // Builtin codes (TFLite's BuiltinOperator).
    static final int ADD = 0, AVERAGE_POOL_2D = 1, CONCATENATION = 2, CONV_2D = 3, DEPTHWISE_CONV_2D = 4,
            DEPTH_TO_SPACE = 5, DEQUANTIZE = 6, FLOOR = 8, FULLY_CONNECTED = 9, LOGISTIC = 14, MAX_POOL_2D = 17,
            MUL = 18, RELU = 19, RELU_N1_TO_1 = 20, RELU6 = 21, RESHAPE = 22, RESIZE_BILINEAR = 23, SOFTMAX = 25,
            SPACE_TO_DEPTH = 26, TANH = 28, PAD = 34, GATHER = 36, TRANSPOSE = 39, MEAN = 40, SUB = 41, DIV = 42,
            SQUEEZE = 43, STRIDED_SLICE = 45, EXP = 47, SPLIT = 49, LOG_SOFTMAX = 50, CAST = 53, PRELU = 54,
            MAXIMUM = 55, MINIMUM = 57, NEG = 59, PADV2 = 60, SLICE = 65, TRANSPOSE_CONV = 67, TILE = 69,
            EXPAND_DIMS = 70, LOG = 73, SUM = 74, SQRT = 75, RSQRT = 76, SHAPE = 77, POW = 78, REDUCE_PROD = 81,
            REDUCE_MAX = 82, PACK = 83, UNPACK = 88, REDUCE_MIN = 89, SQUARE = 92, RESIZE_NEAREST_NEIGHBOR = 97,
            LEAKY_RELU = 98, SQUARED_DIFFERENCE = 99, MIRROR_PAD = 100, ABS = 101, SPLIT_V = 102, CEIL = 104,
            ELU = 111, QUANTIZE = 114, HARD_SWISH = 117;

    private static final Map<Integer, Translator> TRANSLATORS = new HashMap<>();

    static {
        Map<Integer, Translator> r = TRANSLATORS;
        r.put(ADD, n -> binary(n, Add::new, n.options(BuiltinOptions.AddOptions, new AddOptions()).fusedActivationFunction()));
        r.put(SUB, n -> binary(n, Subtract::new, n.options(BuiltinOptions.SubOptions, new SubOptions()).fusedActivationFunction()));
        r.put(MUL, n -> binary(n, Multiply::new, n.options(BuiltinOptions.MulOptions, new MulOptions()).fusedActivationFunction()));
        r.put(DIV, n -> binary(n, Divide::new, n.options(BuiltinOptions.DivOptions, new DivOptions()).fusedActivationFunction()));
        r.put(MAXIMUM, n -> binary(n, Maximum::new, (byte) 0));
        r.put(MINIMUM, n -> binary(n, Minimum::new, (byte) 0));
        r.put(POW, n -> binary(n, Power::new, (byte) 0));
        r.put(PRELU, n -> binary(n, PRelu::new, (byte) 0));
        r.put(SQUARED_DIFFERENCE, TfliteOps::squaredDifference);
        r.put(RELU, n -> unary(n, new Relu()));
        r.put(RELU6, n -> unary(n, new Clamp(0, 6)));
        r.put(RELU_N1_TO_1, n -> unary(n, new Clamp(-1, 1)));
        r.put(LOGISTIC, n -> unary(n, new Sigmoid()));
        r.put(TANH, n -> unary(n, new Tanh()));
        r.put(HARD_SWISH, n -> unary(n, new HSwish()));
        r.put(ELU, n -> unary(n, new Elu(1.0)));
        r.put(EXP, n -> unary(n, new Exp()));
        r.put(LOG, n -> unary(n, new Log()));
        r.put(SQRT, n -> unary(n, new Sqrt()));
        r.put(ABS, n -> unary(n, new Abs()));
        r.put(NEG, n -> unary(n, new Negative()));
        r.put(FLOOR, n -> unary(n, new Floor()));
        r.put(CEIL, n -> unary(n, new Ceiling()));
        r.put(RSQRT, TfliteOps::rsqrt);
        r.put(SQUARE, TfliteOps::square);
        r.put(LEAKY_RELU, TfliteOps::leakyRelu);
        r.put(CONV_2D, TfliteOps::conv2d);
        r.put(DEPTHWISE_CONV_2D, TfliteOps::depthwiseConv2d);
        r.put(TRANSPOSE_CONV, TfliteOps::transposeConv);
        r.put(FULLY_CONNECTED, TfliteOps::fullyConnected);
        r.put(AVERAGE_POOL_2D, n -> pool(n, false));
        r.put(MAX_POOL_2D, n -> pool(n, true));
        r.put(MEAN, n -> reduce(n, ReduceMean::new));
        r.put(SUM, n -> reduce(n, ReduceSum::new));
        r.put(REDUCE_MAX, n -> reduce(n, ReduceMax::new));
        r.put(REDUCE_MIN, n -> reduce(n, ReduceMin::new));
        r.put(REDUCE_PROD, n -> reduce(n, ReduceProd::new));
        r.put(CONCATENATION, TfliteOps::concatenation);
        r.put(RESHAPE, TfliteOps::reshape);
        r.put(SQUEEZE, TfliteOps::squeeze);
        r.put(EXPAND_DIMS, TfliteOps::expandDims);
        r.put(TRANSPOSE, TfliteOps::transpose);
        r.put(PAD, n -> pad(n, Pad.Mode.CONSTANT));
        r.put(PADV2, n -> pad(n, Pad.Mode.CONSTANT));
        r.put(MIRROR_PAD, n -> pad(n, n.options(BuiltinOptions.MirrorPadOptions, new MirrorPadOptions()).mode()
                == MirrorPadMode.SYMMETRIC ? Pad.Mode.SYMMETRIC : Pad.Mode.REFLECT));
        r.put(RESIZE_BILINEAR, n -> resize(n, true));
        r.put(RESIZE_NEAREST_NEIGHBOR, n -> resize(n, false));
        r.put(SOFTMAX, TfliteOps::softmax);
        r.put(LOG_SOFTMAX, TfliteOps::logSoftmax);
        r.put(STRIDED_SLICE, TfliteOps::stridedSlice);
        r.put(SLICE, TfliteOps::slice);
        r.put(SPLIT, n -> split(n, false));
        r.put(SPLIT_V, n -> split(n, true));
        r.put(GATHER, TfliteOps::gather);
        r.put(QUANTIZE, TfliteOps::quantize);
        r.put(DEQUANTIZE, TfliteOps::dequantize);
        r.put(SPACE_TO_DEPTH, n -> blocks(n, true));
        r.put(DEPTH_TO_SPACE, n -> blocks(n, false));
        r.put(PACK, TfliteOps::pack);
        r.put(UNPACK, TfliteOps::unpack);
        r.put(SHAPE, TfliteOps::shape);
        r.put(CAST, TfliteOps::cast);
        r.put(TILE, TfliteOps::tile);
    }

    private TfliteOps() {
    }

    /** The translator of a builtin code, or {@code null} when Infero does not support the operator. */
    static Translator translator(int code) {
        return TRANSLATORS.get(code);
    }

    /** The builtin codes Infero translates, for documentation and tests. */
    static java.util.Set<Integer> supported() {
        return java.util.Collections.unmodifiableSet(TRANSLATORS.keySet());
    }

    // ---- helpers ----

    /** NHWC axis → NCHW axis. */
    static int toNchwAxis(int axis) {
        return switch (axis) {
            case 0 -> 0;
            case 1 -> 2;
            case 2 -> 3;
            case 3 -> 1;
            default -> throw new IllegalArgumentException("axis " + axis);
        };
    }

    static int normalizeAxis(TfliteOperator n, long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw n.error("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    private static int rank(TfliteOperator n, int k) {
        return n.shape(k).length;
    }

    private static Tensor longs(long... v) {
        return Tensor.vector(v);
    }

    // ---- element-wise ----

    private static void unary(TfliteOperator n, Op op) {
        boolean nchw = n.isNchw(0);
        Value x = nchw ? n.inNchw(0) : n.in(0);
        n.out(0, n.add(op, x), nchw);
    }

    private static void rsqrt(TfliteOperator n) {
        boolean nchw = n.isNchw(0);
        Value x = nchw ? n.inNchw(0) : n.in(0);
        Value s = n.graph().value(new Sqrt(), n.name() + "/sqrt", x);
        n.out(0, n.add(new Divide(), n.constant(Tensor.scalar(1f).convertTo(x.type())), s), nchw);
    }

    private static void square(TfliteOperator n) {
        boolean nchw = n.isNchw(0);
        Value x = nchw ? n.inNchw(0) : n.in(0);
        n.out(0, n.add(new Multiply(), x, x), nchw);
    }

    private static void leakyRelu(TfliteOperator n) {
        float alpha = n.options(BuiltinOptions.LeakyReluOptions, new LeakyReluOptions()).alpha();
        boolean nchw = n.isNchw(0);
        Value x = nchw ? n.inNchw(0) : n.in(0);
        n.out(0, n.add(new PRelu(), x, n.constant(Tensor.of(new float[] {alpha}, 1))), nchw);
    }

    /**
     * Operands of a broadcasting binary op in a common layout: NCHW when an operand is held in NCHW (a lower-rank
     * operand, which broadcasts against TFLite's trailing axes, is first given rank 4 then permuted), else TFLite's.
     */
    static Value[] commonLayout(TfliteOperator n, int count, boolean[] nchwOut) {
        boolean nchw = false;
        for (int k = 0; k < count; k++) {
            nchw |= n.isNchw(k);
        }
        for (int k = 0; k < count && nchw; k++) {
            if (rank(n, k) > 4) {
                nchw = false;
            }
        }
        Value[] v = new Value[count];
        for (int k = 0; k < count; k++) {
            if (!nchw) {
                v[k] = n.in(k);
            } else if (rank(n, k) == 4) {
                v[k] = n.inNchw(k);
            } else {
                int[] s = n.shape(k);
                long[] four = new long[4];
                Arrays.fill(four, 1);
                for (int i = 0; i < s.length; i++) {
                    four[4 - s.length + i] = s[i];
                }
                String name = n.importer().tensorName(n.tensor(k));
                Value r = n.importer().reshape(n.in(k), four, name + "/rank4");
                v[k] = n.importer().transpose(r, TfliteImporter.TO_NCHW, name + "/rank4_nchw");
            }
        }
        nchwOut[0] = nchw;
        return v;
    }

    private static void binary(TfliteOperator n, Supplier<Op> op, byte activation) {
        boolean[] nchw = new boolean[1];
        Value[] v = commonLayout(n, 2, nchw);
        n.out(0, n.activation(n.add(op.get(), v[0], v[1]), activation), nchw[0]);
    }

    private static void squaredDifference(TfliteOperator n) {
        boolean[] nchw = new boolean[1];
        Value[] v = commonLayout(n, 2, nchw);
        Value d = n.graph().value(new Subtract(), n.name() + "/difference", v[0], v[1]);
        n.out(0, n.add(new Multiply(), d, d), nchw[0]);
    }

    // ---- convolutions and pooling ----

    private static WindowGeometry window(TfliteOperator n, byte padding, int strideH, int strideW, int dilationH,
                                         int dilationW) {
        if (strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw n.error("strides " + strideH + "×" + strideW + " and dilations " + dilationH + "×" + dilationW
                    + " must be positive");
        }
        AutoPad pad = switch (padding) {
            case Padding.SAME -> AutoPad.SAME_UPPER; // TFLite's SAME: the odd padding element goes at the end
            case Padding.VALID -> AutoPad.VALID;
            default -> throw n.error("padding " + padding + " is neither SAME nor VALID");
        };
        return new WindowGeometry(new long[] {strideH, strideW}, new long[] {dilationH, dilationW}, new long[2],
                new long[2], pad, false);
    }

    /** The bias (input 2) as an NCHW [1, C, 1, 1] constant-or-value, or {@code null} when absent. */
    private static Value bias(TfliteOperator n, int k, int channels) {
        if (!n.has(k)) {
            return null;
        }
        Value b = n.in(k);
        if (b.type() != ElementType.F32) {
            b = n.importer().fold(n.graph().value(new Convert(ElementType.F32), n.name() + "/bias_f32", b),
                    n.name() + "/bias_f32");
        }
        return n.importer().reshape(b, new long[] {1, channels, 1, 1}, n.name() + "/bias");
    }

    private static void conv2d(TfliteOperator n) {
        Conv2DOptions o = n.options(BuiltinOptions.Conv2DOptions, new Conv2DOptions());
        int[] ws = n.shape(1);
        int[] xs = n.shape(0);
        if (ws.length != 4 || xs.length != 4) {
            throw n.error("needs 4-D input and filter, got " + Arrays.toString(xs) + " and " + Arrays.toString(ws));
        }
        int out = ws[0];
        int inPerGroup = ws[3];
        int channels = xs[3];
        if (inPerGroup <= 0 || channels % inPerGroup != 0) {
            throw n.error("filter " + Arrays.toString(ws) + " does not fit an input of " + channels + " channels");
        }
        int groups = channels / inPerGroup;
        WindowGeometry window = window(n, o.padding(), o.strideH(), o.strideW(), o.dilationHFactor(),
                o.dilationWFactor());
        Value x = n.inNchw(0);
        Value y;
        if (groups == 1) {
            // [O, H, W, I] → [O, I, H, W]
            Value w = n.importer().weights(n.tensor(1), new int[] {0, 3, 1, 2}, null, new int[] {0}, n.describe());
            y = n.add(new Convolution(window), x, w);
        } else {
            if (out % groups != 0) {
                throw n.error(out + " output channels do not split into " + groups + " groups");
            }
            Value w = n.importer().weights(n.tensor(1), new int[] {0, 3, 1, 2},
                    new long[] {groups, out / groups, inPerGroup, ws[1], ws[2]}, new int[] {0, 1}, n.describe());
            y = n.add(new GroupConvolution(window), x, w);
        }
        Value b = bias(n, 2, out);
        if (b != null) {
            y = n.graph().value(new Add(), n.name() + "/bias_add", y, b);
        }
        n.out(0, n.activation(y, o.fusedActivationFunction()), true);
    }

    private static void depthwiseConv2d(TfliteOperator n) {
        DepthwiseConv2DOptions o = n.options(BuiltinOptions.DepthwiseConv2DOptions, new DepthwiseConv2DOptions());
        int[] ws = n.shape(1);
        int[] xs = n.shape(0);
        if (ws.length != 4 || xs.length != 4 || ws[0] != 1) {
            throw n.error("needs a 4-D input and a [1, H, W, C·M] filter, got " + Arrays.toString(xs) + " and "
                    + Arrays.toString(ws));
        }
        int channels = xs[3];
        int out = ws[3];
        if (channels <= 0 || out % channels != 0) {
            throw n.error("filter " + Arrays.toString(ws) + " does not fit an input of " + channels + " channels");
        }
        // The multiplier follows from the shapes; TFLite's kernels do the same (depth_multiplier is redundant and
        // written inconsistently by some converters).
        int multiplier = out / channels;
        WindowGeometry window = window(n, o.padding(), o.strideH(), o.strideW(), o.dilationHFactor(),
                o.dilationWFactor());
        // [1, H, W, C·M] → [C·M, 1, H, W] → [C, M, 1, H, W]; output channel c·M + m, as TFLite's.
        Value w = n.importer().weights(n.tensor(1), new int[] {3, 0, 1, 2},
                new long[] {channels, multiplier, 1, ws[1], ws[2]}, new int[] {0, 1}, n.describe());
        Value y = n.add(new GroupConvolution(window), n.inNchw(0), w);
        Value b = bias(n, 2, out);
        if (b != null) {
            y = n.graph().value(new Add(), n.name() + "/bias_add", y, b);
        }
        n.out(0, n.activation(y, o.fusedActivationFunction()), true);
    }

    /**
     * TRANSPOSE_CONV: inputs output_shape (NHWC), weights [O, H, W, I], data, optional bias. TFLite pads as for the
     * forward convolution from the output size: total = max((in − 1)·stride + k − out, 0), half before (rounded
     * down), the rest after; output_padding makes up an output larger than the uncropped one.
     */
    private static void transposeConv(TfliteOperator n) {
        TransposeConvOptions o = n.options(BuiltinOptions.TransposeConvOptions, new TransposeConvOptions());
        long[] outShape = n.ints(0, "output_shape");
        int[] ws = n.shape(1);
        int[] xs = n.shape(2);
        if (outShape.length != 4 || ws.length != 4 || xs.length != 4) {
            throw n.error("needs a 4-value output_shape, a 4-D filter and a 4-D input");
        }
        int[] stride = {o.strideH(), o.strideW()};
        if (stride[0] < 1 || stride[1] < 1) {
            throw n.error("strides must be positive");
        }
        long[] begin = new long[2];
        long[] end = new long[2];
        long[] outputPadding = new long[2];
        for (int i = 0; i < 2; i++) {
            long in = xs[1 + i];
            long k = ws[1 + i];
            long want = outShape[1 + i];
            long full = (in - 1) * stride[i] + k;
            long total = o.padding() == Padding.VALID ? 0 : Math.max(full - want, 0);
            begin[i] = total / 2;
            end[i] = total - begin[i];
            outputPadding[i] = want - (full - total);
            if (outputPadding[i] < 0 || outputPadding[i] >= stride[i] && o.padding() == Padding.SAME) {
                throw n.error("output_shape " + Arrays.toString(outShape) + " does not fit input "
                        + Arrays.toString(xs) + ", filter " + Arrays.toString(ws) + " and strides "
                        + Arrays.toString(stride));
            }
        }
        WindowGeometry window = new WindowGeometry(new long[] {stride[0], stride[1]}, new long[] {1, 1}, begin, end,
                AutoPad.EXPLICIT, false);
        // [O, H, W, I] → [I, O, H, W] (ConvolutionBackpropData's [C_in, C_out, kH, kW])
        Value w = n.importer().weights(n.tensor(1), new int[] {3, 0, 1, 2}, null, new int[] {1}, n.describe());
        Value y = n.add(new ConvolutionBackpropData(window, outputPadding), n.inNchw(2), w);
        Value b = bias(n, 3, ws[0]);
        if (b != null) {
            y = n.graph().value(new Add(), n.name() + "/bias_add", y, b);
        }
        n.out(0, n.activation(y, o.fusedActivationFunction()), true);
    }

    /**
     * FULLY_CONNECTED: weights [O, I]; the input is flattened to [size / I, I] (or keeps its leading dimensions with
     * keep_num_dims); optional bias.
     */
    private static void fullyConnected(TfliteOperator n) {
        FullyConnectedOptions o = n.options(BuiltinOptions.FullyConnectedOptions, new FullyConnectedOptions());
        if (o.weightsFormat() != FullyConnectedOptionsWeightsFormat.DEFAULT) {
            throw n.error("shuffled weights (weights_format " + o.weightsFormat() + ") are not supported");
        }
        int[] ws = n.shape(1);
        if (ws.length != 2) {
            throw n.error("needs [O, I] weights, got " + Arrays.toString(ws));
        }
        int outputs = ws[0];
        int depth = ws[1];
        int[] xs = n.shape(0);
        Value x = n.in(0);
        boolean flatten = !(xs.length == 2 && xs[1] == depth) && !(o.keepNumDims() && xs.length >= 1
                && xs[xs.length - 1] == depth);
        if (flatten) {
            x = n.importer().reshape(x, new long[] {-1, depth}, n.name() + "/flatten");
        }
        Value w = n.importer().weights(n.tensor(1), null, null, new int[] {0}, n.describe());
        Value y = n.add(new MatMul(false, true), x, w);
        if (n.has(2)) {
            Value b = n.in(2);
            if (b.type() != ElementType.F32) {
                b = n.importer().fold(n.graph().value(new Convert(ElementType.F32), n.name() + "/bias_f32", b),
                        n.name() + "/bias_f32");
            }
            y = n.graph().value(new Add(), n.name() + "/bias_add", y, b);
        }
        int[] os = n.outShape(0);
        if (o.keepNumDims() && flatten) {
            y = n.importer().reshape(y, Arrays.stream(os).asLongStream().toArray(), n.name() + "/keep_dims");
        }
        n.out(0, n.activation(y, o.fusedActivationFunction()), false);
    }

    private static void pool(TfliteOperator n, boolean max) {
        Pool2DOptions o = n.options(BuiltinOptions.Pool2DOptions, new Pool2DOptions());
        if (o.filterHeight() < 1 || o.filterWidth() < 1) {
            throw n.error("filter " + o.filterHeight() + "×" + o.filterWidth() + " must be positive");
        }
        WindowGeometry window = window(n, o.padding(), o.strideH(), o.strideW(), 1, 1);
        long[] kernel = {o.filterHeight(), o.filterWidth()};
        Value x = n.inNchw(0);
        // TFLite's average pooling divides by the number of input elements under the window (padding excluded).
        Value y = max ? n.add(new MaxPool(kernel, window, false), x) : n.add(new AvgPool(kernel, window, true), x);
        y = n.activation(y, o.fusedActivationFunction());
        if (max && o.fusedActivationFunction() == 0) {
            n.outMoved(0, y, true, 0);
        } else {
            n.out(0, y, true);
        }
    }

    // ---- reductions, softmax ----

    private static void reduce(TfliteOperator n, java.util.function.Function<Boolean, Op> op) {
        boolean keep = n.options(BuiltinOptions.ReducerOptions, new ReducerOptions()).keepDims();
        int rank = rank(n, 0);
        long[] axes = n.ints(1, "axes");
        boolean[] reduced = new boolean[rank];
        for (long a : axes) {
            reduced[normalizeAxis(n, a, rank)] = true;
        }
        boolean nchw = n.isNchw(0) && rank == 4;
        if (nchw && !keep) {
            // The kept axes must come out in TFLite's order: N, H, W, C minus the reduced ones.
            List<Integer> kept = new ArrayList<>();
            for (int p : TfliteImporter.TO_NCHW) {
                if (!reduced[p]) {
                    kept.add(p);
                }
            }
            for (int i = 1; i < kept.size(); i++) {
                if (kept.get(i) < kept.get(i - 1)) {
                    nchw = false;
                }
            }
        }
        long[] list = new long[rank];
        int count = 0;
        for (int a = 0; a < rank; a++) {
            if (reduced[a]) {
                list[count++] = nchw ? toNchwAxis(a) : a;
            }
        }
        long[] mapped = Arrays.copyOf(list, count);
        Arrays.sort(mapped);
        Value x = nchw ? n.inNchw(0) : n.in(0);
        Value y = n.add(op.apply(keep), x, n.constant(longs(mapped)));
        n.out(0, y, nchw && keep);
    }

    private static void softmax(TfliteOperator n) {
        float beta = n.options(BuiltinOptions.SoftmaxOptions, new SoftmaxOptions()).beta();
        boolean nchw = n.isNchw(0) && rank(n, 0) == 4;
        Value x = nchw ? n.inNchw(0) : n.in(0);
        if (beta != 1f && beta != 0f) {
            x = n.graph().value(new Multiply(), n.name() + "/beta", x, n.constant(Tensor.scalar(beta)));
        }
        n.out(0, n.add(new Softmax(nchw ? 1 : -1), x), nchw);
    }

    private static void logSoftmax(TfliteOperator n) {
        boolean nchw = n.isNchw(0) && rank(n, 0) == 4;
        Value x = nchw ? n.inNchw(0) : n.in(0);
        n.out(0, n.add(new LogSoftmax(nchw ? 1 : -1), x), nchw);
    }

    // ---- movement ----

    private static void concatenation(TfliteOperator n) {
        ConcatenationOptions o = n.options(BuiltinOptions.ConcatenationOptions, new ConcatenationOptions());
        int count = n.inputCount();
        int rank = rank(n, 0);
        int axis = normalizeAxis(n, o.axis(), rank);
        boolean nchw = rank == 4;
        boolean anyNchw = false;
        for (int k = 0; k < count; k++) {
            anyNchw |= n.isNchw(k);
            nchw &= rank(n, k) == 4;
        }
        nchw &= anyNchw;
        Value[] in = new Value[count];
        boolean exact = true;
        TfliteImporter.Quant qo = n.outQuant(0);
        for (int k = 0; k < count; k++) {
            in[k] = nchw ? n.inNchw(k) : n.in(k);
            exact &= qo == null || qo.sameAs(n.quant(k));
        }
        Value y = n.activation(n.add(new Concat(nchw ? toNchwAxis(axis) : axis), in), o.fusedActivationFunction());
        if (exact && o.fusedActivationFunction() == 0) {
            n.outMoved(0, y, nchw, 0);
        } else {
            n.out(0, y, nchw);
        }
    }

    private static void reshape(TfliteOperator n) {
        Value x = n.in(0);
        Value shape;
        if (n.has(1)) {
            shape = n.in(1);
            if (shape.isKnown()) {
                shape = n.constant(shape.knownValue().convertTo(ElementType.I64));
            }
        } else {
            ReshapeOptions o = n.options(BuiltinOptions.ReshapeOptions, new ReshapeOptions());
            long[] s = new long[o.newShapeLength()];
            for (int i = 0; i < s.length; i++) {
                s[i] = o.newShape(i);
            }
            shape = n.constant(longs(s));
        }
        n.outMoved(0, n.add(new dev.infero.core.ops.movement.Reshape(false), x, shape), false, 0);
    }

    private static void squeeze(TfliteOperator n) {
        SqueezeOptions o = n.options(BuiltinOptions.SqueezeOptions, new SqueezeOptions());
        int rank = rank(n, 0);
        Value x = n.in(0);
        Value y;
        if (o.squeezeDimsLength() == 0) {
            y = n.add(new Squeeze(), x);
        } else {
            long[] axes = new long[o.squeezeDimsLength()];
            for (int i = 0; i < axes.length; i++) {
                axes[i] = normalizeAxis(n, o.squeezeDims(i), rank);
            }
            y = n.add(new Squeeze(), x, n.constant(longs(axes)));
        }
        n.outMoved(0, y, false, 0);
    }

    private static void expandDims(TfliteOperator n) {
        long[] axis = n.ints(1, "axis");
        if (axis.length != 1) {
            throw n.error("axis must be a single value, got " + Arrays.toString(axis));
        }
        int a = normalizeAxis(n, axis[0], rank(n, 0) + 1);
        n.outMoved(0, n.add(new Unsqueeze(), n.in(0), n.constant(longs(a))), false, 0);
    }

    private static void transpose(TfliteOperator n) {
        long[] perm = n.ints(1, "perm");
        n.outMoved(0, n.add(new Transpose(), n.in(0), n.constant(longs(perm))), false, 0);
    }

    /** PAD / PADV2 / MIRROR_PAD: paddings [rank, 2] (before, after per axis), permuted for NCHW data. */
    private static void pad(TfliteOperator n, Pad.Mode mode) {
        int rank = rank(n, 0);
        long[] p = n.ints(1, "paddings");
        if (p.length != 2 * rank) {
            throw n.error("paddings has " + p.length + " values, expected " + 2 * rank);
        }
        boolean nchw = n.isNchw(0) && rank == 4;
        long[] begin = new long[rank];
        long[] end = new long[rank];
        for (int a = 0; a < rank; a++) {
            int to = nchw ? toNchwAxis(a) : a;
            begin[to] = p[2 * a];
            end[to] = p[2 * a + 1];
        }
        Value x = nchw ? n.inNchw(0) : n.in(0);
        Value y;
        if (mode == Pad.Mode.CONSTANT && n.has(2)) {
            Value padValue = n.in(2);
            if (padValue.shape().hasRank() && padValue.shape().rank() > 0) {
                padValue = n.importer().reshape(padValue, new long[0], n.name() + "/pad_value");
            }
            y = n.add(new Pad(mode), x, n.constant(longs(begin)), n.constant(longs(end)), padValue);
        } else {
            y = n.add(new Pad(mode), x, n.constant(longs(begin)), n.constant(longs(end)));
        }
        n.outMoved(0, y, nchw, 0);
    }

    /**
     * RESIZE_BILINEAR / RESIZE_NEAREST_NEIGHBOR on NCHW data to the size input [new_h, new_w], with TFLite's
     * coordinate rules: align_corners, half_pixel_centers or (neither) asymmetric; nearest rounds as TF does.
     */
    private static void resize(TfliteOperator n, boolean linear) {
        boolean alignCorners;
        boolean halfPixel;
        if (linear) {
            ResizeBilinearOptions o = n.options(BuiltinOptions.ResizeBilinearOptions, new ResizeBilinearOptions());
            alignCorners = o.alignCorners();
            halfPixel = o.halfPixelCenters();
        } else {
            ResizeNearestNeighborOptions o = n.options(BuiltinOptions.ResizeNearestNeighborOptions,
                    new ResizeNearestNeighborOptions());
            alignCorners = o.alignCorners();
            halfPixel = o.halfPixelCenters();
        }
        if (alignCorners && halfPixel) {
            throw n.error("align_corners and half_pixel_centers cannot both be set");
        }
        long[] size = n.ints(1, "size");
        if (size.length != 2 || size[0] < 1 || size[1] < 1) {
            throw n.error("size must be two positive values, got " + Arrays.toString(size));
        }
        String coordinates;
        String nearest;
        if (alignCorners) {
            coordinates = "align_corners";
            nearest = "round_prefer_ceil";
        } else if (halfPixel) {
            coordinates = linear ? "half_pixel" : "tf_half_pixel_for_nn";
            nearest = "floor";
        } else {
            coordinates = "asymmetric";
            nearest = "floor";
        }
        var attributes = new Interpolate.Attributes(linear ? "linear_onnx" : "nearest", true, coordinates, nearest,
                false, -0.75, false, 0, "stretch");
        Value y = n.add(new Interpolate(attributes), n.inNchw(0), n.constant(longs(size)), n.constant(longs(2, 3)));
        if (linear) {
            n.out(0, y, true);
        } else {
            n.outMoved(0, y, true, 0);
        }
    }

    /**
     * STRIDED_SLICE. On NCHW data (4-D, no ellipsis/new-axis/shrink masks) begin, end, strides and the masks are
     * permuted and the output stays NCHW; otherwise it slices TFLite's layout. {@code offset}: end is relative to
     * begin.
     */
    private static void stridedSlice(TfliteOperator n) {
        StridedSliceOptions o = n.options(BuiltinOptions.StridedSliceOptions, new StridedSliceOptions());
        int rank = rank(n, 0);
        long[] begin = n.ints(1, "begin");
        long[] end = n.ints(2, "end");
        long[] strides = n.has(3) ? n.ints(3, "strides") : filled(begin.length, 1);
        if (end.length != begin.length || strides.length != begin.length) {
            throw n.error("begin, end and strides must have the same length");
        }
        for (long s : strides) {
            if (s == 0) {
                throw n.error("strides must not be 0");
            }
        }
        if (o.offset()) {
            for (int i = 0; i < end.length; i++) {
                end[i] += begin[i];
            }
        }
        int len = begin.length;
        long[] bm = bits(o.beginMask(), len);
        long[] em = bits(o.endMask(), len);
        long[] ellipsis = bits(o.ellipsisMask(), len);
        long[] newAxis = bits(o.newAxisMask(), len);
        long[] shrink = bits(o.shrinkAxisMask(), len);
        boolean nchw = n.isNchw(0) && rank == 4 && len == 4 && o.ellipsisMask() == 0 && o.newAxisMask() == 0
                && o.shrinkAxisMask() == 0;
        Value x;
        if (nchw) {
            begin = permuted(begin);
            end = permuted(end);
            strides = permuted(strides);
            bm = permuted(bm);
            em = permuted(em);
            x = n.inNchw(0);
        } else {
            x = n.in(0);
        }
        Value y = n.add(new StridedSlice(bm, em, newAxis, shrink, ellipsis), x, n.constant(longs(begin)),
                n.constant(longs(end)), n.constant(longs(strides)));
        n.outMoved(0, y, nchw, 0);
    }

    private static long[] filled(int n, long v) {
        long[] a = new long[n];
        Arrays.fill(a, v);
        return a;
    }

    private static long[] bits(int mask, int n) {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = (mask >> i) & 1;
        }
        return out;
    }

    /** NHWC-indexed values reordered to NCHW. */
    private static long[] permuted(long[] v) {
        long[] out = new long[4];
        for (int a = 0; a < 4; a++) {
            out[toNchwAxis(a)] = v[a];
        }
        return out;
    }

    /** SLICE: begin and size per axis (size −1 = to the end). */
    private static void slice(TfliteOperator n) {
        int rank = rank(n, 0);
        long[] begin = n.ints(1, "begin");
        long[] size = n.ints(2, "size");
        if (begin.length != rank || size.length != rank) {
            throw n.error("begin and size must have " + rank + " values");
        }
        long[] end = new long[rank];
        for (int i = 0; i < rank; i++) {
            end[i] = size[i] < 0 ? Long.MAX_VALUE : begin[i] + size[i];
        }
        boolean nchw = n.isNchw(0) && rank == 4;
        if (nchw) {
            begin = permuted(begin);
            end = permuted(end);
        }
        Value x = nchw ? n.inNchw(0) : n.in(0);
        Value y = n.add(new Slice(), x, n.constant(longs(begin)), n.constant(longs(end)),
                n.constant(longs(filled(rank, 1))), n.constant(longs(java.util.stream.LongStream.range(0, rank).toArray())));
        n.outMoved(0, y, nchw, 0);
    }

    /** SPLIT (inputs axis, data) and SPLIT_V (inputs data, size_splits, axis). */
    private static void split(TfliteOperator n, boolean variadic) {
        int dataInput = variadic ? 0 : 1;
        long[] axisValue = n.ints(variadic ? 2 : 0, "axis");
        if (axisValue.length != 1) {
            throw n.error("axis must be a single value");
        }
        int rank = rank(n, dataInput);
        int axis = normalizeAxis(n, axisValue[0], rank);
        boolean nchw = n.isNchw(dataInput) && rank == 4;
        Value x = nchw ? n.inNchw(dataInput) : n.in(dataInput);
        Value axisConst = n.constant(Tensor.scalar((long) (nchw ? toNchwAxis(axis) : axis)));
        Node node;
        if (variadic) {
            long[] sizes = n.ints(1, "size_splits");
            node = n.graph().add(new VariadicSplit(), n.name(), x, axisConst, n.constant(longs(sizes)));
        } else {
            int count = n.options(BuiltinOptions.SplitOptions, new SplitOptions()).numSplits();
            if (count < 1) {
                count = n.outputCount();
            }
            node = n.graph().add(new Split(count), n.name(), x, axisConst);
        }
        if (node.outputs().size() != n.outputCount()) {
            throw n.error("splits into " + node.outputs().size() + " parts but has " + n.outputCount() + " outputs");
        }
        for (int k = 0; k < n.outputCount(); k++) {
            n.outMoved(k, node.output(k), nchw, dataInput);
        }
    }

    private static void gather(TfliteOperator n) {
        GatherOptions o = n.options(BuiltinOptions.GatherOptions, new GatherOptions());
        int axis = normalizeAxis(n, o.axis(), rank(n, 0));
        Value y = n.add(new Gather(o.batchDims()), n.in(0), n.in(1), n.constant(Tensor.scalar((long) axis)));
        n.outMoved(0, y, false, 0);
    }

    private static void blocks(TfliteOperator n, boolean toDepth) {
        int block = toDepth ? n.options(BuiltinOptions.SpaceToDepthOptions, new SpaceToDepthOptions()).blockSize()
                : n.options(BuiltinOptions.DepthToSpaceOptions, new DepthToSpaceOptions()).blockSize();
        if (block < 1) {
            throw n.error("block_size " + block + " must be positive");
        }
        // TF's depth index is (row offset · block + column offset) · C + c: OpenVINO's blocks_first.
        Op op = toDepth ? new SpaceToDepth(BlockRearrangement.Mode.BLOCKS_FIRST, block)
                : new DepthToSpace(BlockRearrangement.Mode.BLOCKS_FIRST, block);
        n.outMoved(0, n.add(op, n.inNchw(0)), true, 0);
    }

    private static void pack(TfliteOperator n) {
        PackOptions o = n.options(BuiltinOptions.PackOptions, new PackOptions());
        int rank = rank(n, 0);
        int axis = normalizeAxis(n, o.axis(), rank + 1);
        Value[] parts = new Value[n.inputCount()];
        for (int k = 0; k < parts.length; k++) {
            parts[k] = n.graph().value(new Unsqueeze(), n.name() + "/unsqueeze_" + k, n.in(k),
                    n.constant(longs(axis)));
        }
        n.outMoved(0, n.add(new Concat(axis), parts), false, 0);
    }

    private static void unpack(TfliteOperator n) {
        UnpackOptions o = n.options(BuiltinOptions.UnpackOptions, new UnpackOptions());
        int rank = rank(n, 0);
        int axis = normalizeAxis(n, o.axis(), rank);
        int count = n.shape(0)[axis];
        if (count != n.outputCount()) {
            throw n.error("unpacks " + count + " slices but has " + n.outputCount() + " outputs");
        }
        Node split = n.graph().add(new Split(count), n.name() + "/split", n.in(0),
                n.constant(Tensor.scalar((long) axis)));
        for (int k = 0; k < count; k++) {
            Value y = n.graph().value(new Squeeze(), n.importer().tensorName(n.outputs()[k]), split.output(k),
                    n.constant(longs(axis)));
            n.outMoved(k, y, false, 0);
        }
    }

    /** SHAPE: the TFLite (NHWC) shape, a constant when static. */
    private static void shape(TfliteOperator n) {
        int outType = n.options(BuiltinOptions.ShapeOptions, new ShapeOptions()).outType();
        ElementType et = outType == dev.infero.tflite.schema.TensorType.INT64 ? ElementType.I64 : ElementType.I32;
        int[] s = n.shape(0);
        boolean isStatic = Arrays.stream(s).allMatch(d -> d >= 0);
        Value y = isStatic ? n.constant(Tensor.vector(Arrays.stream(s).asLongStream().toArray()).convertTo(et))
                : n.add(new dev.infero.core.ops.movement.ShapeOf(et), n.in(0));
        n.out(0, y, false);
    }

    private static void cast(TfliteOperator n) {
        ElementType to = TfliteImporter.elementType(n.importer().tensorType(n.outputs()[0]));
        boolean nchw = n.isNchw(0);
        Value x = nchw ? n.inNchw(0) : n.in(0);
        n.out(0, n.add(new Convert(to), x), nchw);
    }

    private static void tile(TfliteOperator n) {
        n.out(0, n.add(new Tile(), n.in(0), n.constant(longs(n.ints(1, "multiples")))), false);
    }

    // ---- quantization ----

    /** QUANTIZE: a float (or differently quantized) tensor onto the output's grid: a FakeQuantize, in any layout. */
    private static void quantize(TfliteOperator n) {
        boolean nchw = n.isNchw(0);
        Value x = nchw ? n.inNchw(0) : n.in(0);
        if (n.outQuant(0) == null) {
            throw n.error("output '" + n.importer().tensorName(n.outputs()[0]) + "' has no quantization parameters");
        }
        n.outMoved(0, x, nchw, 0);
    }

    /**
     * DEQUANTIZE: a quantized activation is already its real value here; an f16 or quantized constant becomes an
     * f32 constant (FP16 models store weights as f16 constants dequantized by this op).
     */
    private static void dequantize(TfliteOperator n) {
        int t = n.tensor(0);
        if (n.importer().isConstant(t)) {
            n.out(0, n.importer().constant(n.name(), n.importer().realConstant(t)), false);
            return;
        }
        boolean nchw = n.isNchw(0);
        Value x = nchw ? n.inNchw(0) : n.in(0);
        if (x.type() != ElementType.F32) {
            x = n.add(new Convert(ElementType.F32), x);
        }
        n.out(0, x, nchw);
    }
}
