package dev.infero.core.ops.reduce;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.VectorLanes;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Reduce* ops of OpenVINO: input 0 is the data, input 1 the (constant or run-time) axes to reduce; with
 * {@code keep_dims} the reduced axes stay as dimensions of size 1. Empty axes reduce nothing (the output equals the
 * input); reducing an empty axis gives the combination's identity (0 for sums, 1 for products, -inf for max).
 *
 * <p>A subclass states its math as data: how elements are mapped first ({@link Mapping}), how they combine
 * ({@link Combine}), and an optional final step per output element ({@link #finish}). f32 accumulates in f32 with
 * vector lanes; other floating types in double; integers in long (wrapping like C).
 */
public abstract class Reduction extends Op {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** The one attribute of every Reduce* op, listed in each one's {@code SPEC}. */
    protected static final Attribute<Reduction, Boolean> KEEP_DIMS = Attribute.bool("keep_dims", Reduction::keepDims)
            .orElse(false);

    /** How mapped elements combine into one value. */
    protected enum Combine {
        SUM(0), PRODUCT(1), MAX(Double.NEGATIVE_INFINITY), MIN(Double.POSITIVE_INFINITY);

        final double identity;

        Combine(double identity) {
            this.identity = identity;
        }

        /**
         * {@code a ⊕ b} lane-wise. Each branch names its operator as a constant: C2 compiles
         * {@code lanewise(op, ...)} to vector instructions only when {@code op} is a constant; with the operator read
         * from a field of the constant, every call ran the Vector API's Java fallback, allocating an array per vector
         * (the embedded demo's GlobalAveragePool allocated 540 kB per inference).
         */
        FloatVector apply(FloatVector a, FloatVector b) {
            return switch (this) {
                case SUM -> a.lanewise(VectorOperators.ADD, b);
                case PRODUCT -> a.lanewise(VectorOperators.MUL, b);
                case MAX -> a.lanewise(VectorOperators.MAX, b);
                case MIN -> a.lanewise(VectorOperators.MIN, b);
            };
        }

        /** The lanes of {@code v} combined, in {@link VectorLanes}' fixed order (constant operators, as above). */
        float fold(FloatVector v) {
            return switch (this) {
                case SUM -> VectorLanes.sum(v);
                case PRODUCT -> VectorLanes.product(v);
                case MAX -> VectorLanes.max(v);
                case MIN -> VectorLanes.min(v);
            };
        }

        double apply(double a, double b) {
            return switch (this) {
                case SUM -> a + b;
                case PRODUCT -> a * b;
                case MAX -> Math.max(a, b);
                case MIN -> Math.min(a, b);
            };
        }

        long apply(long a, long b) {
            return switch (this) {
                case SUM -> a + b;
                case PRODUCT -> a * b;
                case MAX -> Math.max(a, b);
                case MIN -> Math.min(a, b);
            };
        }

        /** The identity for integers: max and min start from the extreme long (fine for every narrower type). */
        long integerIdentity() {
            return switch (this) {
                case SUM -> 0;
                case PRODUCT -> 1;
                case MAX -> Long.MIN_VALUE;
                case MIN -> Long.MAX_VALUE;
            };
        }
    }

    /** What each element becomes before combining. */
    protected enum Mapping { NONE, ABS, SQUARE }

    private final boolean keepDims;
    private final Combine combine;
    private final Mapping mapping;

    /** A reduction whose elements are mapped by {@code mapping}, then combined by {@code combine}. */
    protected Reduction(boolean keepDims, Combine combine, Mapping mapping) {
        this.keepDims = keepDims;
        this.combine = combine;
        this.mapping = mapping;
    }

    public boolean keepDims() {
        return keepDims;
    }

    protected final Combine combine() {
        return combine;
    }

    protected final Mapping mapping() {
        return mapping;
    }

    /** Whether {@link #finish} changes anything (so the final pass can be skipped). */
    protected boolean finishes() {
        return false;
    }

    /** The output value from the combined value of {@code count} elements (mean divides, L2 takes the root). */
    protected double finish(double combined, long count) {
        return combined;
    }

    /** {@link #finish} for integer types; the default rounds the floating result toward zero. */
    protected long finish(long combined, long count) {
        return (long) finish((double) combined, count);
    }

    @Override
    public void infer(InferContext ctx) {
        ElementType type = ctx.inputType(0);
        PartialShape in = ctx.inputShape(0);
        ctx.requireInteger(1, "axes");
        Tensor axes = ctx.inputValue(1);
        if (!in.hasRank()) {
            ctx.setOutput(0, type, PartialShape.unknownRank());
        } else if (axes != null) {
            boolean[] reduced = ReductionAxes.mask(ctx, axes, in.rank());
            ctx.setOutput(0, type, ReductionAxes.reducedShape(in, reduced, keepDims));
        } else if (keepDims) {
            ctx.setOutput(0, type, PartialShape.dynamic(in.rank()));
        } else {
            PartialShape a = ctx.inputShape(1);
            boolean counted = a.isStatic() && a.rank() <= 1;
            ctx.setOutput(0, type, counted ? PartialShape.dynamic(in.rank() - (a.rank() == 0 ? 1 : a.dim(0)))
                    : PartialShape.unknownRank());
        }
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        ReductionLoop loop = new ReductionLoop(in.shape(), ReductionAxes.mask(inputs[1], in.rank()));
        long count = loop.reducedCount();
        int n = loop.outSize();
        ElementType type = in.type();
        if (type == ElementType.F32) {
            float[] z = out.floats();
            Arrays.fill(z, 0, n, (float) combine().identity);
            float[] x = in.floats();
            loop.forEachRow((i, o, step, len) -> {
                if (step == 0) {
                    z[o] = foldRow(x, i, len, z[o]);
                } else {
                    foldInto(x, i, z, o, len);
                }
            });
            if (finishes()) {
                for (int j = 0; j < n; j++) {
                    z[j] = (float) finish(z[j], count);
                }
            }
        } else if (type.isFloating()) {
            double[] acc = new double[n];
            Arrays.fill(acc, combine().identity);
            Combine c = combine();
            Mapping m = mapping();
            loop.forEachRow((i, o, step, len) -> {
                for (int k = 0; k < len; k++) {
                    acc[o + k * step] = c.apply(acc[o + k * step], map(m, in.getDouble(i + k)));
                }
            });
            for (int j = 0; j < n; j++) {
                out.setDouble(j, finish(acc[j], count));
            }
        } else {
            long[] acc = new long[n];
            Combine c = combine();
            Mapping m = mapping();
            Arrays.fill(acc, c.integerIdentity());
            loop.forEachRow((i, o, step, len) -> {
                for (int k = 0; k < len; k++) {
                    acc[o + k * step] = c.apply(acc[o + k * step], map(m, in.getLong(i + k)));
                }
            });
            for (int j = 0; j < n; j++) {
                out.setLong(j, finishes() ? finish(acc[j], count) : acc[j]);
            }
        }
    }

    private static double map(Mapping m, double v) {
        return switch (m) {
            case NONE -> v;
            case ABS -> Math.abs(v);
            case SQUARE -> v * v;
        };
    }

    private static long map(Mapping m, long v) {
        return switch (m) {
            case NONE -> v;
            case ABS -> Math.abs(v);
            case SQUARE -> v * v;
        };
    }

    private FloatVector map(Mapping m, FloatVector v) {
        return switch (m) {
            case NONE -> v;
            case ABS -> v.abs();
            case SQUARE -> v.mul(v);
        };
    }

    /** Combines {@code x[i, i + len)} into {@code acc} (the innermost axis is reduced). */
    private float foldRow(float[] x, int i, int len, float acc) {
        Combine c = combine();
        Mapping m = mapping();
        int k = 0;
        int bound = F.loopBound(len);
        if (bound > 0) {
            FloatVector v = FloatVector.broadcast(F, (float) c.identity);
            for (; k < bound; k += F.length()) {
                v = c.apply(v, map(m, FloatVector.fromArray(F, x, i + k)));
            }
            acc = (float) c.apply(acc, c.fold(v));
        }
        for (; k < len; k++) {
            acc = (float) c.apply(acc, map(m, x[i + k]));
        }
        return acc;
    }

    /** Combines {@code x[i + k]} into {@code z[o + k]} for k in [0, len) (the innermost axis is kept). */
    private void foldInto(float[] x, int i, float[] z, int o, int len) {
        Combine c = combine();
        Mapping m = mapping();
        int k = 0;
        for (int bound = F.loopBound(len); k < bound; k += F.length()) {
            c.apply(FloatVector.fromArray(F, z, o + k), map(m, FloatVector.fromArray(F, x, i + k))).intoArray(z, o + k);
        }
        for (; k < len; k++) {
            z[o + k] = (float) c.apply(z[o + k], map(m, x[i + k]));
        }
    }
}
