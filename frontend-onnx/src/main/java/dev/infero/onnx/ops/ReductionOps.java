package dev.infero.onnx.ops;

import dev.infero.onnx.OnnxTranslator;
import java.util.Map;

/** Reductions (ReduceMean, ReduceSum, ...). */
public final class ReductionOps {
    private ReductionOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
    }
}
