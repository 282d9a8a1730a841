package dev.infero.onnx.ops;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.DeformableConvolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.reduce.ReduceMax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Convolution, pooling, batch normalization and matrix multiplication. */
public final class ConvolutionOps {
    private ConvolutionOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("Conv", ConvolutionOps::conv);
        r.put("MaxPool", ConvolutionOps::maxPool);
        r.put("AveragePool", ConvolutionOps::averagePool);
        r.put("GlobalAveragePool", n -> List.of(n.add(new ReduceMean(true), n.requireInput(0), spatialAxes(n))));
        r.put("GlobalMaxPool", n -> List.of(n.add(new ReduceMax(true), n.requireInput(0), spatialAxes(n))));
        r.put("BatchNormalization", ConvolutionOps::batchNorm);
        r.put("MatMul", n -> List.of(n.add(new MatMul(false, false), n.requireInput(0), n.requireInput(1))));
        r.put("Gemm", ConvolutionOps::gemm);
        r.put("DeformConv", ConvolutionOps::deformConv);
    }

    /**
     * Window attributes in ONNX form: {@code pads} lists all begins then all ends; {@code auto_pad} NOTSET means
     * explicit pads. Global pooling passes {@code global} to ignore attributes it does not have.
     */
    private static WindowGeometry window(OnnxNode n, int spatial, boolean withCeil) {
        long[] ones = new long[spatial];
        Arrays.fill(ones, 1);
        long[] pads = n.attrInts("pads", new long[2 * spatial]);
        if (pads.length != 2 * spatial) {
            throw n.error("pads " + Arrays.toString(pads) + " must have " + 2 * spatial + " values");
        }
        long[] strides = n.attrInts("strides", ones);
        long[] dilations = n.attrInts("dilations", ones);
        if (strides.length != spatial || dilations.length != spatial) {
            throw n.error("strides " + Arrays.toString(strides) + " and dilations " + Arrays.toString(dilations)
                    + " must have " + spatial + " values");
        }
        return new WindowGeometry(strides, dilations, Arrays.copyOfRange(pads, 0, spatial),
                Arrays.copyOfRange(pads, spatial, 2 * spatial), AutoPad.fromOnnx(n.attrString("auto_pad", "NOTSET")),
                withCeil && n.attrInt("ceil_mode", 0) != 0);
    }

    /**
     * DeformConv-19 (2-D) as DeformableConvolution-8 with bilinear_interpolation_pad (samples up to a pixel outside
     * the image interpolate with zeros, as ONNX's reference does), the bias as an Add.
     */
    private static List<Value> deformConv(OnnxNode n) {
        Value w = n.requireInput(1);
        if (!w.shape().hasRank() || w.shape().rank() != 4) {
            throw new UnsupportedModelException("DeformConv node '" + n.name() + "' has weights " + w.shape()
                    + "; Infero supports 2-D deformable convolution (weights [C_out, C_in/group, kH, kW])");
        }
        long group = n.attrInt("group", 1);
        long offsetGroup = n.attrInt("offset_group", 1);
        if (group < 1 || offsetGroup < 1 || group > Integer.MAX_VALUE || offsetGroup > Integer.MAX_VALUE) {
            throw n.error("group " + group + " and offset_group " + offsetGroup + " must be positive");
        }
        long[] kernel = n.attrInts("kernel_shape", null);
        if (kernel != null && w.shape().isStatic() && (kernel.length != 2 || kernel[0] != w.shape().dim(2)
                || kernel[1] != w.shape().dim(3))) {
            throw n.error("kernel_shape " + Arrays.toString(kernel) + " does not match the weights " + w.shape());
        }
        List<Value> in = new java.util.ArrayList<>(List.of(n.requireInput(0), n.requireInput(2), w));
        if (n.hasInput(4)) {
            in.add(n.input(4));
        }
        Value y = n.add(new DeformableConvolution(window(n, 2, false), (int) group, (int) offsetGroup, true),
                in.toArray(Value[]::new));
        if (n.hasInput(3)) {
            y = n.add(new Add(), y, channelVector(n, n.input(3), 2));
        }
        return List.of(y);
    }

    private static List<Value> conv(OnnxNode n) {
        Value w = n.requireInput(1);
        Value y = convolution(n, n.requireInput(0), w);
        if (n.hasInput(2)) {
            y = n.add(new Add(), y, channelVector(n, n.input(2), w.shape().rank() - 2));
        }
        return List.of(y);
    }

    /**
     * The bias-free convolution of {@code x} by {@code w} with the node's window and {@code group} attributes (Conv,
     * and the integer convolutions that prepare their operands first).
     */
    static Value convolution(OnnxNode n, Value x, Value w) {
        if (!w.shape().hasRank()) {
            throw n.error("weights of unknown rank are not supported");
        }
        int spatial = w.shape().rank() - 2;
        long groups = n.attrInt("group", 1);
        WindowGeometry window = window(n, spatial, false);
        Value y;
        if (groups == 1) {
            y = n.add(new Convolution(window), x, w);
        } else {
            Value gw = groupedWeights(n, w, groups);
            y = n.add(new GroupConvolution(window), x, gw);
        }
        return y;
    }

    /**
     * ONNX grouped weights [C_out, C_in/G, k...] reshaped to OpenVINO's [G, C_out/G, C_in/G, k...] (a constant
     * reshape, folded at build time). ConvTranspose's [C_in, C_out/G, k...] splits the same way.
     */
    static Value groupedWeights(OnnxNode n, Value w, long groups) {
        if (!w.shape().isStatic()) {
            throw n.error("grouped weights need a static shape");
        }
        int[] ws = w.shape().toArray();
        if (ws[0] % groups != 0) {
            throw n.error("weights " + Arrays.toString(ws) + " do not split into " + groups + " groups");
        }
        long[] grouped = new long[ws.length + 1];
        grouped[0] = groups;
        grouped[1] = ws[0] / groups;
        for (int i = 1; i < ws.length; i++) {
            grouped[i + 1] = ws[i];
        }
        return n.add(new Reshape(false), w, n.constant(Tensor.vector(grouped)));
    }

    /** A per-channel vector [C] reshaped to [1, C, 1, ...] so it broadcasts over NC(spatial) data. */
    static Value channelVector(OnnxNode n, Value v, int spatial) {
        long[] shape = new long[spatial + 2];
        Arrays.fill(shape, 1);
        shape[1] = -1;
        return n.add(new Reshape(false), v, n.constant(Tensor.vector(shape)));
    }

    private static List<Value> maxPool(OnnxNode n) {
        long[] kernel = n.attrInts("kernel_shape", null);
        if (kernel == null) {
            throw n.error("has no kernel_shape");
        }
        boolean indices = n.hasOutput(1);
        boolean columnMajor = indices && n.attrInt("storage_order", 0) != 0;
        PartialShape xs = n.requireInput(0).shape();
        if (columnMajor && (kernel.length != 2 || !xs.hasRank() || xs.rank() != 4 || xs.dim(2) == PartialShape.DYNAMIC
                || xs.dim(3) == PartialShape.DYNAMIC)) {
            throw new UnsupportedModelException("MaxPool node '" + n.name() + "' asks for column-major "
                    + "(storage_order=1) indices, which Infero supports for 2-D pooling of known height and width only,"
                    + " got input " + xs);
        }
        WindowGeometry window = window(n, kernel.length, true);
        boolean dilated = Arrays.stream(window.dilations()).anyMatch(d -> d != 1);
        var node = n.addNode(new MaxPool(kernel, window, indices || dilated), n.requireInput(0));
        if (!indices) {
            return List.of(node.output(0));
        }
        return List.of(node.output(0), columnMajor ? columnMajor(n, node.output(1), xs.dim(2), xs.dim(3)) : node.output(1));
    }

    /**
     * MaxPool's row-major indices {@code plane·H·W + h·W + w} rewritten as ONNX's storage_order=1 form
     * {@code plane·H·W + h + w·H} (column-major within each plane, as ONNX's reference and ONNX Runtime compute it).
     */
    private static Value columnMajor(OnnxNode n, Value index, long h, long w) {
        Value planeSize = n.constant(Tensor.scalar(h * w));
        Value plane = n.add(new Divide(), index, planeSize);
        Value within = n.add(new Subtract(), index, n.add(new Multiply(), plane, planeSize));
        Value row = n.add(new Divide(), within, n.constant(Tensor.scalar(w)));
        Value col = n.add(new Subtract(), within, n.add(new Multiply(), row, n.constant(Tensor.scalar(w))));
        Value base = n.add(new Add(), n.add(new Multiply(), plane, planeSize), row);
        return n.add(new Add(), base, n.add(new Multiply(), col, n.constant(Tensor.scalar(h))));
    }

    private static List<Value> averagePool(OnnxNode n) {
        long[] kernel = n.attrInts("kernel_shape", null);
        if (kernel == null) {
            throw n.error("has no kernel_shape");
        }
        WindowGeometry window = window(n, kernel.length, true);
        boolean excludePad = n.attrInt("count_include_pad", 0) == 0;
        return List.of(n.add(new AvgPool(kernel, window, excludePad), n.requireInput(0)));
    }

    /** Global pooling reduces every spatial axis (2 .. rank-1), as OpenVINO's ONNX frontend does with ReduceMean/Max. */
    private static Value spatialAxes(OnnxNode n) {
        PartialShape s = n.requireInput(0).shape();
        if (!s.hasRank() || s.rank() < 3) {
            throw n.error("needs an input of known rank with spatial dimensions, got " + s);
        }
        return n.constant(Tensor.vector(java.util.stream.LongStream.range(2, s.rank()).toArray()));
    }

    private static List<Value> batchNorm(OnnxNode n) {
        if (n.attrInt("training_mode", 0) != 0 || (n.opset() < 9 && n.attrInt("spatial", 1) == 0)) {
            throw new UnsupportedModelException("BatchNormalization node '" + n.name()
                    + "' runs in training mode (or non-spatial), which Infero does not support");
        }
        for (int i = 1; i < n.outputCount(); i++) {
            if (n.hasOutput(i)) {
                throw new UnsupportedModelException("BatchNormalization node '" + n.name()
                        + "' asks for training statistics outputs, which Infero does not support");
            }
        }
        return List.of(n.add(new BatchNormInference(n.attrFloat("epsilon", 1e-5f)), n.requireInput(0),
                n.requireInput(1), n.requireInput(2), n.requireInput(3), n.requireInput(4)));
    }

    /** Y = alpha·A'·B' + beta·C, as MatMul with transpose flags, then scaling and the bias Add when needed. */
    private static List<Value> gemm(OnnxNode n) {
        boolean transA = n.attrInt("transA", 0) != 0;
        boolean transB = n.attrInt("transB", 0) != 0;
        float alpha = n.attrFloat("alpha", 1f);
        float beta = n.attrFloat("beta", 1f);
        Value y = n.add(new MatMul(transA, transB), n.requireInput(0), n.requireInput(1));
        if (alpha != 1f) {
            y = n.add(new Multiply(), y, n.constant(scalarLike(y, alpha)));
        }
        if (n.hasInput(2)) {
            Value c = n.input(2);
            if (beta != 1f) {
                c = n.add(new Multiply(), c, n.constant(scalarLike(c, beta)));
            }
            y = n.add(new Add(), y, c);
        }
        return List.of(y);
    }

    private static Tensor scalarLike(Value v, float value) {
        return Tensor.scalar(value).convertTo(v.type());
    }
}
