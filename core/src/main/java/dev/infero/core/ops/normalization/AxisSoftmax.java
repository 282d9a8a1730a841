package dev.infero.core.ops.normalization;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.ops.eltwise.FloatExp;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.VectorLanes;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Softmax and its logarithm along one (possibly negative) axis, computed stably: with m the line's maximum,
 * {@code softmax = exp(x - m) / sum(exp(x - m))} and {@code logsoftmax = x - m - log(sum(exp(x - m)))}.
 * f32 lines along a contiguous innermost axis run on vector lanes; other lines and types run scalar (in double for
 * types other than f32).
 */
public abstract class AxisSoftmax extends Op {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    /** The axis (negative counts from the end), the one attribute of both. */
    static final Attribute<AxisSoftmax, Long> AXIS = Attribute.integer("axis", AxisSoftmax::axis);

    private final long axis;

    protected AxisSoftmax(long axis) {
        this.axis = axis;
    }

    public long axis() {
        return axis;
    }

    /** Whether the output is the logarithm of the softmax. */
    protected abstract boolean logarithmic();

    @Override
    public void infer(InferContext ctx) {
        ctx.requireFloating(0, "input");
        PartialShape in = ctx.inputShape(0);
        if (in.hasRank()) {
            ctx.axis(axis, in.rank());
        }
        ctx.setOutput(0, ctx.inputType(0), in);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        int[] shape = in.shape();
        int a = Shapes.normalizeAxis(axis, shape.length);
        int outer = Shapes.product(shape, 0, a);
        int n = shape[a];
        int inner = Shapes.product(shape, a + 1, shape.length);
        if (n == 0) {
            return;
        }
        boolean f32 = in.type() == dev.infero.core.types.ElementType.F32;
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int start = o * n * inner + i;
                if (f32 && inner == 1) {
                    contiguousLine(in.floats(), out.floats(), start, n);
                } else {
                    stridedLine(in, out, start, n, inner);
                }
            }
        }
    }

    private void contiguousLine(float[] x, float[] z, int start, int n) {
        int bound = F.loopBound(n);
        float max = Float.NEGATIVE_INFINITY;
        int k = 0;
        if (bound > 0) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; k < bound; k += F.length()) {
                m = m.max(FloatVector.fromArray(F, x, start + k));
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; k < n; k++) {
            max = Math.max(max, x[start + k]);
        }
        FloatVector vmax = FloatVector.broadcast(F, max);
        FloatVector vsum = FloatVector.zero(F);
        // exp through FloatExp (not lanewise(EXP), whose bits change once C2 compiles the loop), its vector steps
        // written out so no vector crosses a call; the tail through FloatExp.exp, the same bits. Differences below
        // FloatExp.LO (masked logits, -inf) give 0, as an unclamped exp would underflow, not exp(-86).
        FloatVector zero = FloatVector.zero(F);
        FloatVector one = FloatVector.broadcast(F, 1f);
        FloatVector lo = FloatVector.broadcast(F, FloatExp.LO);
        FloatVector hi = FloatVector.broadcast(F, FloatExp.HI);
        FloatVector log2e = FloatVector.broadcast(F, FloatExp.LOG2E);
        FloatVector magic = FloatVector.broadcast(F, FloatExp.MAGIC);
        FloatVector ln2Hi = FloatVector.broadcast(F, FloatExp.NEG_LN2_HI);
        FloatVector ln2Lo = FloatVector.broadcast(F, FloatExp.NEG_LN2_LO);
        FloatVector p0 = FloatVector.broadcast(F, FloatExp.P0);
        FloatVector p1 = FloatVector.broadcast(F, FloatExp.P1);
        FloatVector p2 = FloatVector.broadcast(F, FloatExp.P2);
        FloatVector p3 = FloatVector.broadcast(F, FloatExp.P3);
        FloatVector p4 = FloatVector.broadcast(F, FloatExp.P4);
        FloatVector p5 = FloatVector.broadcast(F, FloatExp.P5);
        for (k = 0; k < bound; k += F.length()) {
            FloatVector d = FloatVector.fromArray(F, x, start + k).sub(vmax);
            FloatVector r = d.max(lo).min(hi);
            FloatVector m = r.fma(log2e, magic);
            IntVector p = m.reinterpretAsInts().lanewise(VectorOperators.LSHL, 23);
            m = m.sub(magic);
            r = m.fma(ln2Lo, m.fma(ln2Hi, r));
            FloatVector q = p0.fma(r, p1).fma(r, p2).fma(r, p3).fma(r, p4).fma(r, p5).fma(r, one).fma(r, one);
            FloatVector e = q.reinterpretAsInts().add(p).reinterpretAsFloats()
                    .blend(zero, d.compare(VectorOperators.LT, lo));
            e.intoArray(z, start + k);
            vsum = vsum.add(e);
        }
        float sum = VectorLanes.sum(vsum);
        for (; k < n; k++) {
            float d = x[start + k] - max;
            float e = d < FloatExp.LO ? 0f : FloatExp.exp(d);
            z[start + k] = e;
            sum += e;
        }
        if (logarithmic()) {
            FloatVector shift = FloatVector.broadcast(F, max + (float) Math.log(sum));
            for (k = 0; k < bound; k += F.length()) {
                FloatVector.fromArray(F, x, start + k).sub(shift).intoArray(z, start + k);
            }
            float s = max + (float) Math.log(sum);
            for (; k < n; k++) {
                z[start + k] = x[start + k] - s;
            }
        } else {
            FloatVector scale = FloatVector.broadcast(F, 1f / sum);
            for (k = 0; k < bound; k += F.length()) {
                FloatVector.fromArray(F, z, start + k).mul(scale).intoArray(z, start + k);
            }
            for (; k < n; k++) {
                z[start + k] /= sum;
            }
        }
    }

    private void stridedLine(Tensor in, Tensor out, int start, int n, int stride) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) {
            max = Math.max(max, in.getDouble(start + k * stride));
        }
        double sum = 0;
        for (int k = 0; k < n; k++) {
            sum += Math.exp(in.getDouble(start + k * stride) - max);
        }
        double logSum = Math.log(sum);
        for (int k = 0; k < n; k++) {
            double shifted = in.getDouble(start + k * stride) - max;
            out.setDouble(start + k * stride, logarithmic() ? shifted - logSum : Math.exp(shifted) / sum);
        }
    }
}
