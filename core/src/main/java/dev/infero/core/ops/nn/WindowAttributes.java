package dev.infero.core.ops.nn;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.AttributeSource;
import dev.infero.core.op.Op;
import java.util.Arrays;
import java.util.function.Function;

/**
 * The declared IR attributes of a {@link WindowGeometry}, for every windowed op (convolutions, transposed
 * convolutions, pooling): their names, spellings and defaults, and the reading of a window from them, in one place.
 * Each family base holds one instance over its {@code window()} accessor and lists the attributes it writes in its
 * ops' {@code SPEC}s.
 *
 * @param <O> the op class whose window the attributes read
 */
final class WindowAttributes<O extends Op> {
    /** {@code rounding_type}: how pooling rounds the output size. */
    enum RoundingType {
        FLOOR, CEIL
    }

    final Attribute<O, long[]> strides;
    final Attribute<O, long[]> dilations;
    final Attribute<O, long[]> padsBegin;
    final Attribute<O, long[]> padsEnd;
    final Attribute<O, AutoPad> autoPad;
    final Attribute<O, RoundingType> roundingType;

    WindowAttributes(Function<O, WindowGeometry> window) {
        strides = Attribute.integers("strides", op -> window.apply(op).strides());
        dilations = Attribute.integers("dilations", op -> window.apply(op).dilations());
        padsBegin = Attribute.integers("pads_begin", op -> window.apply(op).padsBegin());
        padsEnd = Attribute.integers("pads_end", op -> window.apply(op).padsEnd());
        autoPad = Attribute.<O, AutoPad>enumValue("auto_pad", AutoPad.class, op -> window.apply(op).autoPad())
                .orElse(AutoPad.EXPLICIT);
        roundingType = Attribute.<O, RoundingType>enumValue("rounding_type", RoundingType.class,
                op -> window.apply(op).ceil() ? RoundingType.CEIL : RoundingType.FLOOR).orElse(RoundingType.FLOOR);
    }

    /**
     * The window {@code a} declares: {@code strides} required; pads zero and dilations one where left out (and for
     * ops without {@code dilations}, {@code dilated} false: pooling-1); explicit padding and floor rounding by default.
     */
    WindowGeometry read(AttributeSource a, boolean dilated) {
        long[] s = strides.read(a);
        long[] ones = new long[s.length];
        Arrays.fill(ones, 1);
        long[] zeros = new long[s.length];
        return new WindowGeometry(s, dilated && a.has(dilations.name()) ? dilations.read(a) : ones,
                a.has(padsBegin.name()) ? padsBegin.read(a) : zeros, a.has(padsEnd.name()) ? padsEnd.read(a) : zeros,
                autoPad.read(a), roundingType.read(a) == RoundingType.CEIL);
    }
}
