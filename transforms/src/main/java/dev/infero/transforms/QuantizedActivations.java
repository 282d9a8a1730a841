package dev.infero.transforms;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.ops.quantization.QuantizeLinear;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.List;

/**
 * Lets the INT8 kernels run the convolutions and matrix products of QDQ models (ONNX QuantizeLinear → DequantizeLinear
 * pairs on activations, as ONNX Runtime's {@code quantize_static} and {@code infero quantize --format onnx} write
 * them). The pair stays as imported: {@code QuantizeLinear} (u8 or i8, one scale and zero point for the tensor) rounds
 * {@code x / scale} half to even as ONNX defines, then {@code Convert → Subtract(zero point) → Multiply(scale)} gives
 * {@code v = (q − zp) · scale}. Before each Convolution, GroupConvolution or MatMul that reads {@code v} as its data
 * input and has dequantized integer weights ({@link DequantizedWeights}), this inserts a FakeQuantize over exactly the
 * values {@code v} can take: 256 levels from {@code (qmin − zp) · scale} to {@code (qmax − zp) · scale}, output range =
 * input range, zero point {@code zp − qmin}. That is the data-input form the CPU device's INT8 recognizer accepts, so
 * the layer quantizes {@code v} itself (and fuses the FakeQuantize).
 *
 * <p>It keeps ONNX's codes, proven by enumeration rather than assumed: for each of the 256 values {@code v} can take,
 * the scaled value {@code (v − low) / (high − low) · 255} must lie within 0.01 of its level (so a quantizer computing
 * it by a multiply-add, a few ulps off, as the INT8 kernels do, still rounds to that level), and the FakeQuantize op
 * must give {@code v} back within a few ulps of the range (its reconstruction formula rounds differently from
 * {@code (q − zp) · scale}). The INT8 layer then multiplies exactly the codes {@code q − zp} that QuantizeLinear
 * produced; only its float dequantization factor ({@code (high − low) / 255} instead of {@code scale}) and its order
 * of summing differ from an f32 convolution of {@code v}, by ulps. The rounding of {@code x / scale} itself is never
 * done by FakeQuantize (whose formula does not round ties as QuantizeLinear does).
 *
 * <p>OpenVINO's converters write an activation's quantization with its codes made explicit:
 * {@code FakeQuantize(x, il, ih, 0, 255, 256) → Convert(u8) → Convert(f32) → Subtract(zp) → Multiply(scale)} (or
 * output range {@code -128..127} and {@code Convert(i8)}). The values {@code (q − zp) · scale} lie on the same kind of
 * grid, and get the same FakeQuantize before an INT8 layer, under the same checks. Everything else (per-channel activation scales, a pair whose scales or zero points
 * differ, values read by other ops) is left alone and stays float.
 */
public final class QuantizedActivations implements Pass {
    /** How far from its level the scaled value of every grid point may lie. */
    private static final double SLACK = 0.01;
    /** How far (in ulps of the larger range bound) FakeQuantize's reconstruction of a grid value may lie from it. */
    private static final int ULPS = 4;

    @Override
    public String name() {
        return "qdq-activations";
    }

    @Override
    public int apply(Graph graph) {
        int changed = 0;
        for (Node node : List.copyOf(graph.nodes())) {
            if (!(node.op() instanceof Multiply) || node.outputs().size() != 1 || node.output(0).isKnown()
                    || node.output(0).type() != ElementType.F32) {
                continue;
            }
            float[] range = grid(node);
            if (range == null) {
                continue;
            }
            List<Node> layers = graph.consumers(node.output(0)).stream().filter(c -> isInt8Layer(c, node.output(0)))
                    .toList();
            if (layers.isEmpty()) {
                continue;
            }
            Value low = graph.addConstant(node.name() + "/qdq_low", Tensor.scalar(range[0])).output(0);
            Value high = graph.addConstant(node.name() + "/qdq_high", Tensor.scalar(range[1])).output(0);
            Value fq = graph.add(new FakeQuantize(256), node.name() + "/qdq_fq", node.output(0), low, high, low, high)
                    .output(0);
            for (Node layer : layers) {
                graph.setInput(layer, 0, fq);
            }
            changed++;
        }
        for (Node node : List.copyOf(graph.nodes())) {
            if (node.op() instanceof Subtract && subtractAsAdd(graph, node)) {
                changed++;
            }
        }
        if (changed > 0) {
            graph.removeDeadNodes();
        }
        return changed;
    }

