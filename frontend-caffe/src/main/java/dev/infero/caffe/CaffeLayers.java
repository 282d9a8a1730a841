package dev.infero.caffe;

import dev.infero.caffe.proto.Caffe.ConvolutionParameter;
import dev.infero.caffe.proto.Caffe.DetectionOutputParameter;
import dev.infero.caffe.proto.Caffe.EltwiseParameter;
import dev.infero.caffe.proto.Caffe.LRNParameter;
import dev.infero.caffe.proto.Caffe.LayerParameter;
import dev.infero.caffe.proto.Caffe.PoolingParameter;
import dev.infero.caffe.proto.Caffe.PriorBoxParameter;
import dev.infero.caffe.proto.Caffe.ReshapeParameter;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Elu;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.activation.SoftPlus;
import dev.infero.core.ops.detection.DetectionOutput;
import dev.infero.core.ops.detection.PriorBox;
import dev.infero.core.ops.eltwise.Abs;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Exp;
import dev.infero.core.ops.eltwise.Log;
import dev.infero.core.ops.eltwise.Maximum;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Power;
import dev.infero.core.ops.eltwise.Tanh;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.movement.VariadicSplit;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.ConvolutionBackpropData;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.GroupConvolutionBackpropData;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.normalization.LRN;
import dev.infero.core.ops.normalization.MVN;
import dev.infero.core.ops.normalization.NormalizeL2;
import dev.infero.core.ops.normalization.Softmax;
import dev.infero.core.ops.reduce.ReduceMax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.LongStream;

/** The translation of each Caffe layer type into Infero ops, with Caffe's semantics. */
final class CaffeLayers {
    private CaffeLayers() {
    }

    private static final Set<String> SUPPORTED = Set.of("Input", "Convolution", "Deconvolution", "InnerProduct",
            "Pooling", "ReLU", "PReLU", "ELU", "Sigmoid", "TanH", "AbsVal", "BNLL", "Exp", "Log", "Power", "Softmax",
            "Concat", "Eltwise", "BatchNorm", "Scale", "Bias", "LRN", "Dropout", "Flatten", "Reshape", "Split", "Slice",
            "Permute", "Normalize", "PriorBox", "DetectionOutput", "Silence");

    static boolean supports(String type) {
        return SUPPORTED.contains(type);
    }

    /** Layers whose parameters live in the .caffemodel (always, or as configured). */
    static boolean needsWeights(LayerParameter l) {
        return switch (l.getType()) {
            case "Convolution", "Deconvolution", "InnerProduct", "PReLU", "Normalize" -> true;
            case "BatchNorm" -> !l.getBatchNormParam().hasUseGlobalStats() || l.getBatchNormParam().getUseGlobalStats();
            case "Scale", "Bias" -> l.getBottomCount() == 1;
            default -> false;
        };
    }

