package dev.infero.onnx.ops;

import dev.infero.onnx.OnnxTranslator;
import java.util.Map;

/** Reductions, arg-max/min, top-k, non-max suppression, resize and quantization. */
public final class ReductionOps {
    private ReductionOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
    }
}
