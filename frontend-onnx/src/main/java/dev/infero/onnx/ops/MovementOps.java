package dev.infero.onnx.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.tensor.Tensor;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.List;
import java.util.Map;

/** Shape and data movement: reshape, transpose, slicing, gathering, padding, tiling. */
public final class MovementOps {
    private MovementOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("Reshape", MovementOps::reshape);
        r.put("Squeeze", n -> List.of(n.add(new Squeeze(), axesInputs(n))));
        r.put("Unsqueeze", n -> List.of(n.add(new Unsqueeze(), axesInputs(n))));
    }

    private static List<Value> reshape(OnnxNode n) {
        if (n.opset() < 5) {
            long[] shape = n.attrInts("shape", null);
            if (shape == null) {
                throw n.error("has no shape attribute");
            }
            return List.of(n.add(new Reshape(true), n.requireInput(0), n.constant(Tensor.vector(shape))));
        }
        boolean allowZero = n.attrInt("allowzero", 0) != 0;
        return List.of(n.add(new Reshape(!allowZero), n.requireInput(0), n.requireInput(1)));
    }

    /**
     * Data plus axes for ops whose axes moved from an attribute to input 1 in opset 13 (Squeeze, Unsqueeze,
     * ReduceSum, ...): returns the inputs in the opset-13 form.
     */
    public static Value[] axesInputs(OnnxNode n) {
        Value data = n.requireInput(0);
        if (n.opset() >= 13) {
            return n.hasInput(1) ? new Value[] {data, n.input(1)} : new Value[] {data};
        }
        long[] axes = n.attrInts("axes", null);
        return axes == null ? new Value[] {data} : new Value[] {data, n.constant(Tensor.vector(axes))};
    }
}
