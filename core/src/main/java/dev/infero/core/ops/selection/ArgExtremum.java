package dev.infero.core.ops.selection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * Index (i64) of the largest ({@code mode="max"}) or smallest ({@code mode="min"}) element along {@code axis}; the
 * axis stays as a dimension of size 1. Ties resolve to the <em>last</em> index when {@code select_last_index} is
 * true, else to the first.
 *
 * <p>Infero-specific (version "infero"): OpenVINO expresses ONNX ArgMax/ArgMin as TopK(k=1), which always prefers the
 * first index, so ONNX's {@code select_last_index=1} needs this op. Importers use TopK otherwise.
 */
public final class ArgExtremum extends Op {
    private static final Attribute<ArgExtremum, Long> AXIS = Attribute.integer("axis", op -> op.axis);
    private static final Attribute<ArgExtremum, String> MODE = Attribute.string("mode",
            op -> op.largest ? "max" : "min");
    private static final Attribute<ArgExtremum, Boolean> SELECT_LAST_INDEX = Attribute.bool("select_last_index",
            (ArgExtremum op) -> op.selectLastIndex).orElse(false);
    public static final OpSpec<ArgExtremum> SPEC = OpSpec.of(ArgExtremum.class, "ArgExtremum", "infero",
            a -> new ArgExtremum(AXIS.read(a), MODE.read(a).equals("max"), SELECT_LAST_INDEX.read(a)),
            AXIS, MODE, SELECT_LAST_INDEX);

    private final long axis;
    private final boolean largest;
    private final boolean selectLastIndex;

    public ArgExtremum(long axis, boolean largest, boolean selectLastIndex) {
        this.axis = axis;
        this.largest = largest;
        this.selectLastIndex = selectLastIndex;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        if (!in.hasRank()) {
            ctx.setOutput(0, ElementType.I64, in);
            return;
        }
        int a = ctx.axis(axis, in.rank());
        int[] dims = in.dimsOrDynamic();
        if (dims[a] == 0) {
            throw ctx.error("cannot take the arg-" + (largest ? "max" : "min") + " of an empty axis");
        }
        dims[a] = 1;
        ctx.setOutput(0, ElementType.I64, PartialShape.of(dims));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        long[] out = outputs[0].longs();
        AxisSlices s = AxisSlices.of(data.shape(), Shapes.normalizeAxis(axis, data.rank()));
        boolean integer = !data.type().isFloating();
        for (int line = 0; line < s.lines(); line++) {
            int start = s.start(line);
            int best = 0;
            for (int j = 1; j < s.axisSize(); j++) {
                int c = integer ? compareLong(data, s.at(start, j), s.at(start, best))
                        : compareDouble(data.getDouble(s.at(start, j)), data.getDouble(s.at(start, best)));
                if (c != 0 && (c > 0) == largest || c == 0 && selectLastIndex) {
                    best = j;
                }
            }
            out[line] = best;
        }
    }

    /** Numeric comparison in which -0 equals +0 (unlike {@link Double#compare}). */
    private static int compareDouble(double a, double b) {
        return a < b ? -1 : a > b ? 1 : 0;
    }

    private static int compareLong(Tensor t, int i, int j) {
        return t.type() == ElementType.U64 ? Long.compareUnsigned(t.getLong(i), t.getLong(j))
                : Long.compare(t.getLong(i), t.getLong(j));
    }
}
