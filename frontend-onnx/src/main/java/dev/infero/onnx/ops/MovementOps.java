package dev.infero.onnx.ops;

import dev.infero.onnx.OnnxTranslator;
import java.util.Map;

/** Shape and data movement: reshape, transpose, slicing, gathering, padding, tiling. */
public final class MovementOps {
    private MovementOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
    }
}