    /**
     * {@code Subtract(Convert(QuantizeLinear codes → f32), zp)} (a DequantizeLinear's, zero points per tensor or per
     * channel) as {@code Add(codes, −zp)}: IEEE defines {@code a − b} as {@code a + (−b)}, so the values are the same
     * bit for bit, and an Add has a vectorized kernel.
     */
    private static boolean subtractAsAdd(Graph graph, Node sub) {
        Value zp = sub.input(1);
        Node convert = sub.input(0).node();
        if (!zp.isKnown() || zp.type() != ElementType.F32 || sub.output(0).type() != ElementType.F32
                || !(convert.op() instanceof Convert c) || c.destination() != ElementType.F32
                || !(convert.input(0).node().op() instanceof QuantizeLinear)) {
            return false;
        }
        Tensor negated = zp.knownValue().copy();
        float[] values = negated.floats();
        for (int i = 0; i < values.length; i++) {
            values[i] = -values[i];
        }
        Value constant = graph.addConstant(sub.name() + "/negated_zero_point", negated).output(0);
        Value sum = graph.add(new Add(), sub.name() + "/as_add", sub.input(0), constant).output(0);
        if (!sum.shape().equals(sub.output(0).shape())) {
            return false; // left dead
        }
        graph.replaceAllUses(sub.output(0), sum);
        return true;
    }

    /** A Convolution, GroupConvolution or MatMul reading {@code v} as data (input 0) and integer weight codes. */
    private static boolean isInt8Layer(Node layer, Value v) {
        boolean op = layer.op() instanceof Convolution || layer.op() instanceof GroupConvolution
                || layer.op() instanceof MatMul;
        return op && layer.inputs().size() >= 2 && layer.input(0) == v && layer.input(1) != v
                && DequantizedWeights.isDequantized(layer.input(1));
    }

    /**
     * {low, high} of the FakeQuantize that is an identity on the values of {@code mul} when it is
     * {@code Multiply(Convert(QuantizeLinear(x, s, zp) → f32) [− zp], s)} with one scale and zero point, or
     * {@code Multiply(Convert(Convert(FakeQuantize(x, .., 0, 255, 256) → u8) → f32) [− zp], s)} (see
     * {@link #fakeQuantizedCodes}); else null.
     */
    private static float[] grid(Node mul) {
        for (int side = 0; side < 2; side++) {
            Float scale = single(mul.input(1 - side));
            Node producer = mul.input(side).node();
            double zeroPoint = 0;
            if (producer.op() instanceof Subtract) {
                Float zp = single(producer.input(1));
                if (zp == null) {
                    continue;
                }
                zeroPoint = zp;
                producer = producer.input(0).node();
            }
            if (scale == null || !(scale > 0) || Float.isInfinite(scale)
                    || !(producer.op() instanceof Convert c) || c.destination() != ElementType.F32) {
                continue;
            }
            Node q = producer.input(0).node();
            long[] codeRange = fakeQuantizedCodes(q);
            if (codeRange != null) {
                if (scale != null && scale > 0 && !Float.isInfinite(scale) && zeroPoint == Math.rint(zeroPoint)) {
                    return identityRange(codeRange[0] - (long) zeroPoint, codeRange[1] - (long) zeroPoint, scale);
                }
                continue;
            }
            if (!(q.op() instanceof QuantizeLinear) || q.input(0).type() != ElementType.F32) {
                continue;
            }
            ElementType codes = q.output(0).type();
            if (codes != ElementType.U8 && codes != ElementType.I8) {
                continue;
            }
            Float qScale = single(q.input(1));
            Value qZero = q.inputs().size() > 2 ? q.input(2) : null;
            double qZeroPoint = qZero == null ? 0 : qZero.isKnown() && qZero.knownValue().size() == 1
                    ? qZero.knownValue().getDouble(0) : Double.NaN;
            if (qScale == null || Float.floatToRawIntBits(qScale) != Float.floatToRawIntBits(scale)
                    || qZeroPoint != zeroPoint) {
                continue;
            }
            int qmin = codes == ElementType.U8 ? 0 : -128;
            return identityRange(qmin - (long) zeroPoint, qmin + 255 - (long) zeroPoint, scale);
        }
        return null;
    }

