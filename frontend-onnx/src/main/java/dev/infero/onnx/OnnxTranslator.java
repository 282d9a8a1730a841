package dev.infero.onnx;

import dev.infero.core.graph.Value;
import java.util.List;

/**
 * Translates one ONNX node into Infero graph nodes (OpenVINO-style ops). Returns the values that stand for the
 * ONNX node's outputs, in order; it may return fewer when trailing optional outputs are not produced.
 */
@FunctionalInterface
public interface OnnxTranslator {
    List<Value> translate(OnnxNode node);
}
