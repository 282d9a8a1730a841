package dev.infero.onnx.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Maximum;
import dev.infero.core.ops.eltwise.Minimum;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import dev.infero.onnx.TensorProtos;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Element-wise arithmetic, activations, comparisons and logic. */
public final class ElementwiseOps {
    private ElementwiseOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("Add", binary(Add::new));
        r.put("Sub", binary(Subtract::new));
        r.put("Mul", binary(Multiply::new));
        r.put("Div", binary(Divide::new));
        r.put("Max", variadic(Maximum::new));
        r.put("Min", variadic(Minimum::new));
        r.put("Cast", n -> List.of(n.add(new Convert(TensorProtos.elementType((int) n.attrInt("to", 0),
                "Cast target")), n.requireInput(0))));
    }

    static OnnxTranslator binary(Supplier<Op> op) {
        return n -> {
            if (n.opset() < 7 && n.attrInt("broadcast", 0) != 0 && n.has("axis")) {
                throw n.error("legacy broadcast with an axis (opset < 7) is not supported");
            }
            return List.of(n.add(op.get(), n.requireInput(0), n.requireInput(1)));
        };
    }

    /** Max/Min/Sum-style ops over any number of inputs: a left fold of the binary op. */
    static OnnxTranslator variadic(Supplier<Op> op) {
        return n -> {
            Value acc = n.requireInput(0);
            for (int i = 1; i < n.inputCount(); i++) {
                acc = n.add(op.get(), acc, n.requireInput(i));
            }
            return List.of(acc);
        };
    }
}