    /**
     * {qmin, qmax} when {@code convert} is OpenVINO's converter form of an activation's codes,
     * {@code Convert(FakeQuantize(x, il, ih, ol, oh, 256) → u8/i8)}: a per-tensor FakeQuantize of f32 data whose output
     * levels are the integers {@code ol..oh} ({@code oh = ol + 255}) of the integer type; else null.
     */
    private static long[] fakeQuantizedCodes(Node convert) {
        if (!(convert.op() instanceof Convert c) || c.destination() != ElementType.U8 && c.destination() != ElementType.I8) {
            return null;
        }
        Node fq = convert.input(0).node();
        if (!(fq.op() instanceof FakeQuantize op) || op.levels() != 256 || fq.input(0).type() != ElementType.F32) {
            return null;
        }
        Float low = single(fq.input(3));
        Float high = single(fq.input(4));
        if (low == null || high == null || low != Math.rint(low) || high - low != 255
                || single(fq.input(1)) == null || single(fq.input(2)) == null) {
            return null;
        }
        long qmin = c.destination() == ElementType.U8 ? 0 : -128;
        return low >= qmin && high <= qmin + 255 ? new long[] {low.longValue(), high.longValue()} : null;
    }

    /** The single f32 value of a constant, or null. */
    private static Float single(Value v) {
        if (v == null || !v.isKnown() || v.type() != ElementType.F32 || v.knownValue().size() != 1) {
            return null;
        }
        return v.knownValue().floats()[0];
    }

    /**
     * {low, high} for the codes {@code kmin..kmax} (255 steps) times {@code scale}, each value {@code (float) (k · s)}
     * as DequantizeLinear computes it, when the 256-level FakeQuantize over that range scales every one of them to
     * within {@link #SLACK} of its level and returns it within {@link #ULPS} ulps; else null.
     */
    static float[] identityRange(long kmin, long kmax, float scale) {
        if (kmin > 0 || kmax < 0 || kmax - kmin != 255) {
            return null;
        }
        float low = (float) (kmin * (double) scale);
        float high = (float) (kmax * (double) scale);
        if (!(low < high) || FakeQuantize.integerZeroPoint(low, high, 256) != -kmin) {
            return null;
        }
        Tensor values = Tensor.allocate(ElementType.F32, 256);
        for (int i = 0; i < 256; i++) {
            values.floats()[i] = (float) ((kmin + i) * (double) scale);
            double scaled = ((double) values.floats()[i] - low) / ((double) high - low) * 255;
            if (Math.abs(scaled - i) > SLACK) {
                return null;
            }
        }
        Tensor out = Tensor.allocate(ElementType.F32, 256);
        Tensor lowT = Tensor.scalar(low);
        Tensor highT = Tensor.scalar(high);
        new FakeQuantize(256).evaluate(new Tensor[] {values, lowT, highT, lowT, highT}, new Tensor[] {out});
        float ulp = Math.ulp(Math.max(-low, high));
        for (int i = 0; i < 256; i++) {
            if (Math.abs(out.floats()[i] - values.floats()[i]) > ULPS * ulp) {
                return null;
            }
        }
        return new float[] {low, high};
    }
}
