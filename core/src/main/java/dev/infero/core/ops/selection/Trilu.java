package dev.infero.core.ops.selection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;

/**
 * The upper ({@code upper=true}: keeps {@code col - row >= k}) or lower (keeps {@code col - row <= k}) triangle of
 * the matrices in the last two dimensions; other elements become zero. Input 1, optional, is the scalar diagonal
 * offset k (default 0).
 *
 * <p>Infero-specific (version "infero"): OpenVINO has no triangle op (its ONNX frontend builds a mask from Range,
 * comparisons and Select, none of which this one op needs).
 */
public final class Trilu extends Op {
    private static final Attribute<Trilu, Boolean> UPPER = Attribute.bool("upper", (Trilu op) -> op.upper)
            .orElse(true);
    public static final OpSpec<Trilu> SPEC = OpSpec.of(Trilu.class, "Trilu", "infero", a -> new Trilu(UPPER.read(a)),
            UPPER);

    private final boolean upper;

    public Trilu(boolean upper) {
        this.upper = upper;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        if (in.hasRank() && in.rank() < 2) {
            throw ctx.error("input must have rank >= 2, got " + in);
        }
        if (ctx.hasInput(1)) {
            PartialShape k = ctx.inputShape(1);
            if (k.hasRank() && k.rank() != 0 || !ctx.inputType(1).isInteger()) {
                throw ctx.error("k must be an integer scalar, got " + ctx.inputType(1) + k);
            }
        }
        ctx.setOutput(0, ctx.inputType(0), in);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        long k = inputs.length > 1 && inputs[1] != null ? inputs[1].getLong(0) : 0;
        int rows = in.dim(in.rank() - 2);
        int cols = in.dim(in.rank() - 1);
        in.copyTo(out);
        for (int i = 0; i < in.size(); i++) {
            long col = i % cols;
            long row = (i / cols) % rows;
            boolean keep = upper ? col - row >= k : col - row <= k;
            if (!keep) {
                out.setLong(i, 0);
            }
        }
    }
}
