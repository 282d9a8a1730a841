package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedConvKernel;
import dev.infero.cpu.parallel.WorkerPool;

/** An INT8 (Group)Convolution with its dequantizing post-ops (see {@code fusion.QuantizedConvolution}). */
public final class QuantizedConvolutionStep implements CodesWriter<QuantizedConvKernel.Scratch> {
    private final QuantizedConvKernel conv;
    private final ExecType execType;

    /** {@code unscaled}: the fused post-ops without the dequantizing scale, for the exec type. */
    public QuantizedConvolutionStep(QuantizedConvKernel conv, PostOps unscaled) {
        this.conv = conv;
        this.execType = (conv.onTiles() ? ExecType.of(conv.strategy(), "I8") : ExecType.vector(conv.strategy(), "I8"))
                .with("scale").with(unscaled);
    }

    private QuantizedConvolutionStep(QuantizedConvKernel conv, ExecType execType) {
        this.conv = conv;
        this.execType = execType;
    }

    /** This step reading codes that the step before wrote (see {@link QuantizedConvKernel#readingCodes}). */
    public QuantizedConvolutionStep readingCodes() {
        return new QuantizedConvolutionStep(conv.readingCodes(), execType);
    }

    /** Whether {@link #readingQuads} works (see {@link QuantizedConvKernel#canReadQuads}). */
    public boolean canReadQuads() {
        return conv.canReadQuads();
    }

    /** This step reading the u8 quads the step before wrote (see {@link QuantizedConvKernel#readingQuads}). */
    public QuantizedConvolutionStep readingQuads() {
        return new QuantizedConvolutionStep(conv.readingQuads(), execType);
    }

    @Override
    public boolean canWriteCodes() {
        return true;
    }

    /** This step writing the codes of the INT8 layers after it (see {@link QuantizedConvKernel#writingCodes}). */
    @Override
    public QuantizedConvolutionStep writingCodes(ActivationQuantizer[] perChannel) {
        return new QuantizedConvolutionStep(conv.writingCodes(perChannel), execType.writingCodes());
    }

    /**
     * This step writing its output block at {@code offset} of the output array (an in-place Concat input; see
     * {@link QuantizedConvKernel#writingAt}), or {@code null} with a residual. Codes it writes go there too.
     */
    @Override
    public QuantizedConvolutionStep writingAt(int offset) {
        QuantizedConvKernel shifted = conv.writingAt(offset);
        return shifted == null ? null : new QuantizedConvolutionStep(shifted, execType);
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    @Override
    public QuantizedConvKernel.Scratch newScratch(int threads) {
        return conv.newScratch(threads);
    }

    @Override
    public int transientFloats(int threads) {
        return conv.codesFloats();
    }

    @Override
    public QuantizedConvKernel.Scratch newScratch(int threads, float[] transientBuffer) {
        return conv.newScratch(threads, transientBuffer);
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, QuantizedConvKernel.Scratch scratch, WorkerPool pool) {
        QuantizedConvKernel.Scratch s = scratch != null ? scratch : conv.newScratch(pool.threads());
        float[] residual = inputs.length > 1 ? inputs[1].floats() : null;
        conv.run(inputs[0].floats(), outputs[0].floats(), residual, s, pool);
    }
}
