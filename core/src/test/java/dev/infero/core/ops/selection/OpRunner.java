package dev.infero.core.ops.selection;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/** Builds one-op graphs for tests: constant inputs fold, so outputs carry their values. */
public final class OpRunner {
    private OpRunner() {
    }

    /** The op's node with constant inputs ({@code null} = absent); its outputs hold the evaluated values. */
    public static Node run(Op op, Tensor... inputs) {
        Graph g = new Graph("test");
        Value[] values = new Value[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            values[i] = inputs[i] == null ? null : g.addConstant("in" + i, inputs[i]).output(0);
        }
        return g.add(op, "op", values);
    }

    /** The op's node with a parameter of the given shape as input 0 and constants after it. */
    public static Node infer(Op op, ElementType type, PartialShape shape, Tensor... rest) {
        Graph g = new Graph("test");
        Value[] values = new Value[rest.length + 1];
        values[0] = g.addParameter("x", type, shape).output(0);
        for (int i = 0; i < rest.length; i++) {
            values[i + 1] = rest[i] == null ? null : g.addConstant("in" + i, rest[i]).output(0);
        }
        return g.add(op, "op", values);
    }

    public static long[] longs(Value v) {
        return v.knownValue().toLongArray();
    }

    public static float[] floats(Value v) {
        return v.knownValue().toFloatArray();
    }
}
