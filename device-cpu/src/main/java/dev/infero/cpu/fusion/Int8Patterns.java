package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.movement.ShapeOnlyOp;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.kernels.ActivationQuantizer;

/**
 * The INT8 recognizers every INT8 pattern shares, in OpenVINO's form of an INT8 model: the quantizer of a value (a
 * per-tensor FakeQuantize whose output range is its input range), one quantizer per channel, and weights that are
 * INT8 codes times one scale per output channel ({@code Multiply(Convert(i8 Const), scale)}, possibly reshaped).
 */
public final class Int8Patterns {
    private Int8Patterns() {
    }

    /**
     * One quantizer per channel of a FakeQuantize over NCHW data whose ranges are constant per tensor or per channel,
     * output range equal to input range, integer zero points; {@code null} otherwise.
     */
    public static ActivationQuantizer[] channelQuantizers(Node fq) {
        if (fq == null || !(fq.op() instanceof FakeQuantize op) || fq.input(0).type() != ElementType.F32
                || !fq.input(0).shape().isStatic() || fq.input(0).shape().rank() != 4
                || !fq.input(0).shape().equals(fq.output(0).shape())) {
            return null;
        }
        int channels = fq.input(0).shape().dim(1);
        float[][] range = new float[4][];
        for (int i = 0; i < 4; i++) {
            Value v = fq.input(1 + i);
            if (!v.isKnown() || v.type() != ElementType.F32) {
                return null;
            }
            Tensor t = v.knownValue();
            int[] shape = t.shape();
            boolean perChannel = t.size() == channels && shape.length == 4 && shape[1] == channels;
            if (t.size() != 1 && !perChannel) {
                return null;
            }
            range[i] = t.floats();
        }
        long levels = op.levels();
        ActivationQuantizer[] out = new ActivationQuantizer[channels];
        for (int c = 0; c < channels; c++) {
            float[] r = new float[4];
            for (int i = 0; i < 4; i++) {
                r[i] = range[i][range[i].length == 1 ? 0 : c];
            }
            out[c] = r[0] == r[2] && r[1] == r[3] ? ActivationQuantizer.of(r[0], r[1], levels) : null;
            if (out[c] == null) {
                return null;
            }
        }
        return out;
    }

    /** The codes of a per-tensor, 256-level-or-fewer FakeQuantize whose output range is its input range. */
    public static ActivationQuantizer quantizerOf(Node fq) {
        if (fq == null || !(fq.op() instanceof FakeQuantize op) || fq.input(0).type() != ElementType.F32
                || !fq.input(0).shape().equals(fq.output(0).shape())) {
            return null;
        }
        float[] range = new float[4];
        for (int i = 0; i < 4; i++) {
            Value v = fq.input(1 + i);
            if (!v.isKnown() || v.type() != ElementType.F32 || v.knownValue().size() != 1) {
                return null;
            }
            range[i] = v.knownValue().floats()[0];
        }
        if (range[0] != range[2] || range[1] != range[3]) {
            return null;
        }
        long levels = op.levels();
        return ActivationQuantizer.of(range[0], range[1], levels);
    }

    /**
     * {codes, per-channel scales} of weights computed as INT8 codes times one scale per output channel, found
     * through the producer chain and checked against the folded weights element by element; {@code null} otherwise.
     */
    public static float[][] weightCodes(Value weights, int outChannels) {
        return weightCodes(weights, outChannels, false);
    }

    /**
     * As {@link #weightCodes(Value, int)}, for weights whose last dimension is the output channel when
     * {@code channelsLast} (a MatMul's {@code [K, N]}), else the first.
     */
    public static float[][] weightCodes(Value weights, int outChannels, boolean channelsLast) {
        Node mul = weights.node();
        while (mul != null && mul.op() instanceof ShapeOnlyOp) {
            mul = mul.input(0).node();
        }
        if (mul == null || !(mul.op() instanceof Multiply) || !weights.isKnown()
                || weights.knownValue().type() != ElementType.F32) {
            return null;
        }
        float[] folded = weights.knownValue().floats();
        for (int side = 0; side < 2; side++) {
            Node convert = mul.input(side).node();
            Value scale = mul.input(1 - side);
            if (convert == null || !(convert.op() instanceof Convert) || !convert.input(0).isKnown()
                    || convert.input(0).knownValue().type() != ElementType.I8 || !scale.isKnown()
                    || scale.knownValue().type() != ElementType.F32) {
                continue;
            }
            Tensor codes = convert.input(0).knownValue();
            float[] s = scale.knownValue().floats();
            if (codes.size() != folded.length || s.length != outChannels && s.length != 1) {
                continue;
            }
            byte[] q = codes.bytes();
            int inner = channelsLast ? 1 : folded.length / outChannels;
            float[] scales = new float[outChannels];
            for (int c = 0; c < outChannels; c++) {
                scales[c] = s[s.length == 1 ? 0 : c];
            }
            float[] out = new float[folded.length];
            for (int i = 0; i < folded.length; i++) {
                out[i] = q[i];
                if (q[i] * scales[i / inner % outChannels] != folded[i]) {
                    return null; // not one scale per output channel after all
                }
            }
            return new float[][] {out, scales};
        }
        return null;
    }

}
