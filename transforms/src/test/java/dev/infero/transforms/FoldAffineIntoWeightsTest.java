package dev.infero.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.MatMul;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.testing.RandomData;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Folding keeps the computed values: the graphs here take a constant input, so every value is known at build time
 * and the result before and after the pass can be compared directly.
 */
class FoldAffineIntoWeightsTest {
    private static Value conv(Graph g, Random r, Value x) {
        WindowGeometry w = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {1, 1},
                new long[] {1, 1}, AutoPad.EXPLICIT, false);
        return g.value(new Convolution(w), "conv", x, g.addConstant("w", RandomData.tensor(r, 4, 3, 3, 3)).output(0));
    }

    private static void assertFoldsTo(Graph g, int expectedNodes, List<String> expectedTypes) {
        Tensor before = g.results().get(0).input(0).knownValue().copy();
        int folds = new FoldAffineIntoWeights().apply(g);
        Tensor after = g.results().get(0).input(0).knownValue();
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.getDouble(i), after.getDouble(i), 1e-5, "element " + i);
        }
        List<String> types = g.nodes().stream().filter(n -> !n.type().equals("Const")).map(Node::type).toList();
        assertEquals(expectedTypes, types);
        assertEquals(expectedNodes, folds);
    }

    @Test
    void batchNormAfterAConvolutionBecomesItsWeightsAndBias() {
        Random r = new Random(3);
        Graph g = new Graph("m");
        Value x = g.addConstant("x", RandomData.tensor(r, 1, 3, 5, 5)).output(0);
        Value c = conv(g, r, x);
        Tensor var = RandomData.tensor(r, 4);
        for (int i = 0; i < 4; i++) {
            var.floats()[i] = Math.abs(var.floats()[i]) + 0.1f;
        }
        Value bn = g.value(new BatchNormInference(1e-5), "bn", c, g.addConstant("gamma", RandomData.tensor(r, 4)).output(0),
                g.addConstant("beta", RandomData.tensor(r, 4)).output(0), g.addConstant("mean", RandomData.tensor(r, 4)).output(0),
                g.addConstant("var", var).output(0));
        g.addResult("y", bn);
        assertFoldsTo(g, 1, List.of("Convolution", "Add", "Result"));
    }

    @Test
    void biasThenScaleThenShiftCollapseIntoOneBias() {
        Random r = new Random(4);
        Graph g = new Graph("m");
        Value x = g.addConstant("x", RandomData.tensor(r, 1, 3, 5, 5)).output(0);
        Value biased = g.value(new Add(), "bias", conv(g, r, x), g.addConstant("b", RandomData.tensor(r, 1, 4, 1, 1)).output(0));
        Value scaled = g.value(new Multiply(), "scale", biased, g.addConstant("s", RandomData.tensor(r, 4, 1, 1)).output(0));
        Value shifted = g.value(new Add(), "shift", scaled, g.addConstant("t", RandomData.tensor(r, 1, 4, 1, 1)).output(0));
        g.addResult("y", shifted);
        assertFoldsTo(g, 2, List.of("Convolution", "Add", "Result"));
    }

    @Test
    void aMatMulColumnScaleFoldsIntoItsWeights() {
        Random r = new Random(5);
        Graph g = new Graph("m");
        Value x = g.addConstant("x", RandomData.tensor(r, 2, 6)).output(0);
        Value mm = g.value(new MatMul(false, true), "fc", x, g.addConstant("w", RandomData.tensor(r, 5, 6)).output(0));
        g.addResult("y", g.value(new Multiply(), "scale", mm, g.addConstant("s", RandomData.tensor(r, 5)).output(0)));
        assertFoldsTo(g, 1, List.of("MatMul", "Add", "Result"));
    }

    @Test
    void aScaleOfAValueReadTwiceIsLeftAlone() {
        Random r = new Random(6);
        Graph g = new Graph("m");
        Value x = g.addConstant("x", RandomData.tensor(r, 1, 3, 5, 5)).output(0);
        Value c = conv(g, r, x);
        Value scaled = g.value(new Multiply(), "scale", c, g.addConstant("s", RandomData.tensor(r, 1, 4, 1, 1)).output(0));
        g.addResult("y", g.value(new Add(), "sum", scaled, c));
        assertEquals(0, new FoldAffineIntoWeights().apply(g));
    }
}
