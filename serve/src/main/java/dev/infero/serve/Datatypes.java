package dev.infero.serve;

import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.Locale;

/**
 * KServe v2 datatype names ({@code FP32}, {@code UINT8}, {@code BOOL}, ...) and the conversion of request tensors to
 * a model input's element type.
 *
 * <p>Conversion rules (as OpenVINO Model Server accepts JSON numbers for any numeric input): integer and boolean data
 * converts to any floating type; floating data converts between floating types (rounding to the nearest
 * representable value); data for an integer or boolean input converts when every value is integral and fits the
 * input's range (so {@code 3.0} is accepted for an INT64 input, {@code 3.5} or {@code 300} for UINT8 are not). Anything
 * else is a 400 naming the input, the value and the types.
 */
public final class Datatypes {
    private Datatypes() {
    }

    /** The protocol's name of an element type. */
    public static String name(ElementType type) {
        return switch (type) {
            case F32 -> "FP32";
            case F64 -> "FP64";
            case F16 -> "FP16";
            case BF16 -> "BF16";
            case I8 -> "INT8";
            case U8 -> "UINT8";
            case I16 -> "INT16";
            case U16 -> "UINT16";
            case I32 -> "INT32";
            case U32 -> "UINT32";
            case I64 -> "INT64";
            case U64 -> "UINT64";
            case BOOLEAN -> "BOOL";
            // No KServe datatype: named as OpenVINO does (F8E4M3, I4, ...); requests for them get a clear 400.
            case F8E4M3, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F4E2M1, F8E8M0, I4, U4, I2, U2 -> type.precision();
        };
    }

    /** The element type of a protocol datatype name; a 400 naming {@code what} for an unknown or unsupported one. */
    public static ElementType parse(String datatype, String what) {
        if (datatype == null || datatype.isEmpty()) {
            throw ServeException.badRequest(what + " has no datatype");
        }
        return switch (datatype.toUpperCase(Locale.ROOT)) {
            case "FP32" -> ElementType.F32;
            case "FP64" -> ElementType.F64;
            case "FP16" -> ElementType.F16;
            case "BF16" -> ElementType.BF16;
            case "INT8" -> ElementType.I8;
            case "UINT8" -> ElementType.U8;
            case "INT16" -> ElementType.I16;
            case "UINT16" -> ElementType.U16;
            case "INT32" -> ElementType.I32;
            case "UINT32" -> ElementType.U32;
            case "INT64" -> ElementType.I64;
            case "UINT64" -> ElementType.U64;
            case "BOOL" -> ElementType.BOOLEAN;
            case "BYTES" -> throw ServeException.badRequest(what + " has datatype BYTES, which Infero's models do not "
                    + "take (string inputs are not supported)");
            default -> throw ServeException.badRequest(what + " has unknown datatype '" + datatype
                    + "'; expected one of BOOL, UINT8, UINT16, UINT32, UINT64, INT8, INT16, INT32, INT64, FP16, BF16, "
                    + "FP32, FP64");
        };
    }

    /**
     * {@code data} as a tensor of {@code target} (the same tensor when the types agree); a 400 naming {@code what}
     * when a value cannot be represented.
     */
    public static Tensor convert(Tensor data, ElementType target, String what) {
        ElementType source = data.type();
        if (source == target) {
            return data;
        }
        if (target.isFloating()) {
            return data.convertTo(target);
        }
        // Integer or boolean target: every value must be integral and in range.
        double min = minimum(target);
        double max = maximum(target);
        Tensor out = Tensor.allocate(target, data.shape());
        int n = data.size();
        boolean exactLongs = !source.isFloating();
        for (int i = 0; i < n; i++) {
            if (exactLongs && source != ElementType.U64) {
                long v = data.getLong(i);
                if (target == ElementType.BOOLEAN ? v != 0 && v != 1 : (v < min || v > max)) {
                    throw outOfRange(what, Long.toString(v), i, source, target);
                }
                out.setLong(i, v);
            } else {
                double v = data.getDouble(i);
                if (v != Math.rint(v) || v < min || v > max || (target == ElementType.BOOLEAN && v != 0 && v != 1)) {
                    throw outOfRange(what, source.isFloating() ? Double.toString(v) : Long.toUnsignedString(
                            data.getLong(i)), i, source, target);
                }
                if (target == ElementType.U64 && v >= 0x1p63) {
                    out.setLong(i, (long) (v - 0x1p63) ^ Long.MIN_VALUE);
                } else {
                    out.setLong(i, (long) v);
                }
            }
        }
        return out;
    }

    private static ServeException outOfRange(String what, String value, int index, ElementType source,
            ElementType target) {
        return ServeException.badRequest(what + " is " + name(target) + " in the model but the request sends "
                + name(source) + " data whose value " + value + " (element " + index + ") is not a " + name(target)
                + " value");
    }

    private static double minimum(ElementType t) {
        return switch (t) {
            case I8 -> Byte.MIN_VALUE;
            case I16 -> Short.MIN_VALUE;
            case I32 -> Integer.MIN_VALUE;
            case I64 -> -0x1p63;
            default -> 0;
        };
    }

    private static double maximum(ElementType t) {
        return switch (t) {
            case I8 -> Byte.MAX_VALUE;
            case U8 -> 255;
            case I16 -> Short.MAX_VALUE;
            case U16 -> 65535;
            case I32 -> Integer.MAX_VALUE;
            case U32 -> 4294967295.0;
            case I64 -> 0x1p63 - 1024; // the largest double below 2^63
            case U64 -> 0x1p64 - 2048;
            case BOOLEAN -> 1;
            default -> Double.MAX_VALUE;
        };
    }
}
