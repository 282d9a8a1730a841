package dev.infero.core.ops.eltwise;

import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One-input element-wise ops (activations, math functions, logical not, type tests). A subclass states its math once
 * per number kind: on f32 lanes (a Vector API operator, or a composition of vector operations), on one double (f64,
 * f16, bf16 and the scalar tail of f32 data), and on one long for integer and boolean inputs when it supports them.
 * Ops whose math has no vector form override {@link #applyFloats} with a plain loop of their own, so that no f32
 * element pays a virtual call.
 */
public abstract class UnaryElementwise extends Op {
    protected static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** The vector operator computing this op on f32 lanes, or {@code null} when it has none. */
    protected VectorOperators.Unary vectorOp() {
        return null;
    }

    /**
     * The op on f32 lanes; the default applies {@link #vectorOp()};
     * composite ops override it and {@link #vectorized}.
     */
    protected FloatVector apply(FloatVector x) {
        return x.lanewise(vectorOp());
    }

    /** Whether {@link #apply(FloatVector)} is available. */
    protected boolean vectorized() {
        return vectorOp() != null;
    }

    /** The op on one floating value. */
    protected abstract double apply(double x);

    /**
     * The op on one f32 value (the scalar tail of f32 data): {@link #apply(double)} rounded unless overridden. An op
     * whose vector form is a float computation of its own (FloatExp's exp) overrides it with the same computation,
     * so that the tail's values equal the vector lanes' bit for bit.
     */
    protected float applyFloat(float x) {
        return (float) apply((double) x);
    }

    /** The op on one integer or boolean value, widened to long (unsigned types zero-extended). */
    protected long apply(long x, ElementType type) {
        throw new IllegalStateException(type() + " does not support " + type);
    }

    /** Whether the op accepts inputs of this element type; floating types only unless overridden. */
    protected boolean supports(ElementType type) {
        return type.isFloating();
    }

    /** Output element type for an input of type {@code in}; type tests (IsNaN) override this to return boolean. */
    protected ElementType outputType(ElementType in) {
        return in;
    }

    @Override
    public void infer(InferContext ctx) {
        ElementType type = ctx.inputType(0);
        if (!supports(type)) {
            throw ctx.error("element type " + type + " is not supported");
        }
        ctx.setOutput(0, outputType(type), ctx.inputShape(0));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        ElementType type = in.type();
        int n = in.size();
        if (type == ElementType.F32 && out.type() == ElementType.F32) {
            applyFloats(in.floats(), out.floats(), n);
        } else if (type.isFloating()) {
            for (int i = 0; i < n; i++) {
                out.setDouble(i, apply(in.getDouble(i)));
            }
        } else {
            for (int i = 0; i < n; i++) {
                out.setLong(i, apply(in.getLong(i), type));
            }
        }
    }

    /** {@code z[i] = op(x[i])} for i in [0, n): vectorized when the op has a vector form, scalar tail otherwise. */
    protected void applyFloats(float[] x, float[] z, int n) {
        int i = 0;
        if (vectorized()) {
            for (int bound = F.loopBound(n); i < bound; i += F.length()) {
                apply(FloatVector.fromArray(F, x, i)).intoArray(z, i);
            }
        }
        for (; i < n; i++) {
            z[i] = applyFloat(x[i]);
        }
    }
}
