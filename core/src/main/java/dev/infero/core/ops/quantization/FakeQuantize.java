package dev.infero.core.ops.quantization;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.ops.eltwise.BinaryElementwise;
import dev.infero.core.ops.eltwise.BroadcastLoop;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;

/**
 * FakeQuantize-1: maps X onto {@code levels} evenly spaced values. Inputs X, input_low, input_high, output_low,
 * output_high broadcast numpy-style; element-wise:
 * <pre>
 * x &lt;= min(il, ih):  ol
 * x &gt;  max(il, ih):  oh
 * otherwise:         round((x - il) / (ih - il) * (levels - 1)) / (levels - 1) * (oh - ol) + ol
 * </pre>
 * where round is to nearest, ties to even (like OpenVINO's reference {@code std::nearbyint}). f32 inputs are computed
 * in f32, in exactly this order of operations.
 */
public final class FakeQuantize extends Op {
    private static final Attribute<FakeQuantize, Long> LEVELS = Attribute.integer("levels", FakeQuantize::levels);
    public static final OpSpec<FakeQuantize> SPEC = OpSpec.of(FakeQuantize.class, "FakeQuantize", "opset1",
            a -> new FakeQuantize(LEVELS.read(a)), LEVELS, BinaryElementwise.AUTO_BROADCAST);

    private final long levels;

    public FakeQuantize(long levels) {
        if (levels < 2) {
            throw new IllegalArgumentException("FakeQuantize needs at least 2 levels, got " + levels);
        }
        this.levels = levels;
    }

    public long levels() {
        return levels;
    }

    /**
     * The level that the value 0 falls on for a range {@code [low, high]} of {@code levels} levels, its zero point,
     * or -1 when 0 lies outside the range or more than 10^-4 of a step off a level (an asymmetric range that was not
     * tuned): with an integer zero point, 0 is represented (as padding needs) and integer kernels apply.
     */
    public static long integerZeroPoint(double low, double high, long levels) {
        if (!(low < high) || low > 0 || high < 0) {
            return -1;
        }
        double zero = -low * (levels - 1) / (high - low);
        long rounded = Math.round(zero);
        return Math.abs(zero - rounded) <= 1e-4 ? rounded : -1;
    }

    @Override
    public void infer(InferContext ctx) {
        ElementType t = ctx.inputType(0);
        if (!t.isFloating()) {
            throw ctx.error("X must be floating point, got " + t);
        }
        PartialShape shape = ctx.inputShape(0);
        for (int i = 1; i < 5; i++) {
            if (ctx.inputType(i) != t) {
                throw ctx.error("input " + i + " has type " + ctx.inputType(i) + " but X has " + t);
            }
            shape = Shapes.broadcast(shape, ctx.inputShape(i));
        }
        ctx.setOutput(0, t, shape);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor out = outputs[0];
        int[][] shapes = new int[5][];
        for (int i = 0; i < 5; i++) {
            shapes[i] = inputs[i].shape();
        }
        BroadcastLoop loop = new BroadcastLoop(out.shape(), shapes);
        if (out.type() == ElementType.F32) {
            float[] x = inputs[0].floats();
            float[] il = inputs[1].floats();
            float[] ih = inputs[2].floats();
            float[] ol = inputs[3].floats();
            float[] oh = inputs[4].floats();
            float[] z = out.floats();
            float steps = levels - 1;
            loop.forEachRow((off, st, o, n) -> {
                for (int i = 0; i < n; i++) {
                    z[o + i] = quantize(x[off[0] + i * st[0]], il[off[1] + i * st[1]], ih[off[2] + i * st[2]],
                            ol[off[3] + i * st[3]], oh[off[4] + i * st[4]], steps);
                }
            });
        } else {
            double steps = levels - 1;
            loop.forEachRow((off, st, o, n) -> {
                for (int i = 0; i < n; i++) {
                    double x = inputs[0].getDouble(off[0] + i * st[0]);
                    double il = inputs[1].getDouble(off[1] + i * st[1]);
                    double ih = inputs[2].getDouble(off[2] + i * st[2]);
                    double ol = inputs[3].getDouble(off[3] + i * st[3]);
                    double oh = inputs[4].getDouble(off[4] + i * st[4]);
                    double r = x <= Math.min(il, ih) ? ol : x > Math.max(il, ih) ? oh
                            : Math.rint((x - il) / (ih - il) * steps) / steps * (oh - ol) + ol;
                    out.setDouble(o + i, r);
                }
            });
        }
    }

    /** The f32 formula, kept in f32 arithmetic so results match an f32 implementation bit for bit. */
    static float quantize(float x, float il, float ih, float ol, float oh, float steps) {
        if (x <= Math.min(il, ih)) {
            return ol;
        }
        if (x > Math.max(il, ih)) {
            return oh;
        }
        return (float) Math.rint((x - il) / (ih - il) * steps) / steps * (oh - ol) + ol;
    }
}