    static List<Value> translate(CaffeLayer l) {
        LayerParameter p = l.p;
        return switch (p.getType()) {
            case "Input" -> input(l);
            case "Convolution" -> List.of(convolution(l, false));
            case "Deconvolution" -> List.of(convolution(l, true));
            case "InnerProduct" -> List.of(innerProduct(l));
            case "Pooling" -> List.of(pooling(l));
            case "ReLU" -> List.of(p.getReluParam().getNegativeSlope() == 0 ? l.add(new Relu(), null, l.input(0))
                    : l.add(new PRelu(), null, l.input(0), l.constant("slope", Tensor.scalar(p.getReluParam().getNegativeSlope()))));
            case "PReLU" -> List.of(prelu(l));
            case "ELU" -> List.of(l.add(new Elu(p.getEluParam().getAlpha()), null, l.input(0)));
            case "Sigmoid" -> List.of(l.add(new Sigmoid(), null, l.input(0)));
            case "TanH" -> List.of(l.add(new Tanh(), null, l.input(0)));
            case "AbsVal" -> List.of(l.add(new Abs(), null, l.input(0)));
            case "BNLL" -> List.of(l.add(new SoftPlus(), null, l.input(0)));
            case "Exp" -> List.of(exp(l));
            case "Log" -> List.of(log(l));
            case "Power" -> List.of(power(l, l.input(0), p.getPowerParam().getPower(), p.getPowerParam().getScale(),
                    p.getPowerParam().getShift()));
            case "Softmax" -> List.of(l.add(new Softmax(p.getSoftmaxParam().getAxis()), null, l.input(0)));
            case "Concat" -> List.of(concat(l));
            case "Eltwise" -> List.of(eltwise(l));
            case "BatchNorm" -> List.of(batchNorm(l));
            case "Scale" -> List.of(scale(l, true));
            case "Bias" -> List.of(scale(l, false));
            case "LRN" -> List.of(lrn(l));
            case "Dropout" -> List.of(l.input(0));
            case "Flatten" -> List.of(flatten(l));
            case "Reshape" -> List.of(reshape(l));
            case "Split" -> java.util.Collections.nCopies(p.getTopCount(), l.input(0));
            case "Slice" -> slice(l);
            case "Permute" -> List.of(permute(l));
            case "Normalize" -> List.of(normalize(l));
            case "PriorBox" -> List.of(priorBox(l));
            case "DetectionOutput" -> List.of(detectionOutput(l));
            case "Silence" -> List.of();
            default -> throw new UnsupportedModelException("Caffe layer '" + p.getName() + "' has type " + p.getType()
                    + ", which Infero does not support");
        };
    }

    private static List<Value> input(CaffeLayer l) {
        LayerParameter p = l.p;
        int shapes = p.getInputParam().getShapeCount();
        if (shapes != 1 && shapes != p.getTopCount()) {
            throw l.error("has " + p.getTopCount() + " top(s) but " + shapes + " shape(s) (give one, or one per top)");
        }
        List<Value> out = new ArrayList<>();
        for (int i = 0; i < p.getTopCount(); i++) {
            long[] dims = p.getInputParam().getShape(shapes == 1 ? 0 : i).getDimList().stream().mapToLong(Long::longValue).toArray();
            out.add(CaffeImporter.addInput(l.graph, p.getTop(i), dims, "layer '" + p.getName() + "'"));
        }
        return out;
    }

    /** Spatial values of a repeated field (one value for all, or one each), or {@code h}/{@code w} when set. */
    private static long[] spatial(CaffeLayer l, String what, List<Integer> values, boolean hasHw, int h, int w,
            int n, long fallback) {
        long[] out = new long[n];
        if (hasHw) {
            if (n != 2) {
                throw l.error(what + "_h/" + what + "_w are for 2-D data only");
            }
            if (!values.isEmpty()) {
                throw l.error("gives both " + what + " and " + what + "_h/" + what + "_w");
            }
            out[0] = h;
            out[1] = w;
            return out;
        }
        if (values.isEmpty()) {
            Arrays.fill(out, fallback);
            if (fallback < 0) {
                throw l.error("has no " + what);
            }
        } else if (values.size() == 1) {
            Arrays.fill(out, values.get(0));
        } else if (values.size() == n) {
            for (int i = 0; i < n; i++) {
                out[i] = values.get(i);
            }
        } else {
            throw l.error(what + " has " + values.size() + " values for " + n + " spatial dimensions");
        }
        return out;
    }

