package dev.infero.core.ops.movement;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.stream.IntStream;

/**
 * Test helper: runs a movement op through a graph. Tensor arguments become constants (so the op is inferred and
 * then evaluated by constant folding); {@link PartialShape} arguments become f32 parameters of that shape (so only
 * shape inference runs); {@code null} is an absent optional input.
 */
final class MovementEval {
    private MovementEval() {
    }

    /** The node built from these inputs. */
    static Node node(Op op, Object... inputs) {
        Graph g = new Graph("test");
        Value[] values = new Value[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            values[i] = switch (inputs[i]) {
                case null -> null;
                case Tensor t -> g.addConstant("c" + i, t).output(0);
                case PartialShape s -> g.addParameter("p" + i, ElementType.F32, s).output(0);
                default -> throw new IllegalArgumentException("not an input: " + inputs[i]);
            };
        }
        return g.add(op, op.type(), values);
    }

    /** The (folded) first output value. */
    static Tensor eval(Op op, Object... inputs) {
        return node(op, inputs).output(0).knownValue();
    }

    /** The inferred shape of the first output. */
    static PartialShape shape(Op op, Object... inputs) {
        return node(op, inputs).output(0).shape();
    }

    /** An f32 tensor holding 0, 1, 2, ... */
    static Tensor iota(int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = i;
        }
        return t;
    }

    static float[] floats(float... v) {
        return v;
    }

    static float[] range(int n) {
        float[] f = new float[n];
        IntStream.range(0, n).forEach(i -> f[i] = i);
        return f;
    }
}
