package dev.infero.core.ops.eltwise;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import java.util.Arrays;

/** Test helper: runs an op on constant inputs through a graph (shape inference, then evaluation by folding). */
public final class OpEval {
    private OpEval() {
    }

    /** The op's single output for these inputs. */
    public static Tensor eval(Op op, Tensor... inputs) {
        return node(op, inputs).knownValue();
    }

    /** The op's output value (type, shape, and the folded result) for these inputs. */
    public static Value node(Op op, Tensor... inputs) {
        Graph g = new Graph("test");
        Value[] values = Arrays.stream(inputs).map(t -> g.addConstant("c", t).output(0)).toArray(Value[]::new);
        return g.add(op, op.type(), values).output(0);
    }

    /** A tensor of the given type holding these values (rounded or wrapped to the type). */
    public static Tensor tensor(dev.infero.core.types.ElementType type, int[] shape, double... values) {
        Tensor t = Tensor.allocate(type, shape);
        for (int i = 0; i < values.length; i++) {
            t.setDouble(i, values[i]);
        }
        return t;
    }

    /** A 1-D tensor of the given type. */
    public static Tensor vector(dev.infero.core.types.ElementType type, double... values) {
        return tensor(type, new int[] {values.length}, values);
    }

    /** All elements as doubles. */
    public static double[] doubles(Tensor t) {
        double[] d = new double[t.size()];
        for (int i = 0; i < d.length; i++) {
            d[i] = t.getDouble(i);
        }
        return d;
    }

    /** All elements as longs. */
    public static long[] longs(Tensor t) {
        return t.toLongArray();
    }
}
