package dev.infero.core.ops.sequence;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import java.util.Arrays;

/**
 * SequenceConstruct (ONNX SequenceConstruct-11): its one or more inputs, all of one element type, as a packed
 * sequence (output 0 data, output 1 shapes).
 */
public final class SequenceConstruct extends SequenceOp {
    public static final OpSpec<SequenceConstruct> SPEC = OpSpec.of(SequenceConstruct.class, "SequenceConstruct",
            "infero",
            a -> new SequenceConstruct());

    @Override
    void check(InferContext ctx) {
        if (ctx.inputCount() == 0) {
            throw ctx.error("needs at least one input");
        }
        for (int i = 1; i < ctx.inputCount(); i++) {
            if (ctx.inputType(i) != ctx.inputType(0)) {
                throw ctx.error("input " + i + " is " + ctx.inputType(i) + ", input 0 " + ctx.inputType(0)
                        + " (a sequence holds one element type)");
            }
        }
    }

    @Override
    Tensor[] compute(Tensor[] inputs) {
        return pack(inputs[0].type(), Arrays.asList(inputs));
    }

    @Override
    void inferDynamic(InferContext ctx) {
        setSequenceOutput(ctx, ctx.inputType(0));
    }
}