    private static Value convolution(CaffeLayer l, boolean transposed) {
        ConvolutionParameter c = l.p.getConvolutionParam();
        if (c.getAxis() != 1) {
            throw l.error("axis " + c.getAxis() + " is not supported (channels must be axis 1)");
        }
        int rank = l.rank(0);
        int n = rank - 2;
        if (n < 1) {
            throw l.error("needs data with spatial dimensions, got " + l.input(0).shape());
        }
        long[] kernel = spatial(l, "kernel", c.getKernelSizeList(), c.hasKernelH() || c.hasKernelW(), c.getKernelH(),
                c.getKernelW(), n, -1);
        long[] pads = spatial(l, "pad", c.getPadList(), c.hasPadH() || c.hasPadW(), c.getPadH(), c.getPadW(), n, 0);
        long[] strides = spatial(l, "stride", c.getStrideList(), c.hasStrideH() || c.hasStrideW(), c.getStrideH(),
                c.getStrideW(), n, 1);
        long[] dilations = spatial(l, "dilation", c.getDilationList(), false, 0, 0, n, 1);
        int group = c.getGroup();
        int channels = l.dim(0, 1);
        int outputs = c.getNumOutput();
        if (group < 1 || channels % group != 0 || outputs % group != 0) {
            throw l.error("group " + group + " does not divide the " + channels + " input and " + outputs + " output channels");
        }
        int[] wshape = new int[rank];
        wshape[0] = transposed ? channels : outputs;
        wshape[1] = transposed ? outputs / group : channels / group;
        for (int i = 0; i < n; i++) {
            wshape[2 + i] = (int) kernel[i];
        }
        Tensor w = l.blob(0, wshape);
        WindowGeometry window = new WindowGeometry(strides, dilations, pads, pads, AutoPad.EXPLICIT, false);
        Value y;
        if (group == 1) {
            y = transposed ? l.add(new ConvolutionBackpropData(window, new long[n]), null, l.input(0), l.constant("weights", w))
                    : l.add(new Convolution(window), null, l.input(0), l.constant("weights", w));
        } else {
            int[] grouped = new int[rank + 1];
            grouped[0] = group;
            grouped[1] = wshape[0] / group;
            System.arraycopy(wshape, 1, grouped, 2, rank - 1);
            Value gw = l.constant("weights", w.reshape(grouped));
            y = transposed ? l.add(new GroupConvolutionBackpropData(window, new long[n]), null, l.input(0), gw)
                    : l.add(new GroupConvolution(window), null, l.input(0), gw);
        }
        if (c.getBiasTerm()) {
            int[] bshape = new int[rank];
            Arrays.fill(bshape, 1);
            bshape[1] = outputs;
            y = l.add(new Add(), "bias", y, l.constant("bias", l.blob(1, bshape)));
        }
        return y;
    }

    private static Value innerProduct(CaffeLayer l) {
        var ip = l.p.getInnerProductParam();
        int rank = l.rank(0);
        int axis = ip.getAxis() < 0 ? ip.getAxis() + rank : ip.getAxis();
        if (axis < 0 || axis >= rank) {
            throw l.error("axis " + ip.getAxis() + " is outside the " + rank + "-D input");
        }
        long k = 1;
        for (int i = axis; i < rank; i++) {
            k *= l.dim(0, i);
        }
        int outputs = ip.getNumOutput();
        if (k > Integer.MAX_VALUE) {
            throw l.error("input is too large");
        }
        Value x = l.input(0);
        if (axis != rank - 1) {
            long[] target = new long[axis + 1];
            target[axis] = k;
            x = l.add(new Reshape(true), "flatten", x, l.constant("flatten_shape", Tensor.vector(target)));
        }
        Tensor w = ip.getTranspose() ? l.blob(0, (int) k, outputs) : l.blob(0, outputs, (int) k);
        Value y = l.add(new MatMul(false, !ip.getTranspose()), null, x, l.constant("weights", w));
        if (ip.getBiasTerm()) {
            y = l.add(new Add(), "bias", y, l.constant("bias", l.blob(1, outputs)));
        }
        return y;
    }

