package dev.infero.onnx.ops;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.detection.ROIAlign;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Cos;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.FloorMod;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.image.ImageDecoder;
import dev.infero.core.ops.misc.AffineGrid;
import dev.infero.core.ops.misc.CenterCropPad;
import dev.infero.core.ops.misc.Col2Im;
import dev.infero.core.ops.misc.CumProd;
import dev.infero.core.ops.misc.Determinant;
import dev.infero.core.ops.misc.Einsum;
import dev.infero.core.ops.misc.Eye;
import dev.infero.core.ops.misc.FourierTransform;
import dev.infero.core.ops.misc.GridSample;
import dev.infero.core.ops.misc.LinearAttention;
import dev.infero.core.ops.misc.MaxUnpool;
import dev.infero.core.ops.misc.MelWeightMatrix;
import dev.infero.core.ops.misc.ReverseSequence;
import dev.infero.core.ops.misc.RotaryEmbedding;
import dev.infero.core.ops.misc.Stft;
import dev.infero.core.ops.misc.TensorScatter;
import dev.infero.core.ops.misc.Unique;
import dev.infero.core.ops.ml.TfIdfVectorizer;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.ops.movement.Range;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.ShapeOf;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.selection.NonZero;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import dev.infero.onnx.TensorProtos;
import java.util.List;
import java.util.Map;

