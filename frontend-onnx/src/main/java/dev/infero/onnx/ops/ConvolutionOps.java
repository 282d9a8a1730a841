package dev.infero.onnx.ops;

import dev.infero.onnx.OnnxTranslator;
import java.util.Map;

/** Convolution, pooling, normalization, matrix multiplication and softmax. */
public final class ConvolutionOps {
    private ConvolutionOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
    }
}