    private static Value pooling(CaffeLayer l) {
        PoolingParameter pp = l.p.getPoolingParam();
        int rank = l.rank(0);
        int n = rank - 2;
        if (n != 2) {
            throw l.error("pools 4-D data only, got " + l.input(0).shape());
        }
        if (pp.getPool() == PoolingParameter.PoolMethod.STOCHASTIC) {
            throw new UnsupportedModelException("Caffe layer '" + l.name() + "' uses STOCHASTIC pooling, which Infero does not support");
        }
        boolean max = pp.getPool() == PoolingParameter.PoolMethod.MAX;
        if (pp.getGlobalPooling()) {
            Value axes = l.constant("axes", Tensor.vector(2, 3));
            return max ? l.add(new ReduceMax(true), null, l.input(0), axes) : l.add(new ReduceMean(true), null, l.input(0), axes);
        }
        long[] kernel = spatial(l, "kernel", pp.getKernelSizeList(), pp.hasKernelH() || pp.hasKernelW(), pp.getKernelH(),
                pp.getKernelW(), n, -1);
        long[] pads = spatial(l, "pad", pp.getPadList(), pp.hasPadH() || pp.hasPadW(), pp.getPadH(), pp.getPadW(), n, 0);
        long[] strides = spatial(l, "stride", pp.getStrideList(), pp.hasStrideH() || pp.hasStrideW(), pp.getStrideH(),
                pp.getStrideW(), n, 1);
        for (int i = 0; i < n; i++) {
            if (pads[i] > 0 && pads[i] >= kernel[i]) {
                throw l.error("pad " + pads[i] + " must be smaller than the kernel " + kernel[i]);
            }
        }
        // Caffe rounds the output size up, and drops a last window that would start in the end padding.
        WindowGeometry window = new WindowGeometry(strides, new long[] {1, 1}, pads, pads, AutoPad.EXPLICIT, true);
        // AVE divides by the window clipped to the padded input (padding counts, positions beyond it do not).
        return max ? l.add(new MaxPool(kernel, window, false), null, l.input(0))
                : l.add(new AvgPool(kernel, window, false), null, l.input(0));
    }

    /** A per-channel vector [C] shaped [C, 1, ...] to broadcast over [N, C, spatial...] data of {@code rank}. */
    private static Tensor channelwise(Tensor v, int rank) {
        int[] shape = new int[Math.max(rank - 1, 1)];
        Arrays.fill(shape, 1);
        shape[0] = v.size();
        return v.reshape(shape);
    }

    private static Value prelu(CaffeLayer l) {
        int rank = l.rank(0);
        Tensor slope;
        if (l.p.getPreluParam().getChannelShared()) {
            slope = l.blob(0, 1).reshape();
        } else {
            slope = channelwise(l.blob(0, l.dim(0, 1)), rank);
        }
        return l.add(new PRelu(), null, l.input(0), l.constant("slope", slope));
    }

    /** y = (shift + scale·x)^power, with only the steps that change anything. */
    private static Value power(CaffeLayer l, Value x, float power, float scale, float shift) {
        Value y = x;
        if (scale != 1) {
            y = l.add(new Multiply(), power == 1 && shift == 0 ? null : "scale", y, l.constant("scale", Tensor.scalar(scale)));
        }
        if (shift != 0) {
            y = l.add(new Add(), power == 1 ? null : "shift", y, l.constant("shift", Tensor.scalar(shift)));
        }
        if (power != 1) {
            y = l.add(new Power(), null, y, l.constant("power", Tensor.scalar(power)));
        }
        return y;
    }

    /** y = base^(shift + scale·x); base -1 means e. */
    private static Value exp(CaffeLayer l) {
        var e = l.p.getExpParam();
        float lnBase = e.getBase() == -1 ? 1f : (float) Math.log(e.getBase());
        if (e.getBase() != -1 && e.getBase() <= 0) {
            throw l.error("base " + e.getBase() + " must be positive (or -1 for e)");
        }
        Value t = power(l, l.input(0), 1, e.getScale() * lnBase, e.getShift() * lnBase);
        return l.add(new Exp(), null, t);
    }

    /** y = log_base(shift + scale·x); base -1 means e. */
    private static Value log(CaffeLayer l) {
        var e = l.p.getLogParam();
        if (e.getBase() != -1 && e.getBase() <= 0) {
            throw l.error("base " + e.getBase() + " must be positive (or -1 for e)");
        }
        Value t = power(l, l.input(0), 1, e.getScale(), e.getShift());
        Value y = l.add(new Log(), e.getBase() == -1 ? null : "ln", t);
        if (e.getBase() != -1) {
            y = l.add(new Multiply(), null, y, l.constant("inv_ln_base", Tensor.scalar((float) (1 / Math.log(e.getBase())))));
        }
        return y;
    }

