package dev.infero.cpu.fusion;

import dev.infero.core.graph.Node;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.QuantizedMatMulKernel;
import dev.infero.cpu.step.MatMulStep;
import dev.infero.cpu.step.QuantizedMatMulStep;

/**
 * Recognises a fully connected layer of an INT8 model — a MatMul whose data input is a per-tensor FakeQuantize with
 * an integer zero point and whose constant weights are INT8 codes times one scale per output column (found and
 * checked as {@link Int8Patterns#weightCodes} does) — and runs it on the codes with
 * {@link QuantizedMatMulKernel}: the step reads the FakeQuantize's input and quantizes it itself. Anything else is
 * left to {@link MatMulStep}.
 */
final class QuantizedMatMul {
    private QuantizedMatMul() {
    }

    /**
     * The INT8 plan for {@code mm} computing {@code [rows, depth] · [depth, columns]} (weights stored
     * {@code [columns, depth]} when {@code transposeB}), or {@code null}. {@code post}: bias and activation.
     */
    static Int8Plan plan(Node mm, boolean transposeB, int rows, int depth, int columns, PostOps post) {
        Node fq = mm.input(0).node();
        ActivationQuantizer quantizer = Int8Patterns.quantizerOf(fq);
        if (quantizer == null || (long) depth * quantizer.maxAbsCode() * 128 > Integer.MAX_VALUE) {
            return null;
        }
        float[][] weights = Int8Patterns.weightCodes(mm.input(1), columns, !transposeB);
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
        return new Int8Plan(fq, fq.input(0), new QuantizedMatMulStep(kernel, post));
    }
}
