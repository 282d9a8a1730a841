package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.ConvKernel;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.WindowKernel;
import dev.infero.cpu.parallel.WorkerPool;

/**
 * A 2-D f32 (Group)Convolution with its fused bias, residual add and activation. Inputs: data, then the residual
 * when the post-ops add one.
 */
public final class ConvolutionStep implements CodesWriter<ConvolutionStep.Scratch> {
    private final ConvKernel gemm;
    private final WindowKernel depthwise;
    private final PostOps post;
    private final String precision;
    private final boolean writesCodes;
    private final boolean writesQuads;
    private final ExecType execType;
    /** Where the depthwise output's element 0 is written in the output array (an in-place Concat input), else 0. */
    private final int outBase;

    public ConvolutionStep(ConvGeometry geometry, float[] weights, PostOps post) {
        this(geometry.isDepthwise() ? null : new ConvKernel(geometry, weights, post),
                geometry.isDepthwise() ? WindowKernel.depthwise(geometry, weights, post) : null, post, "FP32", false);
    }

    /** A depthwise convolution of its input's FakeQuantize (see {@link WindowKernel#depthwiseOnCodes}). */
    public ConvolutionStep(ConvGeometry geometry, float[] weights, ActivationQuantizer[] inputCodes, PostOps post) {
        this(null, WindowKernel.depthwiseOnCodes(geometry, weights, inputCodes, post), post, "FP32_on_I8_codes", false);
    }

    /** {@code precision} ends the exec type after the kernel's strategy and vector width, e.g. {@code FP32}. */
    private ConvolutionStep(ConvKernel gemm, WindowKernel depthwise, PostOps post, String precision,
                            boolean writesCodes) {
        this(gemm, depthwise, post, precision, writesCodes, false, 0);
    }

    private ConvolutionStep(ConvKernel gemm, WindowKernel depthwise, PostOps post, String precision,
                            boolean writesCodes, boolean writesQuads, int outBase) {
        this.outBase = outBase;
        this.gemm = gemm;
        this.writesQuads = writesQuads;
        this.depthwise = depthwise;
        this.post = post;
        this.precision = precision;
        this.writesCodes = writesCodes;
        ExecType type = (gemm != null ? ExecType.of(gemm.strategy() + "_" + gemm.implementation(), precision)
                : ExecType.of("depthwise_" + depthwise.implementation(), precision)).with(post);
        this.execType = writesQuads ? type.writingQuads() : writesCodes ? type.writingCodes() : type;
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
        return gemm != null ? new ConvolutionStep(gemm.writingCodes(codes), null, post, precision, true)
                : new ConvolutionStep(null, depthwise.writingCodes(codes), post, precision, true);
    }

    /** Whether {@link #readingCodes} works: a depthwise convolution of codes that quantizes its input itself. */
    public boolean canReadCodes() {
        return depthwise != null && depthwise.canReadCodes();
    }

    /**
     * This depthwise convolution of codes reading the codes that the step before wrote in place of its output (see
     * {@link WindowKernel#readingCodes}).
     */
    public ConvolutionStep readingCodes() {
        return new ConvolutionStep(null, depthwise.readingCodes(), post, precision, writesCodes, writesQuads, outBase);
    }

    /** Whether {@link #writingQuads} works: a depthwise step writing codes from generated AVX-512 code. */
    public boolean canWriteQuads() {
        return depthwise != null && writesCodes && depthwise.canWriteQuads();
    }

    /** This step writing its codes as u8 quads (see {@link WindowKernel#writingQuads}). */
    public ConvolutionStep writingQuads() {
        return new ConvolutionStep(null, depthwise.writingQuads(), post, precision, true, true, 0);
    }

    /**
     * This convolution writing at {@code offset} of the output array (see {@link ConvKernel#writingAt} and
     * {@link WindowKernel#canWriteAt}), or {@code null}; a product writes its codes there too (the post-ops store
     * at the output's offsets), a depthwise window kernel never when it writes codes.
     */
    @Override
    public ConvolutionStep writingAt(int offset) {
        if (gemm == null) {
            return !writesCodes && depthwise.canWriteAt()
                    ? new ConvolutionStep(null, depthwise, post, precision, false, false, offset) : null;
        }
        ConvKernel shifted = gemm.writingAt(offset);
        return shifted == null ? null : new ConvolutionStep(shifted, null, post, precision, writesCodes);
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    @Override
    public Scratch newScratch(int threads) {
        return gemm == null ? new Scratch(null, depthwise.newScratch(threads))
                : new Scratch(gemm.newScratch(threads), null);
    }

    /** One request's scratch: the product's or the depthwise window's. */
    public record Scratch(ConvKernel.Scratch gemm, WindowKernel.Scratch depthwise) {
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Scratch scratch, WorkerPool pool) {
        float[] residual = post.hasResidual() ? inputs[1].floats() : null;
        if (gemm != null) {
            gemm.run(inputs[0].floats(), outputs[0].floats(), residual, scratch == null ? null : scratch.gemm(), pool);
        } else {
            WindowKernel.Scratch ws = scratch == null ? null : scratch.depthwise();
            if (outBase != 0) {
                depthwise.run(inputs[0].floats(), outputs[0].floats(), outBase, ws, pool);
            } else {
                depthwise.run(inputs[0].floats(), outputs[0].floats(), residual, ws, pool);
            }
        }
    }
}
