package dev.infero.core.ops.movement;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * Reshape-1: the data (input 0) with the shape given by input 1 (i64). One entry may be -1 (inferred from the
 * element count); with {@code special_zero} a 0 copies the input's dimension at that index.
 */
public final class Reshape extends ShapeOnlyOp {
    private static final Attribute<Reshape, Boolean> SPECIAL_ZERO = Attribute.bool("special_zero",
            (Reshape op) -> op.specialZero()).orElse(false);
    public static final OpSpec<Reshape> SPEC = OpSpec.of(Reshape.class, "Reshape", "opset1",
            a -> new Reshape(SPECIAL_ZERO.read(a)), SPECIAL_ZERO);

    private final boolean specialZero;

    public Reshape(boolean specialZero) {
        this.specialZero = specialZero;
    }

    /** Whether a 0 in the target shape copies the input dimension ({@code special_zero}). */
    public boolean specialZero() {
        return specialZero;
    }

    @Override
    public void infer(InferContext ctx) {
        Tensor target = ctx.inputValue(1);
        PartialShape in = ctx.inputShape(0);
        if (target == null) {
            PartialShape ts = ctx.inputShape(1);
            ctx.setOutput(0, ctx.inputType(0), ts.isStatic() && ts.rank() == 1 ? PartialShape.dynamic(ts.dim(0))
                    : PartialShape.unknownRank());
            return;
        }
        if (target.rank() > 1) {
            throw ctx.error("target shape must be 1-D, got " + target.describe());
        }
        long[] t = target.toLongArray();
        int[] out = new int[t.length];
        int inferAt = -1;
        long known = 1;
        boolean dynamic = false;
        for (int i = 0; i < t.length; i++) {
            long d = t[i];
            if (d == 0 && specialZero) {
                if (!in.hasRank() || i >= in.rank()) {
                    throw ctx.error("target shape has 0 at index " + i + " but the input has no dimension there");
                }
                d = in.dim(i);
                if (d == PartialShape.DYNAMIC) {
                    dynamic = true;
                }
            } else if (d == -1) {
                if (inferAt >= 0) {
                    throw ctx.error("target shape " + java.util.Arrays.toString(t) + " has more than one -1");
                }
                inferAt = i;
                continue;
            } else if (d < 0) {
                throw ctx.error("target shape " + java.util.Arrays.toString(t) + " has invalid dimension " + d);
            }
            out[i] = (int) d;
            if (d != PartialShape.DYNAMIC) {
                known *= d;
            }
        }
        if (!in.isStatic() || dynamic) {
            if (inferAt >= 0) {
                out[inferAt] = PartialShape.DYNAMIC;
            }
            ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
            return;
        }
        long total = 1;
        for (int d : in.toArray()) {
            total *= d;
        }
        if (inferAt >= 0) {
            if (known == 0 || total % known != 0) {
                throw ctx.error("cannot reshape " + in + " (" + total + " elements) to "
                        + java.util.Arrays.toString(t));
            }
            out[inferAt] = (int) (total / known);
        } else if (known != total) {
            throw ctx.error("cannot reshape " + in + " (" + total + " elements) to " + java.util.Arrays.toString(t)
                    + " (" + known + " elements)");
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }
}
