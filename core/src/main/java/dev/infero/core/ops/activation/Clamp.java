package dev.infero.core.ops.activation;

import dev.infero.core.InferoException;
import dev.infero.core.op.Attribute;
import dev.infero.core.op.OpSpec;
import dev.infero.core.types.ElementType;
import jdk.incubator.vector.FloatVector;

/**
 * Element-wise {@code min(max(x, min), max)} (OpenVINO Clamp-1) for any numeric type. When {@code min > max} every
 * value becomes {@code max}, as ONNX Clip specifies; NaN stays NaN. An infinite bound means "no bound". For integer
 * types the bounds are rounded inward (min up, max down), as in OpenVINO.
 */
public final class Clamp extends VectorActivation {
    private static final Attribute<Clamp, Double> MIN = Attribute.number("min", Clamp::min);
    private static final Attribute<Clamp, Double> MAX = Attribute.number("max", Clamp::max);
    public static final OpSpec<Clamp> SPEC = OpSpec.of(Clamp.class, "Clamp", "opset1",
            a -> new Clamp(MIN.read(a), MAX.read(a)), MIN, MAX);

    private final double min;
    private final double max;

    public Clamp(double min, double max) {
        if (Double.isNaN(min) || Double.isNaN(max)) {
            throw new InferoException("Clamp bounds must be numbers, got min=" + min + ", max=" + max);
        }
        this.min = min;
        this.max = max;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    @Override
    protected boolean supports(ElementType type) {
        return type != ElementType.BOOLEAN;
    }

    @Override
    protected FloatVector apply(FloatVector x) {
        return x.max((float) min).min((float) max);
    }

    @Override
    protected double apply(double x) {
        return Math.min(Math.max(x, min), max);
    }

    @Override
    protected long apply(long x, ElementType type) {
        // Saturating double-to-long casts map infinite bounds to the long range, which never binds.
        long lo = (long) Math.ceil(min);
        long hi = (long) Math.floor(max);
        if (type == ElementType.U64) {
            long clamped = Long.compareUnsigned(x, lo) < 0 && lo >= 0 ? lo : x;
            return hi >= 0 && Long.compareUnsigned(clamped, hi) > 0 ? hi : clamped;
        }
        return Math.min(Math.max(x, lo), hi);
    }
}