    private static Value concat(CaffeLayer l) {
        var c = l.p.getConcatParam();
        long axis = c.hasAxis() || !c.hasConcatDim() ? c.getAxis() : c.getConcatDim();
        if (l.inputCount() == 1) {
            return l.input(0);
        }
        return l.graph.add(new Concat(axis), l.name(), l.inputs()).output(0);
    }

    private static Value eltwise(CaffeLayer l) {
        EltwiseParameter e = l.p.getEltwiseParam();
        int n = l.inputCount();
        if (n < 2) {
            throw l.error("needs at least 2 bottoms, has " + n);
        }
        if (e.getCoeffCount() != 0 && (e.getOperation() != EltwiseParameter.EltwiseOp.SUM || e.getCoeffCount() != n)) {
            throw l.error("coeff needs one value per bottom (" + n + ") and operation SUM, has " + e.getCoeffCount());
        }
        Value y = null;
        for (int i = 0; i < n; i++) {
            Value x = l.input(i);
            String suffix = i == n - 1 ? null : "step" + i;
            if (e.getCoeffCount() != 0 && e.getCoeff(i) != 1) {
                x = l.add(new Multiply(), "coeff" + i, x, l.constant("coeff" + i, Tensor.scalar(e.getCoeff(i))));
            }
            if (y == null) {
                y = x;
                continue;
            }
            y = switch (e.getOperation()) {
                case SUM -> l.add(new Add(), suffix, y, x);
                case PROD -> l.add(new Multiply(), suffix, y, x);
                case MAX -> l.add(new Maximum(), suffix, y, x);
            };
        }
        return y;
    }

    /**
     * BatchNorm: the blobs are the running mean, variance and their scale factor (blob 2: the statistics are stored
     * multiplied by it); y = (x - mean) / sqrt(var + eps). With {@code use_global_stats: false} Caffe normalises with
     * the batch's own statistics (MVN over all axes but channels).
     */
    private static Value batchNorm(CaffeLayer l) {
        var bn = l.p.getBatchNormParam();
        int rank = l.rank(0);
        if (bn.hasUseGlobalStats() && !bn.getUseGlobalStats()) {
            long[] axes = LongStream.range(0, rank).filter(a -> a != 1).toArray();
            return l.add(new MVN(true, bn.getEps(), MVN.EpsMode.INSIDE_SQRT), null, l.input(0),
                    l.constant("axes", Tensor.vector(axes)));
        }
        int c = l.dim(0, 1);
        float[] mean = l.blob(0, c).toFloatArray();
        float[] var = l.blob(1, c).toFloatArray();
        float factor = l.blobCount() > 2 ? l.blob(2, 1).toFloatArray()[0] : 1f;
        float s = factor == 0 ? 0 : 1 / factor;
        for (int i = 0; i < c; i++) {
            mean[i] *= s;
            var[i] *= s;
        }
        float[] ones = new float[c];
        Arrays.fill(ones, 1);
        return l.add(new BatchNormInference(bn.getEps()), null, l.input(0), l.constant("gamma", Tensor.of(ones, c)),
                l.constant("beta", Tensor.of(new float[c], c)), l.constant("mean", Tensor.of(mean, c)),
                l.constant("variance", Tensor.of(var, c)));
    }

