package dev.infero.onnx.ops;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Maximum;
import dev.infero.core.ops.eltwise.Minimum;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Round;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.ops.quantization.QuantizeLinear;
import dev.infero.core.ops.reduce.ReduceMax;
import dev.infero.core.ops.reduce.ReduceMin;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The integer linear ops: MatMulInteger and ConvInteger subtract the zero points in i32 and multiply exactly in i32
 * (MatMul and Convolution accumulate integers exactly); QLinearMatMul and QLinearConv then requantize as the ONNX
 * reference does: the i32 result times {@code a_scale * b_scale / y_scale} (computed in the scales' type), in f64,
 * plus the output zero point, rounded half to even and saturated. DynamicQuantizeLinear follows its function body.
 * With constant weights whose sums stay exact in f32, QLinearConv and QLinearMatMul compute their integer sums through
 * a FakeQuantize onto the input's integer grid and i8 weight codes, the form the CPU device's INT8 kernels run (see
 * {@code int8Operands}); the results are the same.
 */
public final class QuantizedOps {
    private QuantizedOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("MatMulInteger", n -> List.of(integerMatMul(n, 0, 1, 2, 3)));
        r.put("ConvInteger", n -> List.of(integerConv(n, 0, 1, 2, 3)));
        r.put("QLinearMatMul", QuantizedOps::qLinearMatMul);
        r.put("QLinearConv", QuantizedOps::qLinearConv);
        r.put("DynamicQuantizeLinear", QuantizedOps::dynamicQuantizeLinear);
    }

    /** {@code (a - a_zero_point) · (b - b_zero_point)} in i32; a 1-D {@code a} zero point is per row of A. */
    private static Value integerMatMul(OnnxNode n, int a, int b, int aZeroPoint, int bZeroPoint) {
        Value left = centered(n, n.requireInput(a), perRow(n, n.requireInput(a), n.input(aZeroPoint)));
        Value right = centered(n, n.requireInput(b), n.input(bZeroPoint));
        return n.add(new MatMul(false, false), left, right);
    }

    /** {@code conv(x - x_zero_point, w - w_zero_point)} in i32; a 1-D {@code w} zero point is per output channel. */
    private static Value integerConv(OnnxNode n, int x, int w, int xZeroPoint, int wZeroPoint) {
        Value weights = n.requireInput(w);
        Value wZero = n.input(wZeroPoint);
        if (wZero != null && wZero.shape().hasRank() && wZero.shape().rank() == 1) {
            wZero = perOutputChannel(n, wZero, weights);
        }
        return ConvolutionOps.convolution(n, centered(n, n.requireInput(x), n.input(xZeroPoint)),
                centered(n, weights, wZero));
    }

    private static List<Value> qLinearMatMul(OnnxNode n) {
        Value a = n.requireInput(0);
        Value multiplier = n.add(new Divide(),
                n.add(new Multiply(), perRow(n, a, n.requireInput(1)), n.requireInput(4)), n.requireInput(6));
        Value[] int8 = int8Operands(n, 0, 2, 3, 5, false, 0);
        Value accumulated = int8 == null ? integerMatMul(n, 0, 3, 2, 5)
                : AttentionOps.convert(n, n.add(new MatMul(false, false), int8[0], int8[1]), ElementType.I32);
        return List.of(requantize(n, accumulated, multiplier, n.input(7), a.type()));
    }

    private static List<Value> qLinearConv(OnnxNode n) {
        Value x = n.requireInput(0);
        Value w = n.requireInput(3);
        Value wScale = n.requireInput(4);
        if (wScale.shape().hasRank() && wScale.shape().rank() == 1) {
            wScale = ConvolutionOps.channelVector(n, wScale, w.shape().rank() - 2);
        }
        Value bias = n.hasInput(8) ? n.input(8) : null;
        long biasBound = 0;
        if (bias != null && bias.isKnown()) {
            for (int i = 0; i < bias.knownValue().size(); i++) {
                biasBound = Math.max(biasBound, Math.abs(bias.knownValue().getLong(i)));
            }
        }
        Value[] int8 = bias == null || bias.isKnown() ? int8Operands(n, 0, 2, 3, 5, true, biasBound) : null;
        Value accumulated;
        if (int8 != null) {
            accumulated = ConvolutionOps.convolution(n, int8[0], int8[1]);
            if (bias != null) {
                accumulated = n.add(new Add(), accumulated, ConvolutionOps.channelVector(n,
                        AttentionOps.convert(n, bias, ElementType.F32), w.shape().rank() - 2));
            }
            accumulated = AttentionOps.convert(n, accumulated, ElementType.I32);
        } else {
            accumulated = integerConv(n, 0, 3, 2, 5);
            if (bias != null) {
                accumulated = n.add(new Add(), accumulated, ConvolutionOps.channelVector(n, bias, w.shape().rank() - 2));
            }
        }
        Value multiplier = n.add(new Divide(), n.add(new Multiply(), n.requireInput(1), wScale), n.requireInput(6));
        return List.of(requantize(n, accumulated, multiplier, n.input(7), x.type()));
    }

    /** Sums up to this magnitude are exact in f32. */
    private static final long F32_EXACT = 1L << 24;

    /**
     * The operands of an integer convolution ({@code channelsFirst}: weights {@code [M, C/G, k...]}) or matrix product
     * (weights {@code [K, N]}) in the form the CPU device's INT8 kernels take: {@code x - x_zero_point} in f32 through
     * a FakeQuantize onto its own integer grid (an identity on those values: step 1, zero point {@code x_zero_point}),
     * and the constant weights as i8 codes {@code w - w_zero_point} times 1. The f32 convolution or product of these
     * computes the integer one exactly as long as no sum reaches 2^24, which is checked per output channel from the
     * weights ({@code Σ|w - w_zp| · max|x - x_zp| + |bias|}); {@code null} when that fails, when the weights are not
     * constant, when a zero point is not one per tensor (x) or per output channel (w), or when a weight code does not
     * fit in i8 — the i32 form then runs.
     */
    private static Value[] int8Operands(OnnxNode n, int x, int xZeroPoint, int w, int wZeroPoint,
                                        boolean channelsFirst, long biasBound) {
        Value xv = n.requireInput(x);
        Value xz = n.input(xZeroPoint);
        Value wv = n.requireInput(w);
        Value wz = n.input(wZeroPoint);
        if ((xv.type() != ElementType.U8 && xv.type() != ElementType.I8) || !wv.isKnown()
                || (xz != null && (!xz.isKnown() || xz.knownValue().size() != 1 || xz.type() != xv.type()))
                || (wz != null && (!wz.isKnown() || wz.type() != wv.type()))) {
            return null;
        }
        Tensor weights = wv.knownValue();
        int[] shape = weights.shape();
        if (shape.length < 2 || (!channelsFirst && shape.length != 2)) {
            return null;
        }
        int channels = channelsFirst ? shape[0] : shape[1];
        int inner = weights.size() / channels;
        Tensor wZero = wz == null ? null : wz.knownValue();
        if (wZero != null && wZero.size() != 1 && (wZero.size() != channels || wZero.rank() != 1)) {
            return null;
        }
        Tensor codes = Tensor.allocate(ElementType.I8, shape);
        long[] sumAbs = new long[channels];
        for (int i = 0; i < weights.size(); i++) {
            int c = channelsFirst ? i / inner : i % channels;
            long code = weights.getLong(i) - (wZero == null ? 0 : wZero.getLong(wZero.size() == 1 ? 0 : c));
            if (code < -128 || code > 127) {
                return null;
            }
            codes.setLong(i, code);
            sumAbs[c] += Math.abs(code);
        }
        long zeroPoint = xz == null ? 0 : xz.knownValue().getLong(0);
        long low = (xv.type() == ElementType.U8 ? 0 : -128) - zeroPoint;
        long high = low + 255;
        long maxAbs = Math.max(-low, high);
        for (long s : sumAbs) {
            if (s * maxAbs + biasBound >= F32_EXACT) {
                return null;
            }
        }
        Value shifted = AttentionOps.convert(n, xv, ElementType.F32);
        if (zeroPoint != 0) {
            shifted = n.add(new Subtract(), shifted, AttentionOps.scalar(n, zeroPoint, ElementType.F32));
        }
        Value lo = AttentionOps.scalar(n, low, ElementType.F32);
        Value hi = AttentionOps.scalar(n, high, ElementType.F32);
        Value grid = n.add(new FakeQuantize(256), shifted, lo, hi, lo, hi);
        Value w8 = n.add(new Multiply(), AttentionOps.convert(n, n.constant(codes), ElementType.F32),
                AttentionOps.scalar(n, 1f, ElementType.F32));
        return new Value[] {grid, w8};
    }

    /**
     * {@code saturate(round_half_even(acc * multiplier + zero_point))} evaluated in f64 as the ONNX reference does
     * (numpy promotes i32 times a float scale to f64); the type is the zero point's, else {@code fallback}.
     */
    private static Value requantize(OnnxNode n, Value acc, Value multiplier, Value zeroPoint, ElementType fallback) {
        ElementType type = zeroPoint != null ? zeroPoint.type() : fallback;
        if (type != ElementType.I8 && type != ElementType.U8) {
            throw n.error("quantized output must be int8 or uint8, got " + type);
        }
        Value y = n.add(new Multiply(), AttentionOps.convert(n, acc, ElementType.F64),
                AttentionOps.convert(n, multiplier, ElementType.F64));
        if (zeroPoint != null) {
            y = n.add(new Add(), y, AttentionOps.convert(n, zeroPoint, ElementType.F64));
        }
        boolean signed = type == ElementType.I8;
        y = n.add(new Clamp(signed ? -128 : 0, signed ? 127 : 255), n.add(new Round(Round.Mode.HALF_TO_EVEN), y));
        return AttentionOps.convert(n, y, type);
    }

    /** {@code x - zero_point} in i32 (just {@code x} in i32 without a zero point). */
    private static Value centered(OnnxNode n, Value x, Value zeroPoint) {
        if (x.type() != ElementType.I8 && x.type() != ElementType.U8) {
            throw n.error("quantized operands must be int8 or uint8, got " + x.type());
        }
        if (zeroPoint != null && zeroPoint.type() != x.type()) {
            throw n.error("zero point type " + zeroPoint.type() + " differs from its operand's " + x.type());
        }
        Value wide = AttentionOps.convert(n, x, ElementType.I32);
        return zeroPoint == null ? wide
                : n.add(new Subtract(), wide, AttentionOps.convert(n, zeroPoint, ElementType.I32));
    }

    /** A 1-D per-row parameter of a matrix operand of rank ≥ 2 as a column [M, 1], so it broadcasts along rows. */
    private static Value perRow(OnnxNode n, Value matrix, Value v) {
        if (v == null || !v.shape().hasRank() || v.shape().rank() != 1 || !matrix.shape().hasRank()
                || matrix.shape().rank() < 2) {
            return v;
        }
        return n.add(new Unsqueeze(), v, n.constant(Tensor.vector(1)));
    }

    /** A 1-D per-output-channel weight parameter as [M, 1, ...] to broadcast over the weights. */
    private static Value perOutputChannel(OnnxNode n, Value v, Value weights) {
        if (!weights.shape().hasRank()) {
            throw new UnsupportedModelException(n.opType() + " node '" + n.name() + "' needs weights of known rank");
        }
        long[] shape = new long[weights.shape().rank()];
        Arrays.fill(shape, 1);
        shape[0] = -1;
        return n.add(new Reshape(false), v, n.constant(Tensor.vector(shape)));
    }

    /**
     * u8 quantization with scale and zero point from the data range extended to include 0: scale = (max - min) /
     * 255, zero point = saturate(round(0 - min / scale)), then QuantizeLinear.
     */
    private static List<Value> dynamicQuantizeLinear(OnnxNode n) {
        Value x = n.requireInput(0);
        if (x.type() != ElementType.F32) {
            throw n.error("input must be f32, got " + x.type());
        }
        if (!x.shape().hasRank()) {
            throw new UnsupportedModelException("DynamicQuantizeLinear node '" + n.name()
                    + "' needs an input of known rank");
        }
        long[] axes = new long[x.shape().rank()];
        Arrays.setAll(axes, i -> i);
        Value all = n.constant(Tensor.vector(axes));
        Value zero = AttentionOps.scalar(n, 0f, ElementType.F32);
        Value min = n.add(new Minimum(), n.add(new ReduceMin(false), x, all), zero);
        Value max = n.add(new Maximum(), n.add(new ReduceMax(false), x, all), zero);
        Value scale = n.add(new Divide(), n.add(new Subtract(), max, min), AttentionOps.scalar(n, 255f, ElementType.F32));
        Value zeroPoint = n.add(new Round(Round.Mode.HALF_TO_EVEN),
                n.add(new Clamp(0, 255), n.add(new Subtract(), zero, n.add(new Divide(), min, scale))));
        Value zeroPointU8 = AttentionOps.convert(n, zeroPoint, ElementType.U8);
        return List.of(n.add(new QuantizeLinear(ElementType.U8), x, scale, zeroPointU8), scale, zeroPointU8);
    }
}
