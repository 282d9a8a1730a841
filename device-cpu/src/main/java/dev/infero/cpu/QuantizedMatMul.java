package dev.infero.cpu;

import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedMatMulKernel;
import dev.infero.cpu.parallel.WorkerPool;
import jdk.incubator.vector.FloatVector;

/**
 * Recognises a fully connected layer of an INT8 model — a MatMul whose data input is a per-tensor FakeQuantize with
 * an integer zero point and whose constant weights are INT8 codes times one scale per output column (found and
 * checked as {@link QuantizedConvolution#weightCodes} does) — and runs it on the codes with
 * {@link QuantizedMatMulKernel}: the step reads the FakeQuantize's input and quantizes it itself. Anything else is
 * left to {@link MatMulKernel}.
 */
final class QuantizedMatMul {
    private QuantizedMatMul() {
    }

    /**
     * The INT8 plan for {@code mm} computing {@code [rows, depth] · [depth, columns]} (weights stored
     * {@code [columns, depth]} when {@code transposeB}), or {@code null}. {@code post}: bias and activation.
     */
    static QuantizedConvolution.Plan plan(Node mm, boolean transposeB, int rows, int depth, int columns,
                                          PostOps post) {
        Node fq = mm.input(0).node();
        ActivationQuantizer quantizer = QuantizedConvolution.quantizerOf(fq);
        if (quantizer == null || (long) depth * quantizer.maxAbsCode() * 128 > Integer.MAX_VALUE) {
            return null;
        }
        float[][] weights = QuantizedConvolution.weightCodes(mm.input(1), columns, !transposeB);
        if (weights == null) {
            return null;
        }
        byte[] codes = new byte[columns * depth];
        for (int j = 0; j < columns; j++) {
            for (int p = 0; p < depth; p++) {
                codes[j * depth + p] = (byte) weights[0][transposeB ? j * depth + p : p * columns + j];
            }
        }
        float[] dequantize = new float[columns];
        for (int j = 0; j < columns; j++) {
            dequantize[j] = (float) (quantizer.step() * weights[1][j]);
        }
        var kernel = new QuantizedMatMulKernel(rows, depth, columns, codes, quantizer, post.scaledBy(dequantize));
        return new QuantizedConvolution.Plan(fq, fq.input(0), new Step(kernel, post));
    }

    /** The step kernel: an INT8 fully connected layer with its dequantizing post-ops. */
    private static final class Step implements Kernel {
        private final QuantizedMatMulKernel matMul;
        private final String execType;

        Step(QuantizedMatMulKernel matMul, PostOps unscaled) {
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
}
