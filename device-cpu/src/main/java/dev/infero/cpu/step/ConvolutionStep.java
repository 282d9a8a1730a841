package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.ConvKernel;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.WindowKernel;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;

/**
 * A 2-D f32 (Group)Convolution with its fused bias, residual add and activation. Inputs: data, then the residual
 * when the post-ops add one.
 */
public final class ConvolutionStep implements CodesWriter {
    private static final String ISA = "vector" + FloatVector.SPECIES_PREFERRED.vectorBitSize();

    private final ConvKernel gemm;
    private final WindowKernel depthwise;
    private final PostOps post;
    private final String precision;
    private final String execType;
    /** "+quantize" when the step writes codes instead of values. */
    private final String quantizes;

    public ConvolutionStep(ConvGeometry geometry, float[] weights, PostOps post) {
        this(geometry.isDepthwise() ? null : new ConvKernel(geometry, weights, post),
                geometry.isDepthwise() ? WindowKernel.depthwise(geometry, weights, post) : null, post, "_FP32", "");
    }

    /** A depthwise convolution of its input's FakeQuantize (see {@link WindowKernel#depthwiseOnCodes}). */
    public ConvolutionStep(ConvGeometry geometry, float[] weights, ActivationQuantizer[] inputCodes, PostOps post) {
        this(null, WindowKernel.depthwiseOnCodes(geometry, weights, inputCodes, post), post, "_FP32_on_I8_codes", "");
    }

    /** {@code precision} ends the exec type after the kernel's strategy and vector width, e.g. {@code _FP32}. */
    private ConvolutionStep(ConvKernel gemm, WindowKernel depthwise, PostOps post, String precision,
                              String quantizes) {
        this.gemm = gemm;
        this.depthwise = depthwise;
        this.post = post;
        this.precision = precision;
        this.execType = (gemm != null ? gemm.strategy() + "_" + gemm.implementation() : "depthwise_" + ISA)
                + precision;
        this.quantizes = quantizes;
    }

    /** Whether {@link #writingCodes} works: always for products, see {@link WindowKernel#canWriteCodes} else. */
    @Override
    public boolean canWriteCodes() {
        return gemm != null || depthwise.canWriteCodes();
    }

    /**
     * This step writing its output's codes instead of the values (see {@link ConvKernel#writingCodes} and
     * {@link WindowKernel#writingCodes}).
     */
    @Override
    public ConvolutionStep writingCodes(ActivationQuantizer[] codes) {
        return gemm != null ? new ConvolutionStep(gemm.writingCodes(codes), null, post, precision, "+quantize")
                : new ConvolutionStep(null, depthwise.writingCodes(codes), post, precision, "+quantize");
    }

    @Override
    public String execType() {
        return (post.isIdentity() ? execType : execType + "+" + post.describe()) + quantizes;
    }

    @Override
    public Object newScratch(int threads) {
        return gemm == null ? depthwise.newScratch(threads) : gemm.newScratch(threads);
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Object scratch, WorkerPool pool) {
        float[] residual = post.hasResidual() ? inputs[1].floats() : null;
        if (gemm != null) {
            gemm.run(inputs[0].floats(), outputs[0].floats(), residual, (ConvKernel.Scratch) scratch, pool);
        } else {
            depthwise.run(inputs[0].floats(), outputs[0].floats(), residual, (WindowKernel.Scratch) scratch, pool);
        }
    }
}
