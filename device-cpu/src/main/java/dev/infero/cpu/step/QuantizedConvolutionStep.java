package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedConvKernel;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;

/** An INT8 (Group)Convolution with its dequantizing post-ops (see {@code fusion.QuantizedConvolution}). */
public final class QuantizedConvolutionStep implements CodesWriter {
    private static final String ISA = "vector" + FloatVector.SPECIES_PREFERRED.vectorBitSize();

    private final QuantizedConvKernel conv;
    private final String execType;

    /** {@code unscaled}: the fused post-ops without the dequantizing scale, for the exec type. */
    public QuantizedConvolutionStep(QuantizedConvKernel conv, PostOps unscaled) {
        this.conv = conv;
        String post = unscaled.isIdentity() ? "" : "+" + unscaled.describe();
        this.execType = conv.strategy() + (conv.onTiles() ? "" : "_" + ISA) + "_I8+scale" + post;
    }

    private QuantizedConvolutionStep(QuantizedConvKernel conv, String execType) {
        this.conv = conv;
        this.execType = execType;
    }

    /** This step reading codes that the step before wrote (see {@link QuantizedConvKernel#readingCodes}). */
    public QuantizedConvolutionStep readingCodes() {
        return new QuantizedConvolutionStep(conv.readingCodes(), execType);
    }

    @Override
    public boolean canWriteCodes() {
        return true;
    }

    /** This step writing the codes of the INT8 layers after it (see {@link QuantizedConvKernel#writingCodes}). */
    @Override
    public QuantizedConvolutionStep writingCodes(ActivationQuantizer[] perChannel) {
        return new QuantizedConvolutionStep(conv.writingCodes(perChannel), execType + "+quantize");
    }

    @Override
    public String execType() {
        return execType;
    }

    @Override
    public Object newScratch(int threads) {
        return conv.newScratch(threads);
    }

    @Override
    public int transientFloats() {
        return conv.codesFloats();
    }

    @Override
    public Object newScratch(int threads, float[] transientBuffer) {
        return conv.newScratch(threads, transientBuffer);
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Object scratch, WorkerPool pool) {
        QuantizedConvKernel.Scratch s = scratch != null ? (QuantizedConvKernel.Scratch) scratch
                : conv.newScratch(pool.threads());
        float[] residual = inputs.length > 1 ? inputs[1].floats() : null;
        conv.run(inputs[0].floats(), outputs[0].floats(), residual, s, pool);
    }
}