/** Grid sampling, Fourier transforms and windows, sequence and linear-algebra ops. */
public final class MiscOps {
    private MiscOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("GridSample", MiscOps::gridSample);
        r.put("RoiAlign", MiscOps::roiAlign);
        r.put("DFT", MiscOps::dft);
        r.put("HannWindow", n -> window(n, 0.5, 0.5, 0));
        r.put("HammingWindow", n -> window(n, 25.0 / 46, 21.0 / 46, 0));
        r.put("BlackmanWindow", n -> window(n, 0.42, 0.5, 0.08));
        r.put("CumProd", n -> List.of(n.add(new CumProd(n.attrInt("exclusive", 0) != 0, n.attrInt("reverse", 0) != 0),
                n.requireInput(0), scalar(n, n.requireInput(1)))));
        r.put("ReverseSequence", n -> List.of(n.add(new ReverseSequence(n.attrInt("batch_axis", 1),
                n.attrInt("time_axis", 0)), n.requireInput(0), n.requireInput(1))));
        r.put("Det", n -> List.of(n.add(new Determinant(), n.requireInput(0))));
        r.put("EyeLike", MiscOps::eyeLike);
        r.put("RotaryEmbedding", n -> List.of(n.add(new RotaryEmbedding(n.attrInt("interleaved", 0) != 0,
                (int) n.attrInt("num_heads", 0), (int) n.attrInt("rotary_embedding_dim", 0)), n.requireInput(0),
                n.requireInput(1), n.requireInput(2), n.input(3))));
        r.put("LinearAttention", MiscOps::linearAttention);
        r.put("STFT", MiscOps::stft);
        r.put("MelWeightMatrix", n -> List.of(n.add(new MelWeightMatrix(TensorProtos.elementType(
                (int) n.attrInt("output_datatype", 1), "MelWeightMatrix output_datatype")), n.requireInput(0),
                n.requireInput(1), n.requireInput(2), n.requireInput(3), n.requireInput(4))));
        r.put("Einsum", n -> {
            Value[] in = new Value[n.inputCount()];
            for (int i = 0; i < in.length; i++) {
                in[i] = n.requireInput(i);
            }
            return List.of(n.add(new Einsum(n.attrString("equation", "")), in));
        });
        r.put("CenterCropPad", n -> List.of(n.add(new CenterCropPad(n.attrInts("axes", new long[0])),
                n.requireInput(0), n.requireInput(1))));
        r.put("Compress", MiscOps::compress);
        r.put("Col2Im", MiscOps::col2Im);
        r.put("AffineGrid", n -> List.of(n.add(new AffineGrid(n.attrInt("align_corners", 0) != 0), n.requireInput(0),
                n.requireInput(1))));
        r.put("TensorScatter", MiscOps::tensorScatter);
        r.put("MaxUnpool", MiscOps::maxUnpool);
        r.put("TfIdfVectorizer", n -> {
            if (!n.has("pool_int64s")) {
                throw new UnsupportedModelException(n.error("counts n-grams of strings (pool_strings), and Infero "
                        + "has no string tensors").getMessage());
            }
            String mode = n.attrString("mode", "");
            TfIdfVectorizer.Mode weighting;
            try {
                weighting = TfIdfVectorizer.Mode.valueOf(mode);
            } catch (IllegalArgumentException e) {
                throw n.error("mode is '" + mode + "', not TF, IDF or TFIDF");
            }
            return List.of(n.add(new TfIdfVectorizer((int) n.attrInt("min_gram_length", 1),
                    (int) n.attrInt("max_gram_length", 1), (int) n.attrInt("max_skip_count", 0), weighting,
                    n.attrInts("pool_int64s", new long[0]), n.attrInts("ngram_counts", new long[0]),
                    n.attrInts("ngram_indexes", new long[0]), n.attrFloats("weights", new float[0])),
                    n.requireInput(0)));
        });
        r.put("ImageDecoder", n -> {
            ImageDecoder.PixelFormat pixels = n.attrChoice("pixel_format", "RGB", Map.of(
                    "RGB", ImageDecoder.PixelFormat.RGB, "BGR", ImageDecoder.PixelFormat.BGR,
                    "Grayscale", ImageDecoder.PixelFormat.GRAYSCALE));
            return List.of(n.add(new ImageDecoder(pixels), n.requireInput(0)));
        });
        r.put("Unique", n -> n.addNode(new Unique(n.attrInt("sorted", 1) != 0, ElementType.I64, ElementType.I64),
                n.requireInput(0), n.has("axis") ? n.constant(Tensor.scalar(n.attrInt("axis", 0))) : null).outputs());
    }

    /**
     * RoiAlign-10/16 as ROIAlign-9: {@code output_half_pixel} (the only behaviour before opset 16) is OpenVINO's
     * asymmetric mode, {@code half_pixel} (the default since) its half_pixel.
     */
    private static List<Value> roiAlign(OnnxNode n) {
        ROIAlign.AlignedMode aligned = n.attrChoice("coordinate_transformation_mode",
                n.opset() < 16 ? "output_half_pixel" : "half_pixel",
                Map.of("output_half_pixel", ROIAlign.AlignedMode.ASYMMETRIC, "half_pixel", ROIAlign.AlignedMode.HALF_PIXEL));
        String mode = n.attrString("mode", "avg");
        if (!List.of("avg", "max").contains(mode)) {
            throw n.error("unknown mode '" + mode + "'");
        }
        long h = n.attrInt("output_height", 1);
        long w = n.attrInt("output_width", 1);
        long ratio = n.attrInt("sampling_ratio", 0);
        float scale = n.attrFloat("spatial_scale", 1f);
        if (h < 1 || w < 1 || ratio < 0 || !(scale > 0) || h > Integer.MAX_VALUE || w > Integer.MAX_VALUE
                || ratio > Integer.MAX_VALUE) {
            throw n.error("output_height " + h + ", output_width " + w + ", sampling_ratio " + ratio
                    + " and spatial_scale " + scale + " must be positive (sampling_ratio may be 0)");
        }
        return List.of(n.add(new ROIAlign((int) h, (int) w, (int) ratio, scale, mode, aligned), n.requireInput(0),
                n.requireInput(1), n.requireInput(2)));
    }

    /** GridSample-16 names modes bilinear/bicubic, GridSample-20 linear/cubic (and allows N-D images). */
    private static List<Value> gridSample(OnnxNode n) {
        String mode = n.attrChoice("mode", n.opset() < 20 ? "bilinear" : "linear", Map.of("linear", "bilinear",
                "bilinear", "bilinear", "cubic", "bicubic", "bicubic", "bicubic", "nearest", "nearest"));
        String padding = n.attrString("padding_mode", "zeros");
        if (!List.of("zeros", "border", "reflection").contains(padding)) {
            throw n.error("unknown padding_mode '" + padding + "'");
        }
        return List.of(n.add(new GridSample(n.attrInt("align_corners", 0) != 0, mode, padding), n.requireInput(0),
                n.requireInput(1)));
    }

    /**
     * DFT-17/20 on {@code [..., 1]} (real) or {@code [..., 2]} (complex) data: forward one-sided is RDFT of the real
     * signal, inverse one-sided is IRDFT (its real output gets the trailing 1 back), otherwise DFT/IDFT of the data
     * made complex. The axis (attribute until opset 19, default 1; input 2 since opset 20, default -2) counts the
     * trailing dimension, so negative values are made positive before they reach the OpenVINO ops.
     */
    private static List<Value> dft(OnnxNode n) {
        Value x = n.requireInput(0);
        if (!x.shape().hasRank() || x.shape().isDynamic(x.shape().rank() - 1)) {
            throw new UnsupportedModelException("DFT node '" + n.name()
                    + "' needs data of known rank with a static last dimension (1 real, 2 complex)");
        }
        int rank = x.shape().rank();
        boolean complex = x.shape().dim(rank - 1) == 2;
        boolean inverse = n.attrInt("inverse", 0) != 0;
        boolean onesided = n.attrInt("onesided", 0) != 0;
        Value axes;
        if (n.opset() < 20 || !n.hasInput(2)) {
            long axis = n.opset() < 20 ? n.attrInt("axis", 1) : -2;
            axes = n.constant(Tensor.vector(axis < 0 ? axis + rank : axis));
        } else {
            Value axis = n.add(new Reshape(false), n.input(2), n.constant(Tensor.vector(1)));
            axes = n.add(new FloorMod(), axis, n.constant(Tensor.of(new long[] {rank}, 1).convertTo(axis.type())));
        }
        Value size = n.hasInput(1) ? n.add(new Reshape(false), n.input(1), n.constant(Tensor.vector(1))) : null;
        Value last = n.constant(Tensor.vector(-1));
        if (onesided && !inverse) {
            if (complex) {
                throw n.error("a one-sided DFT needs real input ([..., 1]), got " + x.shape());
            }
            Value real = n.add(new Squeeze(), x, last);
            return List.of(n.add(new FourierTransform(FourierTransform.Kind.RDFT), real, axes, size));
        }
        Value signal = complex ? x : n.add(new Pad(Pad.Mode.CONSTANT), x, n.constant(Tensor.vector(new long[rank])),
                n.constant(Tensor.vector(lastOnly(rank))));
        if (onesided) {
            Value real = n.add(new FourierTransform(FourierTransform.Kind.IRDFT), signal, axes, size);
            return List.of(n.add(new Unsqueeze(), real, last));
        }
        FourierTransform.Kind kind = inverse ? FourierTransform.Kind.IDFT : FourierTransform.Kind.DFT;
        return List.of(n.add(new FourierTransform(kind), signal, axes, size));
    }

    /** {@code [0, ..., 0, 1]} of length {@code rank}: pads the last dimension from 1 (real) to 2 (complex). */
    private static long[] lastOnly(int rank) {
        long[] pads = new long[rank];
        pads[rank - 1] = 1;
        return pads;
    }

    /** A single-element input (ONNX often allows shape [1] where OpenVINO wants a scalar) as a scalar. */
    private static Value scalar(OnnxNode n, Value v) {
        if (v.shape().hasRank() && v.shape().rank() == 0) {
            return v;
        }
        return n.add(new Reshape(false), v, n.constant(Tensor.vector()));
    }

    /**
     * The generalised cosine windows of ONNX (Hann, Hamming, Blackman):
     * {@code w[i] = a0 - a1 cos(2 pi i / N) + a2 cos(4 pi i / N)} for {@code i < size}, with {@code N = size}
     * ({@code periodic=1}, the default) or {@code size - 1}; computed in f32, then converted to
     * {@code output_datatype} (default float).
     */
    private static List<Value> window(OnnxNode n, double a0, double a1, double a2) {
        Value size = scalar(n, n.requireInput(0));
        if (!size.type().isInteger()) {
            throw n.error("size must be an integer scalar, got " + size.type());
        }
        ElementType outType = TensorProtos.elementType((int) n.attrInt("output_datatype", 1), "output_datatype");
        Value index = n.add(new Range(ElementType.F32), n.constant(Tensor.scalar(0L).convertTo(size.type())), size,
                n.constant(Tensor.scalar(1L).convertTo(size.type())));
        Value period = n.add(new Convert(ElementType.F32), size);
        if (n.attrInt("periodic", 1) == 0) {
            period = n.add(new Subtract(), period, n.constant(Tensor.scalar(1f)));
        }
        Value angle = n.add(new Divide(), n.add(new Multiply(), index, n.constant(Tensor.scalar((float) (2 * Math.PI)))),
                period);
        Value w = n.add(new Subtract(), n.constant(Tensor.scalar((float) a0)),
                n.add(new Multiply(), n.constant(Tensor.scalar((float) a1)), n.add(new Cos(), angle)));
        if (a2 != 0) {
            Value twice = n.add(new Multiply(), angle, n.constant(Tensor.scalar(2f)));
            w = n.add(new Add(), w, n.add(new Multiply(), n.constant(Tensor.scalar((float) a2)), n.add(new Cos(), twice)));
        }
        return List.of(outType == ElementType.F32 ? w : n.add(new Convert(outType), w));
    }

    /** EyeLike: Eye-9 with the two dimensions of the 2-D input, of type {@code dtype} (default: the input's). */
    private static List<Value> eyeLike(OnnxNode n) {
        Value x = n.requireInput(0);
        if (x.shape().hasRank() && x.shape().rank() != 2) {
            throw n.error("input must be 2-D, got " + x.shape());
        }
        ElementType type = n.has("dtype") ? TensorProtos.elementType((int) n.attrInt("dtype", 1), "dtype") : x.type();
        Value shape = n.add(new ShapeOf(ElementType.I64), x);
        Value rows = n.add(new Gather(0), shape, n.constant(Tensor.scalar(0L)), n.constant(Tensor.scalar(0L)));
        Value cols = n.add(new Gather(0), shape, n.constant(Tensor.scalar(1L)), n.constant(Tensor.scalar(0L)));
        return List.of(n.add(new Eye(type), rows, cols, n.constant(Tensor.scalar(n.attrInt("k", 0)))));
    }

    /**
     * Compress: the slices along {@code axis} whose condition is true, i.e. Gather at NonZero(condition); without
     * an axis the input is flattened first. A condition shorter than the axis selects only among its first slices.
     */
    private static List<Value> compress(OnnxNode n) {
        Value x = n.requireInput(0);
        Value condition = n.requireInput(1);
        if (condition.shape().hasRank() && condition.shape().rank() != 1) {
            throw n.error("condition must be 1-D, got " + condition.shape());
        }
        long axis = n.attrInt("axis", 0);
        if (!n.has("axis")) {
            x = n.add(new Reshape(false), x, n.constant(Tensor.vector(-1)));
        }
        Value positions = n.add(new Reshape(false), n.add(new NonZero(ElementType.I64), condition),
                n.constant(Tensor.vector(-1)));
        return List.of(n.add(new Gather(0), x, positions, n.constant(Tensor.scalar(axis))));
    }

    /** Col2Im-18: the spatial rank is the length of block_shape, which must be a constant (or all attributes). */
    private static List<Value> col2Im(OnnxNode n) {
        Value blockShape = n.requireInput(2);
        if (!blockShape.shape().isStatic() || blockShape.shape().rank() != 1) {
            throw new UnsupportedModelException("Col2Im node '" + n.name()
                    + "' needs a 1-D block_shape of static length");
        }
        int spatial = blockShape.shape().dim(0);
        long[] ones = new long[spatial];
        java.util.Arrays.fill(ones, 1);
        long[] pads = n.attrInts("pads", new long[2 * spatial]);
        long[] strides = n.attrInts("strides", ones);
        long[] dilations = n.attrInts("dilations", ones);
        if (pads.length != 2 * spatial || strides.length != spatial || dilations.length != spatial) {
            throw n.error("pads, strides and dilations must match the " + spatial + " spatial dimensions");
        }
        Col2Im op = new Col2Im(strides, dilations, java.util.Arrays.copyOf(pads, spatial),
                java.util.Arrays.copyOfRange(pads, spatial, 2 * spatial));
        return List.of(n.add(op, n.requireInput(0), n.requireInput(1), blockShape));
    }

    private static List<Value> tensorScatter(OnnxNode n) {
        String mode = n.attrString("mode", "linear");
        if (!mode.equals("linear") && !mode.equals("circular")) {
            throw n.error("unknown mode '" + mode + "'");
        }
        return List.of(n.add(new TensorScatter(n.attrInt("axis", -2), mode.equals("circular")), n.requireInput(0),
                n.requireInput(1), n.input(2)));
    }

    /**
     * MaxUnpool-9/11: the indices address the tensor the pooling geometry inverts, spatial sizes
     * {@code (in - 1) * stride + kernel - pads} (this needs the data shape at import time); an output_shape input only
     * re-frames that tensor, zero-padding it at the end (as the ONNX reference does).
     */
    private static List<Value> maxUnpool(OnnxNode n) {
        Value x = n.requireInput(0);
        long[] kernel = n.attrInts("kernel_shape", null);
        if (kernel == null) {
            throw n.error("has no kernel_shape");
        }
        if (!x.shape().isStatic()) {
            throw new UnsupportedModelException("MaxUnpool node '" + n.name() + "' needs a static data shape");
        }
        int spatial = kernel.length;
        long[] strides = n.attrInts("strides", java.util.stream.LongStream.generate(() -> 1).limit(spatial).toArray());
        long[] pads = n.attrInts("pads", new long[2 * spatial]);
        int[] in = x.shape().toArray();
        if (in.length != spatial + 2 || strides.length != spatial || pads.length != 2 * spatial) {
            throw n.error("kernel_shape, strides and pads must match the " + (in.length - 2) + " spatial dimensions");
        }
        long[] inferred = new long[in.length];
        inferred[0] = in[0];
        inferred[1] = in[1];
        for (int d = 0; d < spatial; d++) {
            inferred[2 + d] = (in[2 + d] - 1) * strides[d] + kernel[d] - pads[d] - pads[spatial + d];
        }
        Value y = n.add(new MaxUnpool(), x, n.requireInput(1), n.constant(Tensor.vector(inferred)));
        if (n.hasInput(2)) {
            Value shape = n.add(new Convert(ElementType.I64), n.input(2));
            Value padsEnd = n.add(new Subtract(), shape, n.constant(Tensor.vector(inferred)));
            y = n.add(new Pad(Pad.Mode.CONSTANT), y, n.constant(Tensor.vector(new long[in.length])), padsEnd);
        }
        return List.of(y);
    }

    /**
     * LinearAttention-27: inputs (query, key, value, past_state, decay, beta) reordered for the core op, which takes
     * decay and beta only when its update rule reads them and the optional past state last.
     */
    private static List<Value> linearAttention(OnnxNode n) {
        String ruleName = n.attrString("update_rule", "gated_delta");
        LinearAttention.UpdateRule rule;
        try {
            rule = LinearAttention.UpdateRule.valueOf(ruleName.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw n.error("update_rule '" + ruleName + "' is not one of linear, gated, delta, gated_delta");
        }
        if (!n.has("q_num_heads") || !n.has("kv_num_heads")) {
            throw n.error("needs the q_num_heads and kv_num_heads attributes");
        }
        LinearAttention op = new LinearAttention(rule, (int) n.attrInt("q_num_heads", 0),
                (int) n.attrInt("kv_num_heads", 0), n.has("scale") ? n.attrFloat("scale", 0f) : Float.NaN);
        List<Value> in = new java.util.ArrayList<>(List.of(n.requireInput(0), n.requireInput(1), n.requireInput(2)));
        if (rule == LinearAttention.UpdateRule.GATED || rule == LinearAttention.UpdateRule.GATED_DELTA) {
            in.add(n.requireInput(4));
        }
        if (rule == LinearAttention.UpdateRule.DELTA || rule == LinearAttention.UpdateRule.GATED_DELTA) {
            in.add(n.requireInput(5));
        }
        if (n.hasInput(3)) {
            in.add(n.input(3));
        }
        return n.addNode(op, in.toArray(Value[]::new)).outputs();
    }

    /**
     * STFT-17: without a window, a window of ones of the frame length (a constant, or expanded at run time), so that
     * the core op always has one.
     */
    private static List<Value> stft(OnnxNode n) {
        Value signal = n.requireInput(0);
        Value window = n.input(2);
        if (window == null) {
            Tensor one = Tensor.allocate(signal.type());
            one.setDouble(0, 1);
            Value length = n.call("Reshape", List.of(n.requireInput(3), n.constant(Tensor.vector(1))));
            window = n.call("Expand", List.of(n.constant(one), length));
        }
        return List.of(n.add(new Stft(n.attrInt("onesided", 1) != 0), signal, n.requireInput(1), window));
    }
}
