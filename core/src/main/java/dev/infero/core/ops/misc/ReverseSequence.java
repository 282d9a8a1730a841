package dev.infero.core.ops.misc;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * ReverseSequence-1: for every batch entry {@code b} (along {@code batch_axis}), reverses the first
 * {@code seq_lengths[b]} elements along {@code seq_axis} and keeps the rest. Input 1 is the 1-D integer
 * {@code seq_lengths}, one per batch entry, each in [0, size of seq_axis] (0 and 1 leave the entry as it is).
 */
public final class ReverseSequence extends Op {
    private static final Attribute<ReverseSequence, Long> BATCH_AXIS = Attribute.integer("batch_axis",
            (ReverseSequence op) -> op.batchAxis).orElse(0L);
    private static final Attribute<ReverseSequence, Long> SEQ_AXIS = Attribute.integer("seq_axis",
            (ReverseSequence op) -> op.seqAxis).orElse(1L);
    public static final OpSpec<ReverseSequence> SPEC = OpSpec.of(ReverseSequence.class, "ReverseSequence", "opset1",
            a -> new ReverseSequence(BATCH_AXIS.read(a), SEQ_AXIS.read(a)), BATCH_AXIS, SEQ_AXIS);

    private final long batchAxis;
    private final long seqAxis;

    public ReverseSequence(long batchAxis, long seqAxis) {
        this.batchAxis = batchAxis;
        this.seqAxis = seqAxis;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        PartialShape lengths = ctx.inputShape(1);
        if (!ctx.inputType(1).isInteger() || lengths.hasRank() && lengths.rank() != 1) {
            throw ctx.error("seq_lengths must be a 1-D integer tensor, got " + ctx.inputType(1) + lengths);
        }
        if (in.hasRank()) {
            int b = ctx.axis(batchAxis, in.rank());
            int s = ctx.axis(seqAxis, in.rank());
            if (b == s) {
                throw ctx.error("batch_axis and seq_axis must differ, both are " + b);
            }
            if (lengths.hasRank() && !in.isDynamic(b) && !lengths.isDynamic(0) && lengths.dim(0) != in.dim(b)) {
                throw ctx.error("seq_lengths " + lengths + " must have one value per batch entry of " + in);
            }
        }
        Tensor lengthValues = ctx.inputValue(1);
        if (lengthValues != null && in.hasRank() && !in.isDynamic(ctx.axis(seqAxis, in.rank()))) {
            int max = in.dim(ctx.axis(seqAxis, in.rank()));
            for (int i = 0; i < lengthValues.size(); i++) {
                long l = lengthValues.getLong(i);
                if (l < 0 || l > max) {
                    throw ctx.error("seq_lengths[" + i + "] = " + l + " is outside [0, " + max + "]");
                }
            }
        }
        ctx.setOutput(0, ctx.inputType(0), in);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor lengths = inputs[1];
        Tensor out = outputs[0];
        int rank = in.rank();
        int b = (int) (batchAxis < 0 ? batchAxis + rank : batchAxis);
        int s = (int) (seqAxis < 0 ? seqAxis + rank : seqAxis);
        int[] strides = Shapes.strides(in.shape());
        int[] idx = new int[rank];
        for (int i = 0; i < in.size(); i++) {
            int length = (int) lengths.getLong(idx[b]);
            int t = idx[s];
            int source = t < length ? i + (length - 1 - 2 * t) * strides[s] : i;
            in.copyElement(source, out, i);
            for (int d = rank - 1; d >= 0 && ++idx[d] == in.dim(d); d--) {
                idx[d] = 0;
            }
        }
    }
}
