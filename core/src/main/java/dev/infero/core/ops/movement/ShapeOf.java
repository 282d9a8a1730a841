package dev.infero.core.ops.movement;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.OutputTypeOp;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/**
 * ShapeOf-3: the shape of input 0 as a 1-D tensor of {@code output_type} (i64 or i32). Its value depends only on the
 * input's shape, so it is known at build time whenever that shape is static, letting shape subgraphs fold.
 */
public final class ShapeOf extends OutputTypeOp {
    public static final OpSpec<ShapeOf> SPEC = OpSpec.of(ShapeOf.class, "ShapeOf", "opset3",
            a -> new ShapeOf(OUTPUT_TYPE.read(a)), OUTPUT_TYPE);
    /** ShapeOf-1, without attributes: always i64 (read as the ShapeOf-3 it equals, which is what IR writes). */
    public static final OpSpec<ShapeOf> V1 = OpSpec.of(ShapeOf.class, "ShapeOf", "opset1",
            a -> new ShapeOf(ElementType.I64));

    public ShapeOf(ElementType outputType) {
        super(ElementType.requireIndexType("ShapeOf output_type", outputType));
    }

    /** Always ShapeOf-3 (what IR writes; ShapeOf-1 files read as the i64 ShapeOf-3 they equal). */
    @Override
    public OpSpec<ShapeOf> spec() {
        return SPEC;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        ctx.setOutput(0, outputType, in.hasRank() ? PartialShape.of(in.rank()) : PartialShape.dynamic(1));
    }

    @Override
    public Tensor[] evaluateFromShapes(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        if (!in.isStatic()) {
            return null;
        }
        Tensor out = Tensor.allocate(outputType, in.rank());
        write(in.toArray(), out);
        return new Tensor[] {out};
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        write(inputs[0].shape(), outputs[0]);
    }

    private static void write(int[] shape, Tensor out) {
        for (int i = 0; i < shape.length; i++) {
            out.setLong(i, shape[i]);
        }
    }
}
