package dev.infero.transforms;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import java.util.List;

/**
 * Brings the forms in which other tools write quantized constant weights to the one form Infero's INT8 kernels read
 * (see the CPU device's {@code QuantizedConvolution}): signed 8-bit codes times a scale,
 * {@code Multiply(Convert(i8 Const → f32), scale)}.
 * <ul>
 *   <li>{@code Convert(i8/u8/i4/u4 Const) → Subtract(zero point) → Multiply(scale)} (NNCF's and POT's compressed
 *       asymmetric weights, ONNX DequantizeLinear of QDQ models), and {@code Convert(u8/i4/u4 Const) → Multiply} without
 *       a zero point: the codes minus the zero point become the i8 codes when they all lie in −128..127. The float
 *       values are the same bit for bit (integer-valued floats times the same scale), which is checked.</li>
 *   <li>{@code FakeQuantize} of constant weights (POT's uncompressed weights, {@code levels} 255 or 256, or fewer),
 *       output ranges per tensor or per channel (of a Convolution's or MatMul's output, or of a GroupConvolution's groups
 *       and their output channels): the code of each weight is its level minus
 *       the output range's zero point, the scale {@code (output_high - output_low) / (levels - 1)}, when that zero point
 *       is an integer and the codes lie in −128..127. {@code code · scale} is the quantized weight FakeQuantize
 *       computes by another formula ({@code level / (levels - 1) · (high - low) + low}); the two differ by at most a
 *       few ulps of the range, which is checked for every weight.</li>
 * </ul>
 * Everything else (codes that do not fit in 8 bits, fractional zero points, group-wise scales) is left as it is and
 * runs in f32.
 */
public final class NormalizeQuantizedWeights implements Pass {
    /** How far (in ulps of the larger range bound) {@code code · scale} may lie from FakeQuantize's value. */
    private static final int ULPS = 8;

    @Override
    public String name() {
        return "normalize-quantized-weights";
    }

    @Override
    public int apply(Graph graph) {
        int rewritten = 0;
        for (Node node : List.copyOf(graph.nodes())) {
            if (node.outputs().size() != 1 || !node.output(0).isKnown()
                    || node.output(0).type() != ElementType.F32 || graph.consumers(node.output(0)).isEmpty()) {
                continue;
            }
            Value replacement = switch (node.op()) {
                case Multiply m -> dequantized(graph, node);
                case FakeQuantize fq -> fakeQuantized(graph, node, fq.levels());
                default -> null;
            };
            if (replacement != null) {
                graph.replaceAllUses(node.output(0), replacement);
                rewritten++;
            }
        }
        if (rewritten > 0) {
            graph.removeDeadNodes();
        }
        return rewritten;
    }

    /** {@code Multiply([Subtract](Convert(integer codes), zero point), scale)} as i8 codes times the scale. */
    private static Value dequantized(Graph graph, Node mul) {
        for (int side = 0; side < 2; side++) {
            Value scale = mul.input(1 - side);
            Node producer = mul.input(side).node();
            Value zeroPoint = null;
            if (producer.op() instanceof Subtract && producer.input(1).isKnown()) {
                zeroPoint = producer.input(1);
                producer = producer.input(0).node();
            }
            if (!scale.isKnown() || scale.type() != ElementType.F32
                    || !(producer.op() instanceof Convert convert) || convert.destination() != ElementType.F32
                    || !producer.input(0).isKnown()) {
                continue;
            }
            Tensor codes = producer.input(0).knownValue();
            ElementType t = codes.type();
            boolean integer = t == ElementType.I8 || t == ElementType.U8 || t == ElementType.I4 || t == ElementType.U4;
            if (!integer || (t == ElementType.I8 && zeroPoint == null)) {
                continue; // not codes, or already the canonical form
            }
            Tensor centred = centred(codes, zeroPoint == null ? null : zeroPoint.knownValue());
            if (centred == null) {
                continue;
            }
            Value converted = graph.add(new Convert(ElementType.F32), mul.name() + "/codes_f32",
                    graph.addConstant(mul.name() + "/codes", centred).output(0)).output(0);
            Value[] inputs = side == 0 ? new Value[] {converted, scale} : new Value[] {scale, converted};
            Value out = graph.add(new Multiply(), mul.name() + "/dequantized", inputs).output(0);
            if (out.isKnown() && out.knownValue().contentEquals(mul.output(0).knownValue())) {
                return out;
            }
            // Not the same values after all (a broadcast the codes did not have): the new nodes are left dead.
        }
        return null;
    }