    /**
     * Scale (multiply, plus the optional bias) and Bias (add) by a tensor covering input axes
     * {@code [axis, axis + num_axes)}: a second bottom or blob 0. The factor is reshaped to broadcast over the
     * remaining axes.
     */
    private static Value scale(CaffeLayer l, boolean multiply) {
        int rank = l.rank(0);
        long rawAxis = multiply ? l.p.getScaleParam().getAxis() : l.p.getBiasParam().getAxis();
        long numAxes = multiply ? l.p.getScaleParam().getNumAxes() : l.p.getBiasParam().getNumAxes();
        int axis = (int) (rawAxis < 0 ? rawAxis + rank : rawAxis);
        if (axis < 0 || axis > rank) {
            throw l.error("axis " + rawAxis + " is outside the " + rank + "-D input");
        }
        Value factor;
        int blobIndex = 0;
        int covered;
        if (l.inputCount() >= 2) {
            Value f = l.input(1);
            covered = f.shape().hasRank() ? f.shape().rank() : -1;
            if (covered < 0) {
                throw l.error("needs a second bottom of known rank");
            }
            factor = f;
            if (axis + covered < rank) {
                long[] target = new long[covered + rank - axis - covered];
                Arrays.fill(target, 1);
                for (int i = 0; i < covered; i++) {
                    target[i] = 0;
                }
                factor = l.add(new Reshape(true), "broadcast", f, l.constant("broadcast_shape", Tensor.vector(target)));
            }
        } else {
            covered = numAxes < 0 ? rank - axis : (int) numAxes;
            if (axis + covered > rank) {
                throw l.error("axis " + axis + " and num_axes " + numAxes + " exceed the " + rank + "-D input");
            }
            int[] shape = new int[rank - axis];
            Arrays.fill(shape, 1);
            for (int i = 0; i < covered; i++) {
                shape[i] = l.dim(0, axis + i);
            }
            factor = l.constant(multiply ? "scale" : "bias", l.blob(0, shape));
            blobIndex = 1;
        }
        Value y = l.add(multiply ? new Multiply() : new Add(), multiply && l.p.getScaleParam().getBiasTerm() ? "scale" : null,
                l.input(0), factor);
        if (multiply && l.p.getScaleParam().getBiasTerm()) {
            int[] shape = new int[rank - axis];
            Arrays.fill(shape, 1);
            for (int i = 0; i < covered; i++) {
                shape[i] = l.dim(0, axis + i);
            }
            y = l.add(new Add(), null, y, l.constant("bias", l.blob(blobIndex, shape)));
        }
        return y;
    }

    /**
     * LRN: ACROSS_CHANNELS is x / (k + alpha/n · Σ x²)^beta over n neighbouring channels; WITHIN_CHANNEL is
     * x / (1 + alpha/n² · Σ x²)^beta over an n×n spatial box (padding counts in the n², as Caffe's average pooling).
     */
    private static Value lrn(CaffeLayer l) {
        LRNParameter p = l.p.getLrnParam();
        if (p.getLocalSize() % 2 == 0) {
            throw l.error("local_size " + p.getLocalSize() + " must be odd");
        }
        if (p.getNormRegion() == LRNParameter.NormRegion.ACROSS_CHANNELS) {
            return l.add(new LRN(p.getAlpha(), p.getBeta(), p.getK(), p.getLocalSize()), null, l.input(0),
                    l.constant("axes", Tensor.vector(1)));
        }
        return l.add(new LRN(p.getAlpha(), p.getBeta(), 1, p.getLocalSize()), null, l.input(0),
                l.constant("axes", Tensor.vector(2, 3)));
    }

    private static Value flatten(CaffeLayer l) {
        var f = l.p.getFlattenParam();
        int rank = l.rank(0);
        int axis = f.getAxis() < 0 ? f.getAxis() + rank : f.getAxis();
        int end = f.getEndAxis() < 0 ? f.getEndAxis() + rank : f.getEndAxis();
        if (axis < 0 || end >= rank || axis > end) {
            throw l.error("axis " + f.getAxis() + " to end_axis " + f.getEndAxis() + " is not a range of the " + rank + "-D input");
        }
        long[] target = new long[rank - (end - axis)];
        for (int i = 0; i < axis; i++) {
            target[i] = 0;
        }
        target[axis] = -1;
        for (int i = end + 1; i < rank; i++) {
            target[axis + 1 + i - end - 1] = l.dim(0, i);
        }
        return l.add(new Reshape(true), null, l.input(0), l.constant("shape", Tensor.vector(target)));
    }

