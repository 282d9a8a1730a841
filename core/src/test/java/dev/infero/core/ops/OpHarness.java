package dev.infero.core.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.AttributeSink;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpRegistry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one harness of the op tests: an op in a one-node graph. A {@link Tensor} input becomes a constant (so the op is
 * inferred, then evaluated by constant folding and its outputs carry their values), a {@link PartialShape} input an
 * f32 parameter of that shape (so only shape inference runs), {@code null} an absent optional input. Also ops built
 * from IR attributes, the IR round-trip check and small tensor helpers.
 */
public final class OpHarness {
    private OpHarness() {
    }

    /** The node of {@code op} over these inputs (see the class comment for what each kind of input becomes). */
    public static Node run(Op op, Object... inputs) {
        Graph g = new Graph("test");
        Value[] values = new Value[inputs.length];
        for (int i = 0; i < inputs.length; i++) {
            values[i] = switch (inputs[i]) {
                case null -> null;
                case Tensor t -> g.addConstant("in" + i, t).output(0);
                case PartialShape s -> g.addParameter("in" + i, ElementType.F32, s).output(0);
                default -> throw new IllegalArgumentException("not a Tensor or PartialShape: " + inputs[i]);
            };
        }
        return g.add(op, "op", values);
    }

    /** The node of {@code op} with a parameter of {@code type} and {@code shape} as input 0, constants after it. */
    public static Node infer(Op op, ElementType type, PartialShape shape, Tensor... rest) {
        Graph g = new Graph("test");
        Value[] values = new Value[rest.length + 1];
        values[0] = g.addParameter("x", type, shape).output(0);
        for (int i = 0; i < rest.length; i++) {
            values[i + 1] = rest[i] == null ? null : g.addConstant("in" + i, rest[i]).output(0);
        }
        return g.add(op, "op", values);
    }

    /** The first output: type, inferred shape and (for constant inputs) the folded value. */
    public static Value value(Op op, Object... inputs) {
        return run(op, inputs).output(0);
    }

    /** The folded value of the first output. */
    public static Tensor eval(Op op, Object... inputs) {
        return value(op, inputs).knownValue();
    }

    /** The inferred shape of the first output. */
    public static PartialShape shape(Op op, Object... inputs) {
        return value(op, inputs).shape();
    }

    /** The op the IR reader would build for {@code type}/{@code opset} from "name=value" attribute pairs. */
    public static Op fromIr(String type, int opset, String... attributes) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String kv : attributes) {
            int eq = kv.indexOf('=');
            map.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return OpRegistry.factory(type, opset).apply(new AttributeSource("'test' (" + type + ")", map));
    }

    /** describe() must read back, through the registry, into an op that describes itself identically. */
    public static void assertRoundTrips(Op op) {
        AttributeSink.Text text = new AttributeSink.Text();
        op.describe(text);
        Op again = OpRegistry.factory(op.type(), OpRegistry.opsetOf(op.version()))
                .apply(new AttributeSource("'rt'", text.values()));
        assertEquals(op.toString(), again.toString());
        assertEquals(op.version(), again.version());
    }

    public static void assertFloats(float[] expected, Tensor actual, double tolerance) {
        assertEquals(expected.length, actual.size(), "element count");
        float[] a = actual.toFloatArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], a[i], tolerance, "element " + i);
        }
    }

    public static void assertShape(int[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.shape());
    }

    /** An f32 tensor holding 0, 1, 2, ... */
    public static Tensor iota(int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = i;
        }
        return t;
    }

    /** A tensor of the given type holding these values (rounded or wrapped to the type). */
    public static Tensor tensor(ElementType type, int[] shape, double... values) {
        Tensor t = Tensor.allocate(type, shape);
        for (int i = 0; i < values.length; i++) {
            t.setDouble(i, values[i]);
        }
        return t;
    }

    /** A 1-D tensor of the given type. */
    public static Tensor vector(ElementType type, double... values) {
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

    public static long[] longs(Tensor t) {
        return t.toLongArray();
    }

    public static long[] longs(Value v) {
        return v.knownValue().toLongArray();
    }

    public static float[] floats(Value v) {
        return v.knownValue().toFloatArray();
    }
}
