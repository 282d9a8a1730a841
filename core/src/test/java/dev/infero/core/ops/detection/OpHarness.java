package dev.infero.core.ops.detection;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helpers: ops built from IR-style attributes, run on constant inputs (so shape inference and evaluation). */
public final class OpHarness {
    private OpHarness() {
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

    /** Adds {@code op} to a graph whose inputs are the given constants: infers, then folds (evaluates) it. */
    public static Node run(Op op, Tensor... inputs) {
        Graph g = new Graph("test");
        List<Value> values = new ArrayList<>();
        for (int i = 0; i < inputs.length; i++) {
            values.add(inputs[i] == null ? null : g.addConstant("in" + i, inputs[i]).output(0));
        }
        return g.add(op, "op", values);
    }

    /** The op's single output value, evaluated. */
    public static Tensor eval(Op op, Tensor... inputs) {
        return run(op, inputs).output(0).knownValue();
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
}
