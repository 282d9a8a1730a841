package dev.infero.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Sequence operators resolved at import, checked on constant inputs that fold. */
class OnnxSequencesTest {
    /** x = [[0, 1, 2], [3, 4, 5]] (2×3) and the nodes {@code body} adds, with output y. */
    private static Tensor run(Consumer<OnnxModelBuilder> body, int... expectedShape) {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 18)
                .initializer("x", Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 2, 3))
                .initializer("one", Tensor.scalar(1L))
                .initializer("minus1", Tensor.scalar(-1L))
                .output("y", ElementType.F32);
        body.accept(b);
        Graph g = OnnxImporter.importModel(b.build(), null, "m");
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
}
