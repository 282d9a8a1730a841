package dev.infero.core.tensor;

import dev.infero.core.types.ElementType;
import java.util.Arrays;

/**
 * A constant that broadcasts as one value per channel, read as an array of one float per channel: the bias, scale,
 * slope or quantization range that passes fold into weights and devices fuse into kernels. One rule for all of them:
 * every dimension of the constant is 1 except, possibly, the channel axis, which then has one value per channel.
 */
public final class ChannelValues {
    private ChannelValues() {
    }

    /**
     * The f32 constant {@code t}, broadcast against an output of {@code rank} dimensions with {@code channels} along
     * {@code axis}, as {@code channels} floats; {@code null} when it is not f32, has more dimensions than the output,
     * or varies along any other axis.
     */
    public static float[] of(Tensor t, int channels, int rank, int axis) {
        if (t.type() != ElementType.F32 || t.rank() > rank) {
            return null;
        }
        int[] s = t.shape();
        int offset = rank - s.length;
        for (int i = 0; i < s.length; i++) {
            if (s[i] != 1 && !(i + offset == axis && s[i] == channels)) {
                return null;
            }
        }
        float[] out = new float[channels];
        if (t.size() == 1) {
            Arrays.fill(out, t.floats()[0]);
        } else {
            System.arraycopy(t.floats(), 0, out, 0, channels);
        }
        return out;
    }
}