    /**
     * Caffe's Reshape replaces input axes [axis, axis + num_axes) with the given dims: 0 copies the input dimension
     * at the same place, -1 is inferred.
     */
    private static Value reshape(CaffeLayer l) {
        ReshapeParameter r = l.p.getReshapeParam();
        int rank = l.rank(0);
        int start = r.getAxis() < 0 ? rank + r.getAxis() + 1 : r.getAxis();
        int end = r.getNumAxes() == -1 ? rank : start + r.getNumAxes();
        if (start < 0 || start > rank || end > rank || end < start) {
            throw l.error("axis " + r.getAxis() + " and num_axes " + r.getNumAxes() + " do not fit the " + rank + "-D input");
        }
        List<Long> dims = r.getShape().getDimList();
        long[] target = new long[start + dims.size() + rank - end];
        for (int i = 0; i < start; i++) {
            target[i] = 0;
        }
        for (int i = 0; i < dims.size(); i++) {
            long d = dims.get(i);
            if (d == 0 && start + i >= rank) {
                throw l.error("dim 0 at position " + i + " copies an input dimension that does not exist");
            }
            if (d < -1) {
                throw l.error("dim " + d + " is invalid");
            }
            target[start + i] = d;
        }
        for (int i = end; i < rank; i++) {
            int out = start + dims.size() + i - end;
            target[out] = out == i ? 0 : l.dim(0, i);
        }
        return l.add(new Reshape(true), null, l.input(0), l.constant("shape", Tensor.vector(target)));
    }

    private static List<Value> slice(CaffeLayer l) {
        var s = l.p.getSliceParam();
        int rank = l.rank(0);
        long rawAxis = s.hasAxis() || !s.hasSliceDim() ? s.getAxis() : s.getSliceDim();
        int axis = (int) (rawAxis < 0 ? rawAxis + rank : rawAxis);
        int size = l.dim(0, axis);
        int parts = l.p.getTopCount();
        long[] lengths = new long[parts];
        if (s.getSlicePointCount() > 0) {
            if (s.getSlicePointCount() != parts - 1) {
                throw l.error("has " + s.getSlicePointCount() + " slice points for " + parts + " tops");
            }
            long prev = 0;
            for (int i = 0; i < parts; i++) {
                long next = i < parts - 1 ? s.getSlicePoint(i) : size;
                if (next <= prev || next > size) {
                    throw l.error("slice points " + s.getSlicePointList() + " are not increasing within " + size);
                }
                lengths[i] = next - prev;
                prev = next;
            }
        } else {
            if (size % parts != 0) {
                throw l.error("cannot split " + size + " evenly into " + parts + " tops");
            }
            Arrays.fill(lengths, size / parts);
        }
        var node = l.graph.add(new VariadicSplit(), l.name(), l.input(0), l.constant("axis", Tensor.scalar((long) axis)),
                l.constant("lengths", Tensor.vector(lengths)));
        return node.outputs();
    }

    /** SSD's Permute: the listed axes first, the others after them in order. */
    private static Value permute(CaffeLayer l) {
        int rank = l.rank(0);
        List<Integer> order = l.p.getPermuteParam().getOrderList();
        long[] perm = new long[rank];
        boolean[] used = new boolean[rank];
        int k = 0;
        for (int a : order) {
            if (a < 0 || a >= rank || used[a]) {
                throw l.error("order " + order + " is not a permutation of the " + rank + " axes");
            }
            used[a] = true;
            perm[k++] = a;
        }
        for (int a = 0; a < rank; a++) {
            if (!used[a]) {
                perm[k++] = a;
            }
        }
        return l.add(new Transpose(), null, l.input(0), l.constant("order", Tensor.vector(perm)));
    }

    /** SSD's Normalize: x / sqrt(Σx² + eps) over C×H×W (across_spatial) or over C, then a learned per-channel scale. */
    private static Value normalize(CaffeLayer l) {
        var p = l.p.getNormParam();
        int rank = l.rank(0);
        long[] axes = p.getAcrossSpatial() ? LongStream.range(1, rank).toArray() : new long[] {1};
        Value y = l.add(new NormalizeL2(p.getEps(), true), "l2", l.input(0), l.constant("axes", Tensor.vector(axes)));
        Tensor s = p.getChannelShared() ? l.blob(0, 1).reshape() : channelwise(l.blob(0, l.dim(0, 1)), rank);
        return l.add(new Multiply(), null, y, l.constant("scale", s));
    }

