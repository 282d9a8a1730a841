package dev.infero.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.List;
import org.junit.jupiter.api.Test;

class PassesTest {
    private static Value input(Graph g) {
        return g.addParameter("x", ElementType.F32, PartialShape.of(2, 3)).output(0);
    }

    private static List<String> types(Graph g) {
        return g.nodes().stream().map(Node::type).toList();
    }

    @Test
    void constantFoldingReplacesComputationsOnConstantsByTheirValue() {
        Graph g = new Graph("m");
        Value x = input(g);
        Value a = g.addConstant("a", Tensor.of(new float[] {1, 2, 3}, 3)).output(0);
        Value b = g.addConstant("b", Tensor.of(new float[] {10, 20, 30}, 3)).output(0);
        Value ab = g.value(new Multiply(), "ab", a, b);
        g.addResult("y", g.value(new Add(), "add", x, ab));
        assertEquals(1, new ConstantFolding().apply(g));
        assertEquals(List.of("Parameter", "Const", "Add", "Result"), types(g));
        Constant folded = (Constant) g.nodes().get(1).op();
        assertTrue(folded.value().contentEquals(Tensor.of(new float[] {10, 40, 90}, 3)));
    }

    @Test
    void constantFoldingTurnsAShapeComputationIntoAConstant() {
        Graph g = new Graph("m");
        Value x = input(g);
        Value shape = g.addConstant("s", Tensor.vector(3, 2)).output(0);
        Value doubled = g.value(new Multiply(), "twice", shape, g.addConstant("one", Tensor.vector(1, 1)).output(0));
        g.addResult("y", g.value(new Reshape(false), "reshape", x, doubled));
        new ConstantFolding().apply(g);
        assertEquals(List.of("Parameter", "Const", "Reshape", "Result"), types(g));
        assertEquals(PartialShape.of(3, 2), g.results().get(0).output(0).shape());
    }

    @Test
    void decompressionConvertsSurviveFolding() {
        Graph g = new Graph("m");
        Value x = input(g);
        Value half = g.addConstant("w", Tensor.of(new float[] {1, 2, 3}, 3).convertTo(ElementType.F16)).output(0);
        Node convert = g.add(new Convert(ElementType.F32), "w/decompress", half);
        convert.rtInfo().put("decompression", "");
        g.addResult("y", g.value(new Add(), "add", x, convert.output(0)));
        assertEquals(0, new ConstantFolding().apply(g));
        assertEquals(List.of("Parameter", "Const", "Convert", "Add", "Result"), types(g));
    }

    @Test
    void deadNodesAreRemovedButInputsStay() {
        Graph g = new Graph("m");
        Value x = input(g);
        g.value(new Add(), "unused", x, x);
        g.addParameter("unused_input", ElementType.F32, PartialShape.of(1));
        g.addResult("y", g.value(new Multiply(), "mul", x, x));
        assertEquals(1, new DeadNodeElimination().apply(g));
        assertEquals(List.of("Parameter", "Parameter", "Multiply", "Result"), types(g));
    }

    @Test
    void identicalComputationsAndConstantsAreMerged() {
        Graph g = new Graph("m");
        Value x = input(g);
        Value c1 = g.addConstant("c1", Tensor.of(new float[] {1, 2, 3}, 3)).output(0);
        Value c2 = g.addConstant("c2", Tensor.of(new float[] {1, 2, 3}, 3)).output(0);
        Value c3 = g.addConstant("c3", Tensor.of(new float[] {1, 2, 4}, 3)).output(0);
        Value s1 = g.value(new Add(), "s1", x, c1);
        Value s2 = g.value(new Add(), "s2", x, c2);
        Value s3 = g.value(new Add(), "s3", x, c3);
        g.addResult("y", g.value(new Multiply(), "m1", s1, s2));
        g.addResult("z", s3);
        // c2 merges into c1, then s2 (now identical to s1) into s1.
        assertEquals(2, new CommonSubexpressionElimination().apply(g));
        assertEquals(List.of("Parameter", "Const", "Const", "Add", "Add", "Multiply", "Result", "Result"), types(g));
        Node mul = g.nodes().get(5);
        assertTrue(mul.input(0) == mul.input(1));
    }

    @Test
    void noOpReshapesAndConvertsAreRemoved() {
        Graph g = new Graph("m");
        Value x = input(g);
        Value same = g.value(new Reshape(false), "r", x, g.addConstant("s", Tensor.vector(2, 3)).output(0));
        Value conv = g.value(new Convert(ElementType.F32), "c", same);
        g.addResult("y", conv).output(0).names().add("y");
        assertEquals(2, new NoOpElimination().apply(g));
        assertEquals(List.of("Parameter", "Result"), types(g));
        assertTrue(g.results().get(0).input(0) == x);
    }

    @Test
    void fp16CompressionStoresFloatWeightsAsHalfWithADecompressionConvert() {
        Graph g = new Graph("m");
        Value x = input(g);
        Value w = g.addConstant("w", Tensor.of(new float[] {0.1f, 2, 3}, 3)).output(0);
        Value shape = g.addConstant("shape", Tensor.vector(3, 2)).output(0);
        Value huge = g.addConstant("huge", Tensor.of(new float[] {1e6f, 1, 1}, 3)).output(0);
        Value y = g.value(new Add(), "add", g.value(new Multiply(), "mul", x, w), huge);
        g.addResult("y", g.value(new Reshape(false), "reshape", y, shape));
        assertEquals(1, new CompressToFp16().apply(g));
        Node convert = g.nodes().stream().filter(n -> n.op() instanceof Convert).findFirst().orElseThrow();
        assertEquals("", convert.rtInfo().get("decompression"));
        Constant half = (Constant) convert.input(0).node().op();
        assertEquals(ElementType.F16, half.value().type());
        assertEquals(Float.float16ToFloat(Float.floatToFloat16(0.1f)), (float) convert.output(0).knownValue().getDouble(0));
        assertTrue(g.nodes().stream().anyMatch(n -> n.op() instanceof Constant c && c.value().type() == ElementType.I64));
    }

    @Test
    void fp16CompressionKeepsFakeQuantizeRangesInF32() {
        Graph g = new Graph("m");
        Value x = input(g);
        Value low = g.addConstant("low", Tensor.of(new float[] {-2.56f}, 1)).output(0);
        Value high = g.addConstant("high", Tensor.of(new float[] {2.54f}, 1)).output(0);
        g.addResult("y", g.value(new FakeQuantize(256), "fq", x, low, high, low, high));
        assertEquals(0, new CompressToFp16().apply(g));
        assertTrue(g.nodes().stream().noneMatch(n -> n.op() instanceof Convert));
    }

    @Test
    void thePassManagerReportsEachPass() {
        Graph g = new Graph("m");
        Value x = input(g);
        g.value(new Add(), "unused", x, x);
        g.addResult("y", x);
        List<PassManager.Step> report = new PassManager(List.of(new NoOpElimination(), new DeadNodeElimination())).run(g);
        assertEquals(new PassManager.Step("no-op-elimination", 0, 3, 3), report.get(0));
        assertEquals(new PassManager.Step("dead-node-elimination", 1, 3, 2), report.get(1));
    }
}