    /** {@code codes - zeroPoint} as i8 (same shape as the codes), or {@code null} when it is not an 8-bit integer. */
    private static Tensor centred(Tensor codes, Tensor zeroPoint) {
        int[] shape = codes.shape();
        int[] zpStrides = null;
        if (zeroPoint != null) {
            if (zeroPoint.rank() > shape.length) {
                return null;
            }
            try {
                if (!java.util.Arrays.equals(Shapes.broadcast(shape, zeroPoint.shape()), shape)) {
                    return null;
                }
            } catch (RuntimeException e) {
                return null;
            }
            zpStrides = Shapes.broadcastStrides(zeroPoint.shape(), shape);
        }
        Tensor out = Tensor.allocate(ElementType.I8, shape);
        byte[] o = out.bytes();
        int[] index = new int[shape.length];
        for (int i = 0; i < o.length; i++) {
            double zp = 0;
            if (zeroPoint != null) {
                int z = 0;
                for (int a = 0; a < shape.length; a++) {
                    z += index[a] * zpStrides[a];
                }
                zp = zeroPoint.getDouble(z);
            }
            double v = codes.getDouble(i) - zp;
            if (v != Math.rint(v) || v < -128 || v > 127) {
                return null;
            }
            o[i] = (byte) v;
            increment(index, shape);
        }
        return out;
    }

    /**
     * A FakeQuantize of constant weights as i8 codes times the per-tensor or per-channel step of its output range,
     * or {@code null}.
     */
    private static Value fakeQuantized(Graph graph, Node fq, long levels) {
        if (levels > 256 || !fq.input(0).isKnown()) {
            return null;
        }
        Value low = fq.input(3);
        Value high = fq.input(4);
        if (!low.isKnown() || !high.isKnown() || low.type() != ElementType.F32) {
            return null;
        }
        Tensor weights = fq.output(0).knownValue();
        int[] shape = weights.shape();
        int[] rangeShape;
        try {
            rangeShape = Shapes.broadcast(low.knownValue().shape(), high.knownValue().shape());
            if (rangeShape.length > shape.length || !java.util.Arrays.equals(Shapes.broadcast(shape, rangeShape), shape)) {
                return null;
            }
        } catch (RuntimeException e) {
            return null;
        }
        int[] ranged = new int[shape.length]; // the range shape at the weights' rank
        java.util.Arrays.fill(ranged, 1);
        System.arraycopy(rangeShape, 0, ranged, shape.length - rangeShape.length, rangeShape.length);
        float[] lo = low.knownValue().floats();
        float[] hi = high.knownValue().floats();
        int[] loStrides = Shapes.broadcastStrides(low.knownValue().shape(), ranged);
        int[] hiStrides = Shapes.broadcastStrides(high.knownValue().shape(), ranged);
        int scales = Shapes.size(ranged);
        float[] step = new float[scales];
        float[] tolerance = new float[scales];
        int[] index = new int[ranged.length];
        for (int s = 0; s < scales; s++) {
            int l = 0;
            int h = 0;
            for (int a = 0; a < ranged.length; a++) {
                l += index[a] * loStrides[a];
                h += index[a] * hiStrides[a];
            }
            step[s] = (hi[h] - lo[l]) / (levels - 1);
            tolerance[s] = ULPS * Math.ulp(Math.max(Math.abs(lo[l]), Math.abs(hi[h])));
            increment(index, ranged);
        }
        int[] scaleStrides = Shapes.broadcastStrides(ranged, shape);
        float[] w = weights.floats();
        Tensor codes = Tensor.allocate(ElementType.I8, shape);
        byte[] c = codes.bytes();
        index = new int[shape.length];
        for (int i = 0; i < w.length; i++) {
            int s = 0;
            for (int a = 0; a < shape.length; a++) {
                s += index[a] * scaleStrides[a];
            }
            double code = step[s] == 0 ? 0 : Math.rint(w[i] / step[s]);
            if (code < -128 || code > 127 || !(Math.abs((float) code * step[s] - w[i]) <= tolerance[s])) {
                return null;
            }
            c[i] = (byte) code;
            increment(index, shape);
        }
        Value converted = graph.add(new Convert(ElementType.F32), fq.name() + "/codes_f32",
                graph.addConstant(fq.name() + "/codes", codes).output(0)).output(0);
        Value scale = graph.addConstant(fq.name() + "/scale", Tensor.of(step, ranged)).output(0);
        return graph.add(new Multiply(), fq.name() + "/dequantized", converted, scale).output(0);
    }

    /** The next row-major index of {@code shape} (wrapping to zeros after the last). */
    private static void increment(int[] index, int[] shape) {
        for (int a = shape.length - 1; a >= 0; a--) {
            if (++index[a] < shape[a]) {
                return;
            }
            index[a] = 0;
        }
    }
}
