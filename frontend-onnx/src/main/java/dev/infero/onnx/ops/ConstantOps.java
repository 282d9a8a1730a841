package dev.infero.onnx.ops;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Broadcast;
import dev.infero.core.ops.movement.Range;
import dev.infero.core.ops.movement.ShapeOf;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.List;
import java.util.Map;

/** Constants and generated constants (ConstantOfShape, Range), and the ops that vanish at inference time. */
public final class ConstantOps {
    private ConstantOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("Constant", ConstantOps::constant);
        r.put("Identity", n -> List.of(n.requireInput(0)));
        r.put("Dropout", ConstantOps::dropout);
        r.put("ConstantOfShape", ConstantOps::constantOfShape);
        r.put("Range", n -> List.of(n.add(new Range(n.requireInput(0).type()), n.requireInput(0), n.requireInput(1),
                n.requireInput(2))));
    }

    private static List<Value> constant(OnnxNode n) {
        Tensor t;
        if (n.has("value")) {
            t = n.attrTensor("value");
        } else if (n.has("value_float")) {
            t = Tensor.of(new float[] {n.attrFloat("value_float", 0)});
        } else if (n.has("value_floats")) {
            float[] f = n.attrFloats("value_floats", new float[0]);
            t = Tensor.of(f, f.length);
        } else if (n.has("value_int")) {
            t = Tensor.of(new long[] {n.attrInt("value_int", 0)});
        } else if (n.has("value_ints")) {
            long[] v = n.attrInts("value_ints", new long[0]);
            t = Tensor.of(v, v.length);
        } else if (n.has("value_string") || n.has("value_strings")) {
            throw new UnsupportedModelException("Constant node '" + n.name() + "' holds strings, which Infero does not support");
        } else if (n.has("sparse_value")) {
            throw new UnsupportedModelException("Constant node '" + n.name() + "' holds a sparse tensor, which Infero does not support");
        } else {
            throw n.error("has no value attribute");
        }
        return List.of(n.constant(t));
    }

    /** The {@code value} attribute (one element, default f32 0) broadcast to the shape given by input 0. */
    private static List<Value> constantOfShape(OnnxNode n) {
        Tensor value = n.attrTensor("value");
        if (value == null) {
            value = Tensor.scalar(0f);
        } else if (value.size() != 1) {
            throw n.error("value must hold exactly one element, got " + value.describe());
        }
        return List.of(n.add(new Broadcast(Broadcast.Mode.NUMPY), n.constant(value.reshape()), n.requireInput(0)));
    }

    /**
     * Inference-mode Dropout is the identity. Its optional mask output is all ones: boolean since opset 10, of the
     * data type before; shaped like the data, so it folds to a constant when that shape is static.
     */
    private static List<Value> dropout(OnnxNode n) {
        if (n.opset() >= 12 && n.hasInput(2)) {
            Tensor training = n.input(2).knownValue();
            if (training == null || training.getLong(0) != 0) {
                throw new UnsupportedModelException("Dropout node '" + n.name() + "' runs in training mode, which Infero does not support");
            }
        }
        Value x = n.requireInput(0);
        if (!n.hasOutput(1)) {
            return List.of(x);
        }
        ElementType maskType = n.opset() >= 10 ? ElementType.BOOLEAN : x.type();
        Tensor one = Tensor.allocate(maskType);
        one.setLong(0, 1);
        Value mask = n.add(new Broadcast(Broadcast.Mode.NUMPY), n.constant(one),
                n.add(new ShapeOf(ElementType.I64), x));
        return List.of(x, mask);
    }
}
