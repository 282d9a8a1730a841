package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.DeconvKernel;
import dev.infero.cpu.kernels.MicroKernel;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.parallel.WorkerPool;

/** A 2-D f32 transposed convolution with its fused bias, per-channel scale and activation ({@link DeconvKernel}). */
public final class DeconvolutionStep implements Step<DeconvKernel.Scratch> {
    private final DeconvKernel kernel;
    private final ExecType execType;

    public DeconvolutionStep(DeconvKernel.Geometry geometry, float[] weights, PostOps post) {
        this.kernel = new DeconvKernel(geometry, weights, post, MicroKernel.forCompilation());
        this.execType = ExecType.of("deconv_gemm_" + kernel.implementation(), "FP32").with(post);
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    @Override
    public DeconvKernel.Scratch newScratch(int threads) {
        return kernel.newScratch(threads);
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, DeconvKernel.Scratch scratch, WorkerPool pool) {
        kernel.run(inputs[0].floats(), outputs[0].floats(), scratch, pool);
    }
}
