package dev.infero.core.ops.eltwise;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.E8M0;
import dev.infero.core.types.ElementType;

/**
 * Element type conversion (OpenVINO Convert-1). Floating to integer truncates toward zero, as ONNX Cast does;
 * integers keep their low bits; anything non-zero (NaN included) becomes boolean true. NaN becomes integer 0.
 * Conversions to f8e8m0 round as {@link E8M0.Rounding} says (ONNX Cast's {@code round_mode}, default up; the IR
 * carries Infero's {@code round_mode} attribute only when it is not up).
 */
public final class Convert extends Op {
    private static final double TWO_TO_63 = 0x1p63;
    private static final Attribute<Convert, ElementType> DESTINATION = Attribute.elementType("destination_type",
            Convert::destination);
    /** Infero's own attribute, written only when false: OpenVINO's Convert always saturates. */
    private static final Attribute<Convert, Boolean> SATURATE = Attribute.bool("saturate", Convert::saturate)
            .orElse(true).writtenWhen(c -> !c.saturate);
    /** Infero's own attribute, written only for f8e8m0 results that do not round up. */
    private static final Attribute<Convert, E8M0.Rounding> ROUND_MODE = Attribute.enumValue("round_mode",
            E8M0.Rounding.class, Convert::rounding).orElse(E8M0.Rounding.UP)
            .writtenWhen(c -> c.destination == ElementType.F8E8M0 && c.rounding != E8M0.Rounding.UP);
    public static final OpSpec<Convert> SPEC = OpSpec.of(Convert.class, "Convert", "opset1",
            a -> new Convert(DESTINATION.read(a), SATURATE.read(a), ROUND_MODE.read(a)), DESTINATION, SATURATE,
            ROUND_MODE);

    private final ElementType destination;
    private final boolean saturate;
    private final E8M0.Rounding rounding;

    public Convert(ElementType destination) {
        this(destination, true);
    }

    public Convert(ElementType destination, boolean saturate) {
        this(destination, saturate, E8M0.Rounding.UP);
    }

    /**
     * A conversion whose 8-bit float results either saturate ({@code true}: out-of-range values and infinities become
     * the largest finite value, ONNX Cast's default and OpenVINO's behaviour) or overflow to infinity or NaN.
     */
    public Convert(ElementType destination, boolean saturate, E8M0.Rounding rounding) {
        this.destination = destination;
        this.saturate = saturate;
        this.rounding = rounding;
    }

    public ElementType destination() {
        return destination;
    }

    /** Whether conversions to 8-bit floats saturate; see {@link #Convert(ElementType, boolean)}. */
    public boolean saturate() {
        return saturate;
    }

    /** How conversions to f8e8m0 round ({@code round_mode}). */
    public E8M0.Rounding rounding() {
        return rounding;
    }

    @Override
    public void infer(InferContext ctx) {
        ctx.setOutput(0, destination, ctx.inputShape(0));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        int n = in.size();
        if (in.type() == destination) {
            in.copyTo(out);
        } else if (destination == ElementType.F8E8M0) {
            byte[] codes = out.bytes();
            for (int i = 0; i < n; i++) {
                codes[i] = (byte) E8M0.encode(in.getDouble(i), saturate, rounding);
            }
        } else if (destination.miniFloat() != null && !saturate) {
            byte[] codes = out.bytes();
            for (int i = 0; i < n; i++) {
                codes[i] = (byte) destination.miniFloat().encode(in.getDouble(i), false);
            }
        } else if (in.type().isFloating() && destination == ElementType.U64) {
            for (int i = 0; i < n; i++) {
                out.setLong(i, toUnsignedLong(in.getDouble(i)));
            }
        } else if (in.type() == ElementType.F64 && destination.bits() == 16) {
            for (int i = 0; i < n; i++) {
                out.setDouble(i, roundToOddFloat(in.getDouble(i)));
            }
        } else if (in.type().isFloating() || destination.isFloating()) {
            for (int i = 0; i < n; i++) {
                out.setDouble(i, in.getDouble(i));
            }
        } else {
            for (int i = 0; i < n; i++) {
                out.setLong(i, in.getLong(i));
            }
        }
    }

    /**
     * {@code v} as a float rounded to odd: truncated toward zero, with the last bit set when inexact. Rounding that
     * float to a 16-bit type then equals rounding {@code v} directly, which plain double-to-float-to-half rounding
     * misses when the first rounding lands on a tie of the second.
     */
    private static float roundToOddFloat(double v) {
        float f = (float) v;
        if (Double.isNaN(v) || f == v) {
            return f;
        }
        if (Math.abs(f) > Math.abs(v)) {
            f = Math.nextAfter(f, 0.0);
        }
        return Float.intBitsToFloat(Float.floatToRawIntBits(f) | 1);
    }

    /** Truncates toward zero into the u64 range (a plain long cast would saturate at 2^63 - 1). */
    private static long toUnsignedLong(double v) {
        return v >= TWO_TO_63 ? (long) (v - TWO_TO_63) ^ Long.MIN_VALUE : (long) v;
    }
}
