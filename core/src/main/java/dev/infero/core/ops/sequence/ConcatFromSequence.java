package dev.infero.core.ops.sequence;

import dev.infero.core.InferoException;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.Shapes;
import java.util.Arrays;
import java.util.List;

/**
 * ConcatFromSequence (ONNX ConcatFromSequence-11): the items of the packed sequence of inputs 0 and 1 concatenated
 * along {@code axis}, or stacked along a new axis at {@code axis} when {@code new_axis}. Items must agree in every
 * other dimension; an empty sequence is an error. {@code item_rank} as in {@link SequenceAt}.
 */
public final class ConcatFromSequence extends SequenceOp {
    private static final Attribute<ConcatFromSequence, Long> AXIS = Attribute.integer("axis", ConcatFromSequence::axis);
    private static final Attribute<ConcatFromSequence, Boolean> NEW_AXIS = Attribute.bool("new_axis",
            (ConcatFromSequence op) -> op.newAxis).orElse(false);
    private static final Attribute<ConcatFromSequence, Long> ITEM_RANK = Attribute.integer("item_rank",
            (ConcatFromSequence op) -> (long) op.itemRank).orElse(-1L);
    public static final OpSpec<ConcatFromSequence> SPEC = OpSpec.of(ConcatFromSequence.class, "ConcatFromSequence",
            "infero", a -> new ConcatFromSequence(AXIS.read(a), NEW_AXIS.read(a), (int) (long) ITEM_RANK.read(a)),
            AXIS, NEW_AXIS, ITEM_RANK);

    private final long axis;
    private final boolean newAxis;
    private final int itemRank;

    public ConcatFromSequence(long axis, boolean newAxis, int itemRank) {
        this.axis = axis;
        this.newAxis = newAxis;
        this.itemRank = itemRank;
    }

    public long axis() {
        return axis;
    }

    public boolean newAxis() {
        return newAxis;
    }

    @Override
    void check(InferContext ctx) {
        super.check(ctx);
        if (itemRank >= 0) {
            int rank = itemRank + (newAxis ? 1 : 0);
            if (axis < -rank || axis >= rank) {
                throw ctx.error("axis " + axis + " is out of range for items of rank " + itemRank
                        + (newAxis ? " stacked" : ""));
            }
        }
    }

    @Override
    Tensor[] compute(Tensor[] inputs) {
        List<Tensor> items = PackedSequence.unpack(inputs[0], inputs[1]);
        if (items.isEmpty()) {
            throw new InferoException("concatenates an empty sequence");
        }
        int[] first = items.get(0).shape();
        int rank = first.length + (newAxis ? 1 : 0);
        if (axis < -rank || axis >= rank) {
            throw new InferoException("axis " + axis + " is out of range for rank " + rank);
        }
        int a = (int) (axis < 0 ? axis + rank : axis);
        int total = 0;
        for (Tensor t : items) {
            int[] s = t.shape();
            boolean fits = s.length == first.length;
            for (int d = 0; fits && d < s.length; d++) {
                fits = s[d] == first[d] || !newAxis && d == a;
            }
            if (!fits) {
                throw new InferoException("cannot " + (newAxis ? "stack " : "concatenate along axis " + a + " ")
                        + Arrays.toString(first) + " and " + Arrays.toString(s));
            }
            total += newAxis ? 1 : s[a];
        }
        int[] out;
        if (newAxis) {
            out = new int[rank];
            for (int d = 0, s = 0; d < rank; d++) {
                out[d] = d == a ? total : first[s++];
            }
        } else {
            out = first.clone();
            out[a] = total;
        }
        Tensor result = Tensor.allocate(items.get(0).type(), out);
        int outer = Shapes.product(out, 0, a);
        int inner = Shapes.product(out, a + 1, rank);
        int offset = 0;
        for (Tensor t : items) {
            int part = newAxis ? 1 : t.shape()[a];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(t.array(), o * part * inner, result.array(), (o * total + offset) * inner,
                        part * inner);
            }
            offset += part;
        }
        return new Tensor[] {result};
    }

    @Override
    void inferDynamic(InferContext ctx) {
        ctx.setOutput(0, ctx.inputType(0), ofRank(itemRank < 0 ? -1 : itemRank + (newAxis ? 1 : 0)));
    }
}
