package dev.infero.core.ops.sequence;

import dev.infero.core.InferoException;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.List;

/**
 * An op over packed sequences ({@link PackedSequence}), Infero's own (version "infero"; OpenVINO has no sequences).
 * Output shapes depend on the values: when every present input is known, {@link #infer} computes the result to get
 * them; otherwise outputs are dynamic, and the reference evaluation runs with shapes inferred from the actual inputs.
 */
abstract class SequenceOp extends Op {
    /** The outputs for concrete inputs ({@code null} for an absent optional input). */
    abstract Tensor[] compute(Tensor[] inputs);

    /** Output types and (dynamic) shapes when some input value is not known. */
    abstract void inferDynamic(InferContext ctx);

    /**
     * Checks input types and ranks; called before anything else in {@link #infer}. The default is the rule of the ops
     * that read a sequence: inputs 0 and 1 are a packed sequence; ops that read tensors (SequenceConstruct,
     * SplitToSequence) override it.
     */
    void check(InferContext ctx) {
        checkSequence(ctx, 0);
    }

    @Override
    public final void infer(InferContext ctx) {
        check(ctx);
        Tensor[] values = new Tensor[ctx.inputCount()];
        for (int i = 0; i < values.length; i++) {
            if (ctx.hasInput(i)) {
                values[i] = ctx.inputValue(i);
                if (values[i] == null) {
                    inferDynamic(ctx);
                    return;
                }
            }
        }
        Tensor[] out;
        try {
            out = compute(values);
        } catch (InferoException e) {
            throw ctx.error(e.getMessage());
        }
        for (int i = 0; i < out.length; i++) {
            ctx.setOutput(i, out[i].type(), PartialShape.of(out[i].shape()));
        }
    }

    @Override
    public final void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor[] out = compute(inputs);
        for (int i = 0; i < out.length; i++) {
            out[i].copyTo(outputs[i]);
        }
    }

    /** Inputs {@code i} (data) and {@code i + 1} (shapes) must be a packed sequence. */
    static void checkSequence(InferContext ctx, int i) {
        PartialShape data = ctx.inputShape(i);
        PartialShape shapes = ctx.inputShape(i + 1);
        if (data.hasRank() && data.rank() != 1 || shapes.hasRank() && shapes.rank() != 1
                || ctx.inputType(i + 1) != ElementType.I64) {
            throw ctx.error("inputs " + i + " and " + (i + 1) + " must be a packed sequence (1-D data, 1-D i64 "
                    + "shapes), got " + ctx.inputType(i) + data + " and " + ctx.inputType(i + 1) + shapes);
        }
    }

    /** Outputs 0 and 1 as a packed sequence of {@code type} of unknown length. */
    static void setSequenceOutput(InferContext ctx, ElementType type) {
        ctx.setOutput(0, type, PartialShape.dynamic(1));
        ctx.setOutput(1, ElementType.I64, PartialShape.dynamic(1));
    }

    static Tensor[] pack(ElementType type, List<Tensor> items) {
        return PackedSequence.pack(type, items);
    }

    /** A scalar integer position input. */
    static long scalar(Tensor t, String what) {
        if (t.size() != 1 || !t.type().isInteger()) {
            throw new InferoException(what + " must be an integer scalar, got " + t.describe());
        }
        return t.getLong(0);
    }

    /** The shape of an item of rank {@code rank} (-1: unknown) with every dimension dynamic. */
    static PartialShape ofRank(int rank) {
        return rank < 0 ? PartialShape.unknownRank() : PartialShape.dynamic(rank);
    }
}
