package dev.infero.quantize;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;

/**
 * Symmetric per-output-channel INT8 weights, POT's {@code q8_w_sym}: 255 levels −127..127, one scale per channel
 * {@code max|w| / 127}, {@code q = round(w / scale)}. The dequantized weight {@code q · scale} is what the quantized
 * model computes with; the error per element is at most half a step.
 */
public final class WeightQuantizer {
    public static final int LEVEL_HIGH = 127;

    /** INT8 weights {@code values} (same shape as the input) and {@code scales} shaped to broadcast against them. */
    public record Quantized(Tensor values, Tensor scales) {
        /** {@code values · scales}, the weights the quantized model computes with. */
        public Tensor dequantize() {
            Tensor out = Tensor.allocate(ElementType.F32, values.shape());
            byte[] q = values.bytes();
            float[] s = scales.floats();
            float[] o = out.floats();
            ChannelIndex idx = new ChannelIndex(values.shape(), scales.shape());
            for (int i = 0; i < out.size(); i++) {
                o[i] = q[i] * s[idx.channel(i)];
            }
            return out;
        }
    }

    private WeightQuantizer() {
    }

    /**
     * Quantizes {@code weights} with one scale per index along {@code channelAxes} (e.g. {0} for Convolution's
     * [Cout, Cin, kH, kW], {0, 1} for GroupConvolution's [G, Cout/G, Cin/G, kH, kW]).
     */
    public static Quantized quantize(Tensor weights, int... channelAxes) {
        int[] shape = weights.shape();
        int[] scaleShape = new int[shape.length];
        java.util.Arrays.fill(scaleShape, 1);
        for (int a : channelAxes) {
            scaleShape[a] = shape[a];
        }
        ChannelIndex idx = new ChannelIndex(shape, scaleShape);
        float[] w = weights.toFloatArray();
        int n = weights.size();
        float[] maxAbs = new float[idx.channels()];
        for (int i = 0; i < n; i++) {
            int c = idx.channel(i);
            maxAbs[c] = Math.max(maxAbs[c], Math.abs(w[i]));
        }
        float[] scale = new float[maxAbs.length];
        for (int c = 0; c < scale.length; c++) {
            // An all-zero channel quantizes to zeros with any scale; 1 keeps the division defined.
            scale[c] = maxAbs[c] > 0 ? maxAbs[c] / LEVEL_HIGH : 1f;
        }
        Tensor q = Tensor.allocate(ElementType.I8, shape);
        byte[] qb = q.bytes();
        for (int i = 0; i < n; i++) {
            double v = Math.rint(w[i] / scale[idx.channel(i)]);   // ties to even, as FakeQuantize rounds
            qb[i] = (byte) Math.max(-LEVEL_HIGH, Math.min(LEVEL_HIGH, v));
        }
        return new Quantized(q, Tensor.of(scale, scaleShape));
    }

    /** Maps a flat element index of {@code shape} to the flat index of its entry in a broadcast {@code channelShape}. */
    static final class ChannelIndex {
        private final int[] shape;
        private final int[] channelShape;
        private final int channels;

        ChannelIndex(int[] shape, int[] channelShape) {
            this.shape = shape;
            this.channelShape = channelShape;
            int c = 1;
            for (int d : channelShape) {
                c *= d;
            }
            this.channels = c;
        }

        int channels() {
            return channels;
        }

        int channel(int flat) {
            int c = 0;
            int stride = 1;
            int rest = flat;
            // Walk the axes from the innermost out, keeping the coordinates along the channel axes.
            for (int a = shape.length - 1; a >= 0; a--) {
                int coord = rest % shape[a];
                rest /= shape[a];
                if (channelShape[a] != 1) {
                    c += coord * stride;
                    stride *= channelShape[a];
                }
            }
            return c;
        }
    }
}
