package dev.infero.cpu.step;

import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedMatMulKernel;
import dev.infero.cpu.parallel.WorkerPool;

/** An INT8 fully connected layer with its dequantizing post-ops (see {@code fusion.QuantizedMatMul}). */
public final class QuantizedMatMulStep implements Step<QuantizedMatMulKernel.Scratch> {
    private final QuantizedMatMulKernel matMul;
    private final ExecType execType;

    /** {@code unscaled}: the fused post-ops without the dequantizing scale, for the exec type. */
    public QuantizedMatMulStep(QuantizedMatMulKernel matMul, PostOps unscaled) {
        this.matMul = matMul;
        this.execType = ExecType.vector(matMul.isGemv() ? "gemv" : "gemm", "I8").with("scale").with(unscaled);
    }

    @Override
    public ExecType execType() {
        return execType;
    }

    @Override
    public QuantizedMatMulKernel.Scratch newScratch(int threads) {
        return matMul.newScratch(threads);
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, QuantizedMatMulKernel.Scratch scratch, WorkerPool pool) {
        QuantizedMatMulKernel.Scratch s = scratch != null ? scratch : matMul.newScratch(pool.threads());
        matMul.run(inputs[0].floats(), outputs[0].floats(), s, pool);
    }
}
