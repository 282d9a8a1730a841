package dev.infero.core.ops.selection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.OutputTypeOp;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/**
 * NonZero-3: the coordinates of the non-zero elements, as a {@code [rank, count]} tensor of {@code output_type}
 * listing them in row-major order. The count depends on the data, so it is dynamic until the input is known.
 */
public final class NonZero extends OutputTypeOp {
    private static final Attribute<OutputTypeOp, ElementType> OUTPUT_TYPE_OR_I64 = OUTPUT_TYPE.orElse(ElementType.I64);
    public static final OpSpec<NonZero> SPEC = OpSpec.of(NonZero.class, "NonZero", "opset3",
            a -> new NonZero(OUTPUT_TYPE_OR_I64.read(a)), OUTPUT_TYPE_OR_I64);

    public NonZero(ElementType outputType) {
        super(ElementType.requireIndexType("NonZero output_type", outputType));
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        int rank = in.hasRank() ? in.rank() : PartialShape.DYNAMIC;
        Tensor value = ctx.inputValue(0);
        ctx.setOutput(0, outputType, PartialShape.of(rank, value == null ? PartialShape.DYNAMIC : count(value)));
    }

    private static int count(Tensor t) {
        int n = 0;
        for (int i = 0; i < t.size(); i++) {
            n += t.getDouble(i) != 0 ? 1 : 0;
        }
        return n;
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        int rank = in.rank();
        int count = out.dim(1);
        int[] index = new int[rank];
        int found = 0;
        for (int i = 0; i < in.size(); i++) {
            if (in.getDouble(i) != 0) {
                for (int d = 0; d < rank; d++) {
                    out.setLong(d * count + found, index[d]);
                }
                found++;
            }
            for (int d = rank - 1; d >= 0 && ++index[d] == in.dim(d); d--) {
                index[d] = 0;
            }
        }
    }
}
