package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.OnnxImporter;
import dev.infero.onnx.OnnxModelBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * ONNX import of the movement ops where the conformance cases do not reach: dynamic input shapes (the translation
 * must compute shapes at run time), attribute forms of older opsets, and static shapes that must fold at build time.
 */
class MovementImportTest {
    // Single integer attributes are passed as long[]: attr(name, 1L) would resolve to the float overload.
    private static Graph importModel(OnnxModelBuilder b) {
        return OnnxImporter.importModel(b.build(), null, "test");
    }

    private static List<Tensor> run(OnnxModelBuilder b, Tensor... inputs) {
        try (Core core = new Core()) {
            InferRequest request = core.compileModel(core.model(importModel(b)), "CPU").createInferRequest();
            for (int i = 0; i < inputs.length; i++) {
                request.setInput(i, inputs[i]);
            }
            request.infer();
            List<Tensor> outputs = new ArrayList<>();
            for (int i = 0; i < request.outputs().size(); i++) {
                outputs.add(request.getOutput(i));
            }
            return outputs;
        }
    }

    private static Tensor iota(int... shape) {
        Tensor t = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < t.size(); i++) {
            t.floats()[i] = i;
        }
        return t;
    }

    private static PartialShape outputShape(Graph g) {
        return g.results().getFirst().input(0).shape();
    }

    @Test
    void flattenOfAStaticInputIsAConstantReshape() {
        OnnxModelBuilder b = new OnnxModelBuilder("flatten", 13).input("x", ElementType.F32, 2, 3, 4)
                .output("y", ElementType.F32);
        b.node("Flatten", "f").inputs("x").outputs("y").attr("axis", new long[] {-1});
        assertEquals(PartialShape.of(6, 4), outputShape(importModel(b)));
    }

    @Test
    void flattenOfADynamicInputComputesItsShapeAtRunTime() {
        OnnxModelBuilder b = new OnnxModelBuilder("flatten", 13).input("x", ElementType.F32, -1, -1, -1)
                .output("y", ElementType.F32);
        b.node("Flatten", "f").inputs("x").outputs("y").attr("axis", new long[] {1});
        Tensor y = run(b, iota(2, 3, 4)).getFirst();
        assertArrayEquals(new int[] {2, 12}, y.shape());
        assertArrayEquals(iota(24).floats(), y.floats());
    }

    @Test
    void flattenWithAKnownTailUsesItAsTheWidth() {
        OnnxModelBuilder b = new OnnxModelBuilder("flatten", 13).input("x", ElementType.F32, -1, 3, 4)
                .output("y", ElementType.F32);
        b.node("Flatten", "f").inputs("x").outputs("y");
        assertEquals(PartialShape.of(-1, 12), outputShape(importModel(b)));
        assertArrayEquals(new int[] {5, 12}, run(b, iota(5, 3, 4)).getFirst().shape());
    }

    @Test
    void splitIntoNumOutputsGivesASmallerLastChunkEvenForADynamicDimension() {
        OnnxModelBuilder b = new OnnxModelBuilder("split", 18).input("x", ElementType.F32, -1)
                .output("a", ElementType.F32).output("b", ElementType.F32).output("c", ElementType.F32);
        b.node("Split", "s").inputs("x").outputs("a", "b", "c").attr("num_outputs", new long[] {3});
        List<Tensor> parts = run(b, iota(7));
        assertArrayEquals(new float[] {0, 1, 2}, parts.get(0).floats());
        assertArrayEquals(new float[] {3, 4, 5}, parts.get(1).floats());
        assertArrayEquals(new float[] {6}, parts.get(2).floats());
    }

    @Test
    void splitBeforeOpset13TakesLengthsFromTheAttribute() {
        OnnxModelBuilder b = new OnnxModelBuilder("split", 11).input("x", ElementType.F32, 2, 5)
                .output("a", ElementType.F32).output("b", ElementType.F32);
        b.node("Split", "s").inputs("x").outputs("a", "b").attr("axis", new long[] {-1}).attr("split", 1, 4);
        List<Tensor> parts = run(b, iota(2, 5));
        assertArrayEquals(new float[] {0, 5}, parts.get(0).floats());
        assertArrayEquals(new float[] {1, 2, 3, 4, 6, 7, 8, 9}, parts.get(1).floats());
    }

    @Test
    void sliceBeforeOpset10TakesAttributes() {
        OnnxModelBuilder b = new OnnxModelBuilder("slice", 9).input("x", ElementType.F32, 3, 4)
                .output("y", ElementType.F32);
        b.node("Slice", "s").inputs("x").outputs("y").attr("starts", new long[] {1}).attr("ends", new long[] {1000}).attr("axes", new long[] {1});
        Tensor y = run(b, iota(3, 4)).getFirst();
        assertArrayEquals(new int[] {3, 3}, y.shape());
        assertArrayEquals(new float[] {1, 2, 3, 5, 6, 7, 9, 10, 11}, y.floats());
    }

    @Test
    void padBeforeOpset11TakesPadsAndValueAttributes() {
        OnnxModelBuilder b = new OnnxModelBuilder("pad", 10).input("x", ElementType.F32, 1, 2)
                .output("y", ElementType.F32);
        b.node("Pad", "p").inputs("x").outputs("y").attr("pads", 0, 1, 0, 2).attr("value", 5f);
        Tensor y = run(b, iota(1, 2)).getFirst();
        assertArrayEquals(new float[] {5, 0, 1, 5, 5}, y.floats());
    }

    @Test
    void shapeSizeAndTheirSubgraphsFoldForStaticInputsAndRunForDynamicOnes() {
        OnnxModelBuilder b = new OnnxModelBuilder("shape", 15).input("x", ElementType.F32, -1, 3, 4)
                .output("tail", ElementType.I64).output("count", ElementType.I64);
        b.node("Shape", "s").inputs("x").outputs("tail").attr("start", new long[] {-2});
        b.node("Size", "n").inputs("x").outputs("count");
        List<Tensor> out = run(b, iota(2, 3, 4));
        assertArrayEquals(new long[] {3, 4}, out.get(0).longs());
        assertArrayEquals(new int[0], out.get(1).shape());
        assertEquals(24, out.get(1).getLong(0));

        OnnxModelBuilder fixed = new OnnxModelBuilder("shape", 15).input("x", ElementType.F32, 2, 3, 4)
                .output("tail", ElementType.I64).output("count", ElementType.I64);
        fixed.node("Shape", "s").inputs("x").outputs("tail").attr("start", new long[] {-2});
        fixed.node("Size", "n").inputs("x").outputs("count");
        Graph g = importModel(fixed);
        for (Node result : g.results()) {
            assertEquals(true, result.input(0).isKnown(), result.toString());
        }
    }

    @Test
    void expandBroadcastsBothWays() {
        OnnxModelBuilder b = new OnnxModelBuilder("expand", 13).input("x", ElementType.F32, 3, 1)
                .initializer("shape", Tensor.vector(2, 1, 2)).output("y", ElementType.F32);
        b.node("Expand", "e").inputs("x", "shape").outputs("y");
        Tensor y = run(b, iota(3, 1)).getFirst();
        assertArrayEquals(new int[] {2, 3, 2}, y.shape());
    }

    @Test
    void constantOfShapeDefaultsToFloatZeros() {
        OnnxModelBuilder b = new OnnxModelBuilder("cos", 13).initializer("shape", Tensor.vector(2, 3))
                .output("y", ElementType.F32);
        b.node("ConstantOfShape", "c").inputs("shape").outputs("y");
        Tensor y = run(b).getFirst();
        assertEquals(ElementType.F32, y.type());
        assertArrayEquals(new float[6], y.floats());
    }
}
