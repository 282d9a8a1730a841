package dev.infero.onnx.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.OnnxModelBuilder;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Opset differences of the ONNX reductions, softmax family and normalizations, on constant inputs that fold. */
class NormalizationOpsTest {
    private static Value run(int opset, String op, Consumer<OnnxModelBuilder.NodeBuilder> attrs, Tensor... inputs) {
        Value y = OneNodeModel.imported(opset, op, new String[] {"y"}, attrs, inputs).results().get(0).input(0);
        assertTrue(y.isKnown(), "output folds");
        return y;
    }

    private static float[] floats(Value v) {
        return v.knownValue().toFloatArray();
    }

    /** [[1, 2], [3, 4]]. */
    private static final Tensor M = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);

    @Test
    void reduceSumTakesAxesFromTheAttributeBeforeOpset13AndFromTheInputSince() {
        assertArrayEquals(new float[] {4, 6}, floats(run(11, "ReduceSum", n -> n.attrInts("axes", 0).attr("keepdims", 0),
                M)));
        assertArrayEquals(new float[] {3, 7}, floats(run(13, "ReduceSum", n -> n.attr("keepdims", 0), M,
                Tensor.vector(1))));
    }

    @Test
    void reduceMeanTakesAxesFromTheAttributeUntilOpset18() {
        Value y = run(13, "ReduceMean", n -> n.attrInts("axes", 1), M);
        assertEquals(PartialShape.of(2, 1), y.shape());
        assertArrayEquals(new float[] {1.5f, 3.5f}, floats(y));
        assertArrayEquals(new float[] {1.5f, 3.5f}, floats(run(18, "ReduceMean", n -> { }, M, Tensor.vector(1))));
    }

    @Test
    void absentAxesReduceEverythingUnlessNoop() {
        Value all = run(13, "ReduceSum", n -> { }, M);
        assertEquals(PartialShape.of(1, 1), all.shape());
        assertArrayEquals(new float[] {10}, floats(all));
        Value noop = run(13, "ReduceSum", n -> n.attr("noop_with_empty_axes", 1), M, Tensor.vector());
        assertArrayEquals(new float[] {1, 2, 3, 4}, floats(noop));
    }

    @Test
    void decomposedReductions() {
        assertArrayEquals(new float[] {5, 25}, floats(run(13, "ReduceSumSquare", n -> n.attrInts("axes", 1)
                .attr("keepdims", 0), M)));
        assertArrayEquals(new float[] {(float) Math.log(3), (float) Math.log(7)}, floats(run(13, "ReduceLogSum",
                n -> n.attrInts("axes", 1).attr("keepdims", 0), M)), 1e-6f);
        Tensor big = Tensor.of(new float[] {1000, 1000}, 2);
        assertArrayEquals(new float[] {1000 + (float) Math.log(2)}, floats(run(13, "ReduceLogSumExp",
                n -> n.attr("keepdims", 0), big)), 1e-3f);
    }

    @Test
    void softmaxBeforeOpset13NormalizesTheFlattenedTrailingDimensions() {
        Tensor x = Tensor.of(new float[] {0, 0, 0, 0, 1, 1, 1, 1}, 2, 2, 2);
        // Opset 11, axis 1: each sample's 4 values form one distribution.
        assertArrayEquals(new float[] {.25f, .25f, .25f, .25f, .25f, .25f, .25f, .25f},
                floats(run(11, "Softmax", n -> { }, x)), 1e-6f);
        // Opset 13, axis 1: pairs along axis 1 only.
        assertArrayEquals(new float[] {.5f, .5f, .5f, .5f, .5f, .5f, .5f, .5f},
                floats(run(13, "Softmax", n -> n.attr("axis", 1), x)), 1e-6f);
        Value y = run(11, "LogSoftmax", n -> n.attr("axis", 0), x);
        assertEquals(PartialShape.of(2, 2, 2), y.shape());
    }

    @Test
    void hardmaxMarksTheFirstMaximum() {
        Tensor x = Tensor.of(new float[] {3, 1, 3, 0, 2, 2}, 2, 3);
        assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0}, floats(run(13, "Hardmax", n -> { }, x)));
        // Opset 11 with axis 0 flattens everything into one row.
        assertArrayEquals(new float[] {1, 0, 0, 0, 0, 0}, floats(run(11, "Hardmax", n -> n.attr("axis", 0), x)));
    }

    @Test
    void groupNormalizationScalesPerGroupInOpset18AndPerChannelInOpset21() {
        Tensor x = Tensor.of(new float[] {1, 3, 10, 12}, 1, 4, 1);
        Value g18 = run(18, "GroupNormalization", n -> n.attr("num_groups", 2).attr("epsilon", 0f), x,
                Tensor.of(new float[] {1, 2}, 2), Tensor.of(new float[] {0, 100}, 2));
        assertArrayEquals(new float[] {-1, 1, 98, 102}, floats(g18), 1e-5f);
        Value g21 = run(21, "GroupNormalization", n -> n.attr("num_groups", 2).attr("epsilon", 0f), x,
                Tensor.of(new float[] {1, 2, 3, 4}, 4), Tensor.of(new float[] {0, 0, 0, 1}, 4));
        assertArrayEquals(new float[] {-1, 2, -3, 5}, floats(g21), 1e-5f);
    }

    @Test
    void lpNormalizationWithP1DividesByTheSumOfMagnitudes() {
        assertArrayEquals(new float[] {1 / 3f, 2 / 3f, 3 / 7f, 4 / 7f}, floats(run(13, "LpNormalization",
                n -> n.attr("p", 1), M)), 1e-6f);
    }

    @Test
    void convTransposeBiasAddsPerOutputChannel() {
        Tensor x = Tensor.of(new float[] {1, 2}, 1, 1, 2);
        Tensor w = Tensor.of(new float[] {1, 10}, 1, 2, 1);
        Value y = run(11, "ConvTranspose", n -> { }, x, w, Tensor.of(new float[] {0, 5}, 2));
        assertArrayEquals(new float[] {1, 2, 15, 25}, floats(y));
    }
}
