package dev.infero.cpu;

import dev.infero.core.tensor.Tensor;
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
final class ConvolutionKernel implements Kernel {
    private static final String ISA = "vector" + FloatVector.SPECIES_PREFERRED.vectorBitSize();

    private final ConvKernel gemm;
    private final WindowKernel depthwise;
    private final PostOps post;
    private final String execType;

    ConvolutionKernel(ConvGeometry geometry, float[] weights, PostOps post) {
        this.post = post;
        if (geometry.isDepthwise()) {
            this.depthwise = WindowKernel.depthwise(geometry, weights, post);
            this.gemm = null;
            this.execType = "depthwise_" + ISA + "_FP32";
        } else {
            this.gemm = new ConvKernel(geometry, weights, post);
            this.depthwise = null;
            this.execType = gemm.strategy() + "_" + ISA + "_FP32";
        }
    }

    @Override
    public String execType() {
        return post.isIdentity() ? execType : execType + "+" + post.describe();
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
