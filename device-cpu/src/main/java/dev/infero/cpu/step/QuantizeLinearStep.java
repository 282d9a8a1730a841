package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.quantization.QuantizeLinear;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The two steps of a QDQ model's activation pairs that have no other fast kernel, vectorized with the reference op's
 * exact results: ONNX {@code QuantizeLinear} of f32 to u8/i8 with one scale and zero point, or one per channel of an
 * NCHW tensor ({@code saturate(rint(x / scale) + zp)}: an IEEE division as the op computes it, ties to even by adding
 * 1.5·2^23, where floats are one apart, and clamping the sum's bit patterns, so saturation needs no float min/max; a
 * NaN gets code 0 as in the op), and {@code Convert} of u8/i8 codes to f32.
 */
public final class QuantizeLinearStep implements Step<Void> {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    /** One byte per int lane; vectors of fewer than 8 bytes do not exist, so 128-bit machines take the scalar loops. */
    private static final boolean VECTOR = I.length() >= 8;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(Math.max(64, I.length() * 8)));
    private static final float ROUND = 12582912f;

    private final boolean quantize;
    private final boolean unsigned;
    /** One scale and zero point per channel of an NCHW tensor, or one for all ({@code channels} 1). */
    private final float[] scale;
    private final int[] zeroPoint;
    private final int size;
    private final int planeSize;

    private QuantizeLinearStep(boolean quantize, boolean unsigned, float[] scale, int[] zeroPoint, int size,
                                 int planeSize) {
        this.quantize = quantize;
        this.unsigned = unsigned;
        this.scale = scale;
        this.zeroPoint = zeroPoint;
        this.size = size;
        this.planeSize = planeSize;
    }

    /** The kernel of a per-tensor f32 → u8/i8 QuantizeLinear or a u8/i8 → f32 Convert, or {@code null}. */
    public static QuantizeLinearStep of(Node node) {
        if (node.outputs().size() != 1 || !node.output(0).shape().isStatic() || !node.input(0).shape().isStatic()
                || !node.input(0).shape().equals(node.output(0).shape())) {
            return null;
        }
        int size = dev.infero.core.types.Shapes.size(node.output(0).shape().toArray());
        ElementType in = node.input(0).type();
        ElementType out = node.output(0).type();
        if (node.op() instanceof Convert && out == ElementType.F32 && (in == ElementType.U8 || in == ElementType.I8)) {
            return new QuantizeLinearStep(false, in == ElementType.U8, new float[] {1f}, new int[] {0}, size, size);
        }
        if (!(node.op() instanceof QuantizeLinear) || in != ElementType.F32
                || (out != ElementType.U8 && out != ElementType.I8)) {
            return null;
        }
        int[] shape = node.output(0).shape().toArray();
        Tensor s = perChannel(node.input(1), shape);
        Value zp = node.inputs().size() > 2 ? node.input(2) : null;
        Tensor z = zp == null ? null : perChannel(zp, shape);
        if (s == null || s.type() != ElementType.F32 || (zp != null && (z == null || z.size() != s.size()))) {
            return null;
        }
        float[] scales = s.floats().clone();
        int[] zeroPoints = new int[scales.length];
        for (int c = 0; c < zeroPoints.length; c++) {
            zeroPoints[c] = z == null ? 0 : (int) z.getLong(c);
        }
        int planeSize = scales.length == 1 ? size : shape[2] * shape[3];
        return new QuantizeLinearStep(true, out == ElementType.U8, scales, zeroPoints, size, planeSize);
    }

    /** A constant with one value, or one per channel of an NCHW {@code shape} ({@code [C,1,1]}, {@code [1,C,1,1]}). */
    private static Tensor perChannel(Value v, int[] shape) {
        if (!v.isKnown()) {
            return null;
        }
        Tensor t = v.knownValue();
        if (t.size() == 1) {
            return t;
        }
        int[] vs = t.shape();
        if (shape.length != 4 || vs.length > 4 || t.size() != shape[1]) {
            return null;
        }
        int[] padded = {1, 1, 1, 1};
        System.arraycopy(vs, 0, padded, 4 - vs.length, vs.length);
        return padded[1] == shape[1] ? t : null;
    }

    @Override
    public ExecType execType() {
        return ExecType.vector(quantize ? "quantize_linear" : "convert", !quantize ? "FP32" : unsigned ? "U8" : "I8");
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Void scratch, WorkerPool pool) {
        if (!quantize) {
            convert(inputs[0].bytes(), outputs[0].floats());
            return;
        }
        float[] x = inputs[0].floats();
        byte[] q = outputs[0].bytes();
        for (int p = 0, off = 0; off < size; p++, off += planeSize) {
            int c = p % scale.length;
            quantize(x, q, off, planeSize, scale[c], zeroPoint[c]);
        }
    }

    private void quantize(float[] x, byte[] q, int off, int n, float scale, int zeroPoint) {
        int qmin = unsigned ? 0 : -128;
        int rounded = Float.floatToRawIntBits(ROUND);
        int lowest = rounded + qmin - zeroPoint;
        int highest = rounded + qmin + 255 - zeroPoint;
        int shift = rounded - zeroPoint;
        int i = 0;
        for (int bound = VECTOR ? S.loopBound(n) : 0; i < bound; i += S.length()) {
            FloatVector t = FloatVector.fromArray(S, x, off + i).div(scale);
            VectorMask<Float> nan = t.test(VectorOperators.IS_NAN);
            IntVector code = t.add(ROUND).reinterpretAsInts().max(lowest).min(highest).sub(shift)
                    .blend(0, nan.cast(I));
            ((ByteVector) code.convertShape(VectorOperators.I2B, B, 0)).intoArray(q, off + i);
        }
        for (; i < n; i++) {
            float t = x[off + i] / scale;
            int bits = Float.floatToRawIntBits(t + ROUND);
            q[off + i] = (byte) (Float.isNaN(t) ? 0 : Math.min(Math.max(bits, lowest), highest) - shift);
        }
    }

    private void convert(byte[] q, float[] z) {
        int i = 0;
        for (int bound = VECTOR ? I.loopBound(size) : 0; i < bound; i += I.length()) {
            IntVector v = (IntVector) ByteVector.fromArray(B, q, i).convertShape(VectorOperators.B2I, I, 0);
            if (unsigned) {
                v = v.and(0xff);
            }
            ((FloatVector) v.convert(VectorOperators.I2F, 0)).intoArray(z, i);
        }
        for (; i < size; i++) {
            z[i] = unsigned ? q[i] & 0xff : q[i];
        }
    }
}
