package dev.infero.cpu.step;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.cpu.jit.VectorExp;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Standalone Add, Subtract, Multiply, Divide, ReLU, Sigmoid and BatchNormInference equal the ops' reference evaluation with every broadcast the step plans, however
 * the output is cut into parts (each part run as one thread would run it, for 1 to 5 parts).
 */
class EltwiseStepTest {
    private static Tensor random(Random r, int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = r.nextFloat() * 2 - 1;
        }
        return t;
    }

    @ParameterizedTest(name = "{0}: {1} with {2}")
    @CsvSource({"add,2x5x7x3,2x5x7x3", "add,2x5x7x3,1", "add,1x5x1x1,2x5x7x3", "multiply,2x5x7x3,5x1x1",
            "multiply,1,2x5x7x3", "multiply,3x37,3x37",
        "subtract,2x5x7x3,1", "subtract,1,2x5x7x3", "subtract,1x5x1x1,2x5x7x3", "divide,2x5x7x3,5x1x1",
        "divide,1,2x5x7x3", "divide,3x37,3x37", "subtract,1x16x16x3,3", "divide,1x16x16x3,1x1x1x3",
        "multiply,1x32x24x24,1x32x1x1", "subtract,1x4x1x1,1x4x9x40", "divide,1,1x3x20x20", "add,1x3x20x20,1",
        "divide,2x6x17x19,6x1x1", "subtract,2x6x17x19,1",
        "add,7x1x5,2x3x7x1x5", "multiply,3x7x5,7x5", "multiply,2x5x7x3,7x3", "relu,2x5x7x3,", "relu,101,", "sigmoid,2x5x7x3,", "sigmoid,37,"})
    void everySplitMatchesTheReference(String op, String a, String b) {
        Random r = new Random(op.hashCode() + a.hashCode());
        Graph g = new Graph("eltwise");
        int[] sa = dims(a);
        Tensor ta = random(r, sa);
        Value x = g.addParameter("a", ElementType.F32, PartialShape.of(sa)).output(0);
        Tensor[] inputs;
        Value y;
        if (op.equals("relu") || op.equals("sigmoid")) {
            y = g.value(op.equals("relu") ? new Relu() : new Sigmoid(), "y", x);
            inputs = new Tensor[] {ta};
        } else {
            int[] sb = dims(b);
            Tensor tb = random(r, sb);
            Value x2 = g.addParameter("b", ElementType.F32, PartialShape.of(sb)).output(0);
            Op o = switch (op) {
                case "add" -> new Add();
                case "subtract" -> new Subtract();
                case "divide" -> new Divide();
                default -> new Multiply();
            };
            y = g.value(o, "y", x, x2);
            inputs = new Tensor[] {ta, tb};
        }
        Node node = y.node();
        EltwiseStep step = EltwiseStep.of(node);
        assertNotNull(step);
        int[] shape = y.shape().toArray();
        Tensor expected = Tensor.allocate(ElementType.F32, shape);
        node.op().evaluate(inputs, new Tensor[] {expected});
        for (int parts = 1; parts <= 5; parts++) {
            Tensor actual = Tensor.allocate(ElementType.F32, shape);
            step.runInParts(inputs, new Tensor[] {actual}, parts);
            // Sigmoid too: the step and the op both compute FloatExp.sigmoid, vector lanes and tails alike.
            assertArrayEquals(expected.floats(), actual.floats(), 0f, parts + " parts");
        }
    }

    @ParameterizedTest(name = "BatchNormInference on {0}")
    @CsvSource({"1x6x9x11", "2x3x5", "2x4", "1x32x15x15x2"})
    void standaloneBatchNormMatchesTheReference(String shape) {
        Random r = new Random(shape.hashCode());
        int[] s = dims(shape);
        int c = s[1];
        Graph g = new Graph("bn");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(s)).output(0);
        Tensor variance = random(r, c);
        for (int i = 0; i < c; i++) {
            variance.floats()[i] = java.lang.Math.abs(variance.floats()[i]) + 0.1f;
        }
        Value[] params = {g.addConstant("gamma", random(r, c)).output(0), g.addConstant("beta", random(r, c)).output(0),
                g.addConstant("mean", random(r, c)).output(0), g.addConstant("variance", variance).output(0)};
        Value y = g.value(new BatchNormInference(1e-5), "y", x, params[0], params[1], params[2], params[3]);
        EltwiseStep step = EltwiseStep.of(y.node());
        assertNotNull(step);
        Tensor in = random(r, s);
        Tensor[] inputs = {in, params[0].knownValue(), params[1].knownValue(), params[2].knownValue(),
                params[3].knownValue()};
        Tensor expected = Tensor.allocate(ElementType.F32, s);
        y.node().op().evaluate(inputs, new Tensor[] {expected});
        for (int parts = 1; parts <= 5; parts++) {
            Tensor actual = Tensor.allocate(ElementType.F32, s);
            step.runInParts(inputs, new Tensor[] {actual}, parts);
            // The reference applies scale and shift in double, the step in f32: a few ulp of values below ~10.
            assertArrayEquals(expected.floats(), actual.floats(), 1e-5f, parts + " parts");
        }
    }

    @Test
    void sigmoidIsTheGeneratedSigmoidInLanesAndTailsColdAndWarm() {
        // Values beyond the exp's clamps and edges, cut into 1 to 5 parts (each part a vector body and a tail).
        int[] s = {1, 3, 37, 13};
        Graph g = new Graph("sigmoid");
        Value y = g.value(new Sigmoid(), "y", g.addParameter("x", ElementType.F32, PartialShape.of(s)).output(0));
        EltwiseStep step = EltwiseStep.of(y.node());
        assertNotNull(step);
        Tensor in = Tensor.allocate(ElementType.F32, s);
        float[] x = in.floats();
        Random r = new Random(5);
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat() * 200 - 100;
        }
        float[] edges = {0f, -0f, Float.MIN_VALUE, -86f, java.lang.Math.nextDown(-86f), 88f,
            java.lang.Math.nextUp(88f), 89f, -89f, 1e-8f, -1e-8f, Float.MAX_VALUE, -Float.MAX_VALUE,
            Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN};
        for (int i = 0; i < x.length; i += 97) {
            x[i] = edges[i / 97 % edges.length];
        }
        Tensor out = Tensor.allocate(ElementType.F32, s);
        for (int round = 0; round < 3_000; round++) {
            step.runInParts(new Tensor[] {in}, new Tensor[] {out}, 1 + round % 5);
            for (int i = 0; i < x.length; i++) {
                float e = VectorExp.sigmoidScalar(x[i]);
                if (Float.floatToIntBits(e) != Float.floatToIntBits(out.floats()[i])) {
                    fail("sigmoid of " + x[i] + " (index " + i + ") on call " + round + ": " + out.floats()[i]
                            + ", generated code " + e);
                }
            }
        }
    }

    private static int[] dims(String s) {
        return java.util.Arrays.stream(s.split("x")).mapToInt(Integer::parseInt).toArray();
    }
}
