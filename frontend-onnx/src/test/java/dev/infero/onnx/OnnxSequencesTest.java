package dev.infero.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.sequence.PackedSequence;
import dev.infero.core.ops.sequence.SequenceAt;
import dev.infero.core.ops.sequence.SequenceLength;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.TensorShapeProto;
import dev.infero.onnx.proto.Onnx.TypeProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import java.util.List;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * Sequence operators resolved at import, checked on constant inputs that fold; and sequences known only at run time,
 * which become packed sequences (data and shapes values) read by the ops of {@code core.ops.sequence}.
 */
class OnnxSequencesTest {
    /** x = [[0, 1, 2], [3, 4, 5]] (2×3) and the nodes {@code body} adds, with output y. */
    private static Tensor run(Consumer<OnnxModelBuilder> body, int... expectedShape) {
        return run(body, null, expectedShape);
    }

    /** As above, with {@code loopBody} (if not null) set as the graph attribute 'body' of the node named "loop". */
    private static Tensor run(Consumer<OnnxModelBuilder> body, GraphProto loopBody, int... expectedShape) {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 18)
                .initializer("x", Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3))
                .initializer("one", Tensor.scalar(1L))
                .initializer("minus1", Tensor.scalar(-1L))
                .output("y", ElementType.F32);
        body.accept(b);
        ModelProto.Builder m = b.build().toBuilder();
        for (NodeProto.Builder n : m.getGraphBuilder().getNodeBuilderList()) {
            if (loopBody != null && n.getName().equals("loop")) {
                n.addAttribute(AttributeProto.newBuilder().setName("body").setType(AttributeProto.AttributeType.GRAPH)
                        .setG(loopBody));
            }
        }
        Graph g = OnnxImporter.importModel(m.build(), null, "m");
        Tensor y = g.results().get(0).input(0).knownValue();
        assertArrayEquals(expectedShape, y.shape());
        return y;
    }

    @Test
    void constructAtInsertEraseAndConcatLikeTorchCatAndStack() {
        // stack([x, x], dim=1) -> 2×2×3
        Tensor stacked = run(b -> {
            b.node("SequenceConstruct", "s").inputs("x", "x").outputs("seq");
            b.node("ConcatFromSequence", "c").inputs("seq").outputs("y").attr("axis", 1L).attr("new_axis", 1L);
        }, 2, 2, 3);
        assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}, stacked.toFloatArray());
        // split rows, insert a third row (the first) at the end, erase row 0, concat -> [row1, row0]
        Tensor edited = run(b -> {
            b.node("SplitToSequence", "s").inputs("x").outputs("rows").attr("axis", 0L);
            b.node("SequenceAt", "a").inputs("rows", "minus1").outputs("last");
            b.node("SequenceInsert", "i").inputs("rows", "last", "one").outputs("rows3");
            b.node("SequenceErase", "e").inputs("rows3").outputs("rows2");
            b.node("SequenceErase", "e0").inputs("rows2", "minus1").outputs("rows1");
            b.node("SequenceInsert", "i2").inputs("rows1", "last").outputs("pair");
            b.node("ConcatFromSequence", "c").inputs("pair").outputs("y").attr("axis", 0L);
        }, 2, 3);
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5}, edited.toFloatArray());
    }

    @Test
    void splitToSequenceByChunkOrLengthsAndWithoutKeepdims() {
        Tensor chunks = run(b -> {
            b.initializer("two", Tensor.scalar(2L));
            b.node("SplitToSequence", "s").inputs("x", "two").outputs("seq").attr("axis", 1L);
            b.node("SequenceAt", "a").inputs("seq", "one").outputs("y"); // the last chunk is one column wide
        }, 2, 1);
        assertArrayEquals(new float[] {2, 5}, chunks.toFloatArray());
        Tensor squeezed = run(b -> {
            b.node("SplitToSequence", "s").inputs("x").outputs("seq").attr("axis", 1L).attr("keepdims", 0L);
            b.node("SequenceAt", "a").inputs("seq", "one").outputs("y");
        }, 2);
        assertArrayEquals(new float[] {1, 4}, squeezed.toFloatArray());
        Tensor length = run(b -> {
            b.initializer("lengths", Tensor.vector(1L, 2L));
            b.node("SplitToSequence", "s").inputs("x", "lengths").outputs("seq").attr("axis", 1L);
            b.node("SequenceLength", "n").inputs("seq").outputs("len");
            b.node("Cast", "f").inputs("len").outputs("y").attr("to", 1L);
        });
        assertArrayEquals(new float[] {2}, length.toFloatArray());
    }

    @Test
    void dynamicPositionsAndSequencesReadByTensorOpsAreClearErrors() {
        InferoException e = assertThrows(InferoException.class, () -> run(b -> {
            b.node("SequenceConstruct", "s").inputs("x").outputs("seq");
            b.node("Relu", "r").inputs("seq").outputs("y");
        }));
        assertTrue(e.getMessage().contains("reads the sequence 'seq'"), e.getMessage());
        e = assertThrows(InferoException.class, () -> run(b -> {
            b.initializer("five", Tensor.scalar(5L));
            b.node("SequenceConstruct", "s").inputs("x").outputs("seq");
            b.node("SequenceAt", "a").inputs("seq", "five").outputs("y");
        }));
        assertTrue(e.getMessage().contains("position 5 is out of range"), e.getMessage());
        // Found by OnnxFuzzTest (fuzz/.../OnnxFuzzTestInputs/fuzz/regression-sequence-at-without-position): this
        // used to throw IndexOutOfBoundsException.
        e = assertThrows(InferoException.class, () -> run(b -> {
            b.node("SequenceConstruct", "s").inputs("x").outputs("seq");
            b.node("SequenceAt", "a").inputs("seq").outputs("y");
        }));
        assertTrue(e.getMessage().contains("has no position input"), e.getMessage());
    }

    @Test
    void optionalsOfTensorsAndSequencesAreResolvedAtImport() {
        // an optional holding a sequence: present, and its element is the sequence
        Tensor fromSequence = run(b -> {
            b.node("SplitToSequence", "s").inputs("x").outputs("rows").attr("axis", 0L);
            b.node("Optional", "o").inputs("rows").outputs("opt");
            b.node("OptionalGetElement", "g").inputs("opt").outputs("seq");
            b.node("SequenceAt", "a").inputs("seq", "one").outputs("y");
        }, 1, 3);
        assertArrayEquals(new float[] {3, 4, 5}, fromSequence.toFloatArray());
        OnnxModelBuilder b = new OnnxModelBuilder("m", 18).initializer("x", Tensor.of(new float[] {1}, 1))
                .output("empty", ElementType.BOOLEAN).output("full", ElementType.BOOLEAN);
        b.node("Optional", "none").outputs("nothing").attr("type", "tensor(float)");
        b.node("OptionalHasElement", "h0").inputs("nothing").outputs("empty");
        b.node("OptionalHasElement", "h1").inputs("x").outputs("full");
        Graph g = OnnxImporter.importModel(b.build(), null, "m");
        assertArrayEquals(new long[] {0}, g.results().get(0).input(0).knownValue().toLongArray());
        assertArrayEquals(new long[] {1}, g.results().get(1).input(0).knownValue().toLongArray());
        b.node("OptionalGetElement", "g").inputs("nothing").outputs("bad");
        InferoException e = assertThrows(InferoException.class, () -> OnnxImporter.importModel(b.build(), null, "m"));
        assertTrue(e.getMessage().contains("empty optional"), e.getMessage());
    }

    @Test
    void aSequenceInputIsTwoParametersAndADynamicPositionReadsAtRunTime() {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 18).input("k", ElementType.I64)
                .output("y", ElementType.F32).output("n", ElementType.I64);
        b.node("SequenceAt", "a").inputs("s", "k").outputs("y");
        b.node("SequenceLength", "n").inputs("s").outputs("n");
        ModelProto.Builder m = b.build().toBuilder();
        m.getGraphBuilder().addInput(0, ValueInfoProto.newBuilder().setName("s").setType(TypeProto.newBuilder()
                .setSequenceType(TypeProto.Sequence.newBuilder().setElemType(TypeProto.newBuilder().setTensorType(
                        TypeProto.Tensor.newBuilder().setElemType(1).setShape(TensorShapeProto.newBuilder()
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("a"))
                                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(3))))))));
        Graph g = OnnxImporter.importModel(m.build(), null, "m");
        assertEquals(List.of("s", "s" + PackedSequence.SHAPES_SUFFIX, "k"),
                g.parameters().stream().map(p -> p.name()).toList());
        Value y = g.results().get(0).input(0);
        assertTrue(y.node().op() instanceof SequenceAt at && at.itemRank() == 2, y.node().op().toString());
        assertEquals(PartialShape.dynamic(2), y.shape());
        assertTrue(g.results().get(1).input(0).node().op() instanceof SequenceLength);
    }

    @Test
    void aSequenceGrownInALoopFoldsWhenEverythingIsConstant() {
        // acc starts empty; iteration i inserts x·i; stacking gives [x·0, x·1, x·2]
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addInput(ValueInfoProto.newBuilder().setName("i"))
                .addInput(ValueInfoProto.newBuilder().setName("c"))
                .addInput(ValueInfoProto.newBuilder().setName("acc"))
                .addNode(NodeProto.newBuilder().setOpType("Identity").addInput("c").addOutput("c_out"))
                .addNode(NodeProto.newBuilder().setOpType("Cast").addInput("i").addOutput("f")
                        .addAttribute(OnnxNode.attribute("to", 1L)))
                .addNode(NodeProto.newBuilder().setOpType("Mul").addInput("x").addInput("f").addOutput("xi"))
                .addNode(NodeProto.newBuilder().setOpType("SequenceInsert").addInput("acc").addInput("xi")
                        .addOutput("acc_out"))
                .addOutput(ValueInfoProto.newBuilder().setName("c_out"))
                .addOutput(ValueInfoProto.newBuilder().setName("acc_out"))
                .build();
        Tensor y = run(b -> {
            b.initializer("three", Tensor.scalar(3L));
            b.node("SequenceEmpty", "e").outputs("empty");
            b.node("Loop", "loop").inputs("three", "", "empty").outputs("seq");
            b.node("ConcatFromSequence", "c").inputs("seq").outputs("y").attr("axis", 0L).attr("new_axis", 1L);
        }, body, 3, 2, 3);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 0, 2, 4, 6, 8, 10}, y.toFloatArray());
    }

    @Test
    void sequenceMapRunsItsBodyOnEachItemWithTensorInputsPassedWhole() {
        // rows of x, each times k (a tensor input passed whole to every iteration), stacked again; the body's
        // inputs reuse the outer names (its item is called like the sequence it comes from)
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addInput(ValueInfoProto.newBuilder().setName("rows"))
                .addInput(ValueInfoProto.newBuilder().setName("k"))
                .addNode(NodeProto.newBuilder().setOpType("Mul").addInput("rows").addInput("k").addOutput("scaled"))
                .addOutput(ValueInfoProto.newBuilder().setName("scaled"))
                .build();
        Tensor y = run(b -> {
            b.initializer("k", Tensor.of(new float[] {1, 10, 100}, 3));
            b.node("SplitToSequence", "s").inputs("x").outputs("rows").attr("axis", 0L).attr("keepdims", 0L);
            b.node("SequenceMap", "loop").inputs("rows", "k").outputs("mapped");
            b.node("ConcatFromSequence", "c").inputs("mapped").outputs("y").attr("axis", 0L).attr("new_axis", 1L);
        }, body, 2, 3);
        assertArrayEquals(new float[] {0, 10, 200, 3, 40, 500}, y.toFloatArray());
    }
}
