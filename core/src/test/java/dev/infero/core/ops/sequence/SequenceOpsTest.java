package dev.infero.core.ops.sequence;

import static dev.infero.core.ops.OpHarness.assertRoundTrips;
import static dev.infero.core.ops.OpHarness.iota;
import static dev.infero.core.ops.OpHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The packed-sequence ops on constant inputs (folded by their reference evaluation) and on parameters (shapes only). */
class SequenceOpsTest {
    private static final Tensor A = iota(2, 3);
    private static final Tensor B = Tensor.of(new float[] {10, 11, 12}, 1, 3);

    /** The packed sequence [A, B] as {data, shapes}. */
    private static Tensor[] ab() {
        Node n = run(new SequenceConstruct(), A, B);
        return new Tensor[] {n.output(0).knownValue(), n.output(1).knownValue()};
    }

    @Test
    void packsItemsAfterEachOtherWithRankAndDimensionsPerItem() {
        Tensor[] seq = ab();
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 10, 11, 12}, seq[0].toFloatArray());
        assertArrayEquals(new long[] {2, 2, 3, 2, 1, 3}, seq[1].toLongArray());
        List<Tensor> items = PackedSequence.unpack(seq[0], seq[1]);
        assertEquals(2, items.size());
        assertTrue(items.get(0).contentEquals(A));
        assertTrue(items.get(1).contentEquals(B));
        Tensor[] empty = PackedSequence.pack(ElementType.I64, List.of());
        assertEquals(0, empty[0].size());
        assertEquals(List.of(), PackedSequence.unpack(empty[0], empty[1]));
    }

    @Test
    void insertEraseAtAndLengthFollowOnnxPositions() {
        Tensor[] seq = ab();
        Tensor scalar = Tensor.of(new float[] {7});
        Node ins = run(new SequenceInsert(), seq[0], seq[1], scalar, Tensor.scalar(-1L));
        List<Tensor> items = PackedSequence.unpack(ins.output(0).knownValue(), ins.output(1).knownValue());
        assertEquals(3, items.size());
        assertArrayEquals(new int[0], items.get(1).shape()); // inserted before the last item
        Node end = run(new SequenceInsert(), seq[0], seq[1], scalar);
        assertEquals(7f, PackedSequence.unpack(end.output(0).knownValue(), end.output(1).knownValue()).get(2)
                .getDouble(0));
        Node erased = run(new SequenceErase(), seq[0], seq[1], Tensor.scalar(0L));
        List<Tensor> left = PackedSequence.unpack(erased.output(0).knownValue(), erased.output(1).knownValue());
        assertEquals(1, left.size());
        assertTrue(left.get(0).contentEquals(B));
        Tensor at = run(new SequenceAt(2), seq[0], seq[1], Tensor.scalar(-2L)).output(0).knownValue();
        assertTrue(at.contentEquals(A));
        assertArrayEquals(new long[] {2},
                run(new SequenceLength(), seq[0], seq[1]).output(0).knownValue().toLongArray());
        InferoException e = assertThrows(InferoException.class,
                () -> run(new SequenceAt(-1), seq[0], seq[1], Tensor.scalar(2L)));
        assertTrue(e.getMessage().contains("position 2 is out of range for a sequence of 2"), e.getMessage());
    }

    @Test
    void concatenatesAlongAnAxisOrStacksAlongANewOne() {
        Tensor[] seq = ab();
        Tensor cat = run(new ConcatFromSequence(0, false, 2), seq[0], seq[1]).output(0).knownValue();
        assertArrayEquals(new int[] {3, 3}, cat.shape());
        assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 10, 11, 12}, cat.toFloatArray());
        Node twice = run(new SequenceConstruct(), B, B);
        Tensor stacked = run(new ConcatFromSequence(-1, true, 2), twice.output(0).knownValue(),
                twice.output(1).knownValue()).output(0).knownValue();
        assertArrayEquals(new int[] {1, 3, 2}, stacked.shape());
        assertArrayEquals(new float[] {10, 10, 11, 11, 12, 12}, stacked.toFloatArray());
        InferoException e = assertThrows(InferoException.class,
                () -> run(new ConcatFromSequence(1, false, 2), seq[0], seq[1]));
        assertTrue(e.getMessage().contains("cannot concatenate along axis 1"), e.getMessage());
    }

    @Test
    void splitsIntoOnesChunksOrLengths() {
        Node ones = run(new SplitToSequence(1, false), A);
        List<Tensor> cols = PackedSequence.unpack(ones.output(0).knownValue(), ones.output(1).knownValue());
        assertEquals(3, cols.size());
        assertArrayEquals(new int[] {2}, cols.get(2).shape());
        assertArrayEquals(new float[] {2, 5}, cols.get(2).toFloatArray());
        Node chunks = run(new SplitToSequence(1, true), A, Tensor.scalar(2L));
        List<Tensor> parts = PackedSequence.unpack(chunks.output(0).knownValue(), chunks.output(1).knownValue());
        assertArrayEquals(new int[] {2, 2}, parts.get(0).shape());
        assertArrayEquals(new float[] {0, 1, 3, 4}, parts.get(0).toFloatArray());
        assertArrayEquals(new int[] {2, 1}, parts.get(1).shape());
        Node lengths = run(new SplitToSequence(0, true), A, Tensor.vector(0L, 2L));
        List<Tensor> rows = PackedSequence.unpack(lengths.output(0).knownValue(), lengths.output(1).knownValue());
        assertArrayEquals(new int[] {0, 3}, rows.get(0).shape());
        assertTrue(rows.get(1).contentEquals(A));
        assertThrows(InferoException.class, () -> run(new SplitToSequence(0, true), A, Tensor.vector(1L)));
    }

    @Test
    void unknownValuesGiveDynamicShapesOfTheDeclaredItemRank() {
        Graph g = new Graph("t");
        Value data = g.addParameter("s", ElementType.F32, PartialShape.dynamic(1)).output(0);
        Value shapes = g.addParameter("s_shapes", ElementType.I64, PartialShape.dynamic(1)).output(0);
        Value pos = g.addConstant("p", Tensor.scalar(0L)).output(0);
        Value item = g.add(new SequenceAt(3), "at", data, shapes, pos).output(0);
        assertEquals(PartialShape.dynamic(3), item.shape());
        Value stacked = g.add(new ConcatFromSequence(0, true, 3), "stack", data, shapes).output(0);
        assertEquals(PartialShape.dynamic(4), stacked.shape());
        Node ins = g.add(new SequenceInsert(), "ins", data, shapes, item);
        assertEquals(PartialShape.dynamic(1), ins.output(0).shape());
        assertEquals(ElementType.I64, ins.output(1).type());
        InferoException e = assertThrows(InferoException.class,
                () -> g.add(new SequenceInsert(), "bad", data, shapes, pos));
        assertTrue(e.getMessage().contains("inserts a i64 tensor into a sequence of f32"), e.getMessage());
    }

    @Test
    void malformedShapesAreNamedErrors() {
        Tensor d = Tensor.of(new float[] {1, 2, 3}, 3);
        Tensor shapes = Tensor.vector(1, 2);
        InferoException e = assertThrows(InferoException.class, () -> PackedSequence.unpack(d, shapes));
        assertTrue(e.getMessage().contains("cover 2 of its 3 data elements"), e.getMessage());
        e = assertThrows(InferoException.class, () -> PackedSequence.unpack(d, Tensor.vector(4, 1)));
        assertTrue(e.getMessage().contains("rank 4"), e.getMessage());
    }

    @Test
    void attributesRoundTripThroughTheIrFactories() {
        assertRoundTrips(new SequenceConstruct());
        assertRoundTrips(new SequenceInsert());
        assertRoundTrips(new SequenceErase());
        assertRoundTrips(new SequenceLength());
        assertRoundTrips(new SequenceAt(2));
        assertRoundTrips(new ConcatFromSequence(-1, true, 3));
        assertRoundTrips(new SplitToSequence(1, false));
    }
}
