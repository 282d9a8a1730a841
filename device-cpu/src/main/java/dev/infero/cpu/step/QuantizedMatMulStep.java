package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedMatMulKernel;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;

/** An INT8 fully connected layer with its dequantizing post-ops (see {@code fusion.QuantizedMatMul}). */
public final class QuantizedMatMulStep implements Step {
    private final QuantizedMatMulKernel matMul;
    private final String execType;

    /** {@code unscaled}: the fused post-ops without the dequantizing scale, for the exec type. */
    public QuantizedMatMulStep(QuantizedMatMulKernel matMul, PostOps unscaled) {
        this.matMul = matMul;
        String post = unscaled.isIdentity() ? "" : "+" + unscaled.describe();
        this.execType = (matMul.isGemv() ? "gemv_" : "gemm_") + "vector"
                + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "_I8+scale" + post;
    }

    @Override
    public String execType() {
        return execType;
    }

    @Override
    public Object newScratch(int threads) {
        return matMul.newScratch(threads);
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Object scratch, WorkerPool pool) {
        QuantizedMatMulKernel.Scratch s = scratch != null ? (QuantizedMatMulKernel.Scratch) scratch
                : matMul.newScratch(pool.threads());
        matMul.run(inputs[0].floats(), outputs[0].floats(), s, pool);
    }
}
