package dev.infero.onnx.ops;

import dev.infero.onnx.OnnxTranslator;
import java.util.Map;

/** Arg-max/min, top-k, non-max suppression, gather/scatter by index, one-hot, resize, quantization. */
public final class SelectionOps {
    private SelectionOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
    }
}
