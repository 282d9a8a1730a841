package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.ConvKernel;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * Sibling 2-D f32 convolutions of one input, with the same window, run as one convolution whose output channels are
 * theirs one after the other (horizontal fusion, see {@code cpu.fusion.SiblingConvolutionFusion}): one product over
 * the input, unfolded or packed once, with the weights stacked and each sibling's post-ops on its channels. Input:
 * the data; outputs: one per sibling. The product writes the stacked output into the request's transient buffer and
 * each sibling's block of channels is copied to its output; where the outputs are consecutive inputs of one in-place
 * Concat ({@link #writingAllAt}) the product writes straight into the Concat's array instead.
 */
public final class SiblingConvolutionStep implements Step<SiblingConvolutionStep.Scratch> {
    private final ConvKernel conv;
    /** Output channels of each sibling, in output order. */
    private final int[] channels;
    private final int spatial;
    private final int batch;
    /** Whether the product writes outputs[0]'s array itself (at the kernel's offset), no copies. */
    private final boolean direct;
    private final ExecType execType;

    /**
     * @param geometry the stacked convolution: the siblings' window, {@code outChannels} the sum of {@code channels}
     * @param weights  [sum of channels, Cin, KH, KW]: the siblings' weights one after the other
     * @param post     the siblings' post-ops, concatenated ({@link PostOps#concatenated})
     * @param channels each sibling's output channels
     */
    public SiblingConvolutionStep(ConvGeometry geometry, float[] weights, PostOps post, int[] channels) {
        int sum = 0;
        for (int c : channels) {
            sum += c;
        }
        if (geometry.groups() != 1 || sum != geometry.outChannels() || channels.length < 2) {
            throw new IllegalArgumentException("siblings of " + java.util.Arrays.toString(channels)
                    + " channels do not stack to " + geometry);
        }
        ConvKernel k = new ConvKernel(geometry, weights, post);
        this(k, channels.clone(), false, ExecType.of(k.strategy() + "_" + k.implementation(), "FP32").with(post)
                .with("siblings" + channels.length));
    }

    private SiblingConvolutionStep(ConvKernel conv, int[] channels, boolean direct, ExecType type) {
        this.conv = conv;
        this.channels = channels;
        this.spatial = conv.geometry().outH() * conv.geometry().outW();
        this.batch = conv.geometry().batch();
        this.direct = direct;
        this.execType = type;
    }

    /**
     * This step writing the stacked output at element {@code offset} of outputs[0]'s array, with no copies: the
     * outputs are, in order, consecutive blocks of one array (an in-place Concat's inputs); {@code null} when the
     * kernel cannot write at an offset.
     */
    public SiblingConvolutionStep writingAllAt(int offset) {
        ConvKernel shifted = conv.writingAt(offset);
        return shifted == null ? null : new SiblingConvolutionStep(shifted, channels, true, execType);
    }

    /** How many convolutions run as this one. */
    public int siblings() {
        return channels.length;
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    @Override
    public int transientFloats(int threads) {
        return direct ? 0 : conv.geometry().outChannels() * spatial * batch;
    }

    @Override
    public Scratch newScratch(int threads) {
        throw new IllegalStateException("sibling convolutions need the request's transient buffer");
    }

    @Override
    public Scratch newScratch(int threads, float[] transientBuffer) {
        return new Scratch(conv.newScratch(threads), direct ? null : transientBuffer);
    }

    /** One request's scratch: the product's, and the transient buffer the stacked output is written to. */
    public record Scratch(ConvKernel.Scratch conv, float[] stacked) {
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Scratch scratch, WorkerPool pool) {
        float[] in = inputs[0].floats();
        if (direct) {
            conv.run(in, outputs[0].floats(), null, scratch.conv(), pool);
            return;
        }
        float[] stacked = scratch.stacked();
        conv.run(in, stacked, null, scratch.conv(), pool);
        int total = conv.geometry().outChannels() * spatial;
        for (int s = 0, c0 = 0; s < channels.length; c0 += channels[s], s++) {
            float[] out = outputs[s].floats();
            int block = channels[s] * spatial;
            for (int n = 0; n < batch; n++) {
                System.arraycopy(stacked, n * total + c0 * spatial, out, n * block, block);
            }
        }
    }
}