    /** SSD's PriorBox over the feature map (bottom 0) for the image (bottom 1): a constant [1, 2, 4·H·W·priors]. */
    private static Value priorBox(CaffeLayer l) {
        PriorBoxParameter p = l.p.getPriorBoxParam();
        int h = l.dim(0, 2);
        int w = l.dim(0, 3);
        long ih;
        long iw;
        if (p.hasImgH() || p.hasImgW()) {
            ih = p.getImgH();
            iw = p.getImgW();
        } else if (p.hasImgSize()) {
            ih = p.getImgSize();
            iw = p.getImgSize();
        } else {
            ih = l.dim(1, 2);
            iw = l.dim(1, 3);
        }
        float step = p.getStep();
        if (p.hasStepH() || p.hasStepW()) {
            if (p.getStepH() != p.getStepW()) {
                throw new UnsupportedModelException("Caffe PriorBox layer '" + l.name() + "' has step_h " + p.getStepH()
                        + " != step_w " + p.getStepW() + ", which Infero does not support");
            }
            step = p.getStepH();
        }
        if (p.getMinSizeCount() == 0) {
            throw l.error("has no min_size");
        }
        if (p.getMaxSizeCount() != 0 && p.getMaxSizeCount() != p.getMinSizeCount()) {
            throw l.error("has " + p.getMaxSizeCount() + " max_size values for " + p.getMinSizeCount() + " min_size values");
        }
        float[] none = new float[0];
        var attrs = new PriorBox.Attributes(floats(p.getMinSizeList()), floats(p.getMaxSizeList()),
                floats(p.getAspectRatioList()), none, none, none, p.getClip(), p.getFlip(), step, p.getOffset(),
                floats(p.getVarianceList()), true);
        Value boxes = l.add(PriorBox.v1(attrs), "boxes", l.constant("output_size", Tensor.vector(h, w)),
                l.constant("image_size", Tensor.vector(ih, iw)));
        return l.add(new Reshape(false), null, boxes, l.constant("shape", Tensor.vector(1, 2, -1)));
    }

    private static float[] floats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** SSD's DetectionOutput: box predictions, class confidences and priors → [1, 1, keep_top_k, 7]. */
    private static Value detectionOutput(CaffeLayer l) {
        DetectionOutputParameter p = l.p.getDetectionOutputParam();
        if (l.inputCount() != 3) {
            throw l.error("needs 3 bottoms (locations, confidences, priors), has " + l.inputCount());
        }
        if (!p.hasNumClasses()) {
            throw l.error("has no num_classes");
        }
        DetectionOutput.CodeType code = switch (p.getCodeType()) {
            case CORNER -> DetectionOutput.CodeType.CORNER;
            case CENTER_SIZE -> DetectionOutput.CodeType.CENTER_SIZE;
            default -> throw new UnsupportedModelException("Caffe DetectionOutput layer '" + l.name() + "' uses code_type "
                    + p.getCodeType() + ", which Infero does not support");
        };
        var nms = p.getNmsParam();
        if (nms.getEta() != 1) {
            throw new UnsupportedModelException("Caffe DetectionOutput layer '" + l.name() + "' uses adaptive NMS (eta "
                    + nms.getEta() + "), which Infero does not support");
        }
        var attrs = new DetectionOutput.Attributes(p.getBackgroundLabelId(), nms.hasTopK() ? nms.getTopK() : -1,
                p.getVarianceEncodedInTarget(), new long[] {p.getKeepTopK()}, code, p.getShareLocation(),
                nms.getNmsThreshold(), p.getConfidenceThreshold(), false, false, false, true, 1, 1, 0);
        return l.add(DetectionOutput.v1(p.getNumClasses(), attrs), null, l.input(0), l.input(1), l.input(2));
    }
}
