package dev.infero.core.ops.activation;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Element-wise {@code x < 0 ? x * slope : x} (OpenVINO PRelu-1), for any signed numeric type. The slope broadcasts
 * to the data numpy-style and only in that direction (ONNX PRelu): the output has the data's shape. A scalar slope
 * gives LeakyRelu. Its IR type is {@code PReLU}, as OpenVINO's serializer writes opset1 PRelu; {@code PRelu} is read
 * too.
 */
public final class PRelu extends BinaryElementwise {
    /** No attributes: its broadcasting is fixed. */
    public static final OpSpec<PRelu> SPEC = OpSpec.of(PRelu.class, "PReLU", "opset1", a -> new PRelu());

    @Override
    protected boolean supports(ElementType type) {
        return type != ElementType.BOOLEAN;
    }

    @Override
    public void infer(InferContext ctx) {
        super.infer(ctx);
        PartialShape data = ctx.inputShape(0);
        PartialShape both = Shapes.broadcast(data, ctx.inputShape(1));
        if (data.hasRank() && both.hasRank() && both.rank() != data.rank()) {
            throw ctx.error("slope " + ctx.inputShape(1) + " has more dimensions than data " + data);
        }
        if (data.isStatic() && both.isStatic() && !data.equals(both)) {
            throw ctx.error("slope " + ctx.inputShape(1) + " does not broadcast to data " + data);
        }
        ctx.setOutput(0, ctx.inputType(0), data);
    }

    @Override
    protected boolean vectorized() {
        return true;
    }

    @Override
    protected FloatVector apply(FloatVector x, FloatVector slope) {
        return x.blend(x.mul(slope), x.compare(VectorOperators.LT, 0f));
    }

    @Override
    protected double apply(double x, double slope) {
        return x < 0 ? x * slope : x;
    }

    @Override
    protected long apply(long x, long slope, ElementType type) {
        return type.isSigned() && x < 0 ? x * slope : x;
    }
}
