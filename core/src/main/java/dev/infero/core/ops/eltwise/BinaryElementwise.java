package dev.infero.core.ops.eltwise;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Two-input element-wise ops with numpy broadcasting ({@code auto_broadcast="numpy"}). A subclass states its math
 * once per number kind: a Vector API operator (or a row loop) for f32, a double function for other floating types,
 * a long function for integers. Integer results wrap like C; booleans are 0/1 integers.
 */
public abstract class BinaryElementwise extends Op {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /**
     * {@code auto_broadcast}, declared by every op that broadcasts numpy-style (the binary element-wise ops, Select,
     * FakeQuantize): written as OpenVINO writes it; the broadcasting is always numpy's, so it is not read back.
     */
    public static final Attribute<Op, String> AUTO_BROADCAST = Attribute.string("auto_broadcast", op -> "numpy")
            .orElse("numpy");

    /** The vector operator computing this op on f32 lanes, or {@code null} when it has none. */
    protected VectorOperators.Binary vectorOp() {
        return null;
    }

    /**
     * The op on f32 lanes. The default applies {@link #vectorOp()}; ops composed of several vector operations
     * override this together with {@link #vectorized()}.
     */
    protected FloatVector apply(FloatVector a, FloatVector b) {
        return a.lanewise(vectorOp(), b);
    }

    /** Whether {@link #apply(FloatVector, FloatVector)} is available; otherwise f32 rows run scalar. */
    protected boolean vectorized() {
        return vectorOp() != null;
    }

    /** The op on one pair of floating values (f64, f16, bf16, and scalar tails of f32 rows without a vector op). */
    protected abstract double apply(double a, double b);

    /** The op on one pair of integer values, already widened to long (unsigned types zero-extended). */
    protected abstract long apply(long a, long b, ElementType type);

    /** Whether the op is defined for inputs of this element type (checked by {@link #infer}). */
    protected boolean supports(ElementType type) {
        return true;
    }

    /** Output element type for inputs of type {@code in}; comparisons override this to return boolean. */
    protected ElementType outputType(ElementType in) {
        return in;
    }

    @Override
    public void infer(InferContext ctx) {
        ElementType a = ctx.inputType(0);
        ElementType b = ctx.inputType(1);
        if (a != b) {
            throw ctx.error("input element types differ: " + a + " and " + b);
        }
        if (!supports(a)) {
            throw ctx.error("element type " + a + " is not supported");
        }
        ctx.setOutput(0, outputType(a), Shapes.broadcast(ctx.inputShape(0), ctx.inputShape(1)));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor a = inputs[0];
        Tensor b = inputs[1];
        Tensor out = outputs[0];
        BroadcastLoop loop = new BroadcastLoop(out.shape(), a.shape(), b.shape());
        ElementType type = a.type();
        if (type == ElementType.F32 && out.type() == ElementType.F32) {
            float[] x = a.floats();
            float[] y = b.floats();
            float[] z = out.floats();
            loop.forEachRow((off, steps, o, n) -> applyFloatRow(x, off[0], steps[0], y, off[1], steps[1], z, o, n));
        } else if (type.isFloating()) {
            loop.forEachRow((off, steps, o, n) -> {
                for (int i = 0; i < n; i++) {
                    double r = apply(a.getDouble(off[0] + i * steps[0]), b.getDouble(off[1] + i * steps[1]));
                    out.setDouble(o + i, r);
                }
            });
        } else {
            loop.forEachRow((off, steps, o, n) -> {
                for (int i = 0; i < n; i++) {
                    long r = apply(a.getLong(off[0] + i * steps[0]), b.getLong(off[1] + i * steps[1]), type);
                    out.setLong(o + i, r);
                }
            });
        }
    }

    /**
     * One f32 row: {@code z[zo+i] = op(x[xo+i*xs], y[yo+i*ys])} for i in [0, n), where a step of 0 repeats a value.
     * The default vectorizes with {@link #apply(FloatVector, FloatVector)}; ops without a vector form override this
     * with a scalar loop of their own, so that no element pays a virtual call.
     */
    protected void applyFloatRow(float[] x, int xo, int xs, float[] y, int yo, int ys, float[] z, int zo, int n) {
        int i = 0;
        if (vectorized()) {
            int bound = F.loopBound(n);
            if (xs == 1 && ys == 1) {
                for (; i < bound; i += F.length()) {
                    apply(FloatVector.fromArray(F, x, xo + i), FloatVector.fromArray(F, y, yo + i))
                            .intoArray(z, zo + i);
                }
            } else if (xs == 1) {
                FloatVector vy = FloatVector.broadcast(F, y[yo]);
                for (; i < bound; i += F.length()) {
                    apply(FloatVector.fromArray(F, x, xo + i), vy).intoArray(z, zo + i);
                }
            } else if (ys == 1) {
                FloatVector vx = FloatVector.broadcast(F, x[xo]);
                for (; i < bound; i += F.length()) {
                    apply(vx, FloatVector.fromArray(F, y, yo + i)).intoArray(z, zo + i);
                }
            }
        }
        for (; i < n; i++) {
            z[zo + i] = (float) apply(x[xo + i * xs], y[yo + i * ys]);
        }
    }
}
