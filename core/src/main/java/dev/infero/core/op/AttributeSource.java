package dev.infero.core.op;

import dev.infero.core.InferoException;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;

/**
 * Typed access to an op's attributes written as text (IR {@code <data>} attributes, OpenVINO spelling), with errors
 * that name the layer and the attribute. The counterpart of {@link AttributeSink}: an op's factory reads here what its
 * {@code describe} writes there.
 */
public final class AttributeSource {
    private final String layer;
    private final Map<String, String> values;

    public AttributeSource(String layer, Map<String, String> values) {
        this.layer = layer;
        this.values = values;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String string(String name) {
        String v = values.get(name);
        if (v == null) {
            throw error("is missing required attribute '" + name + "'");
        }
        return v.trim();
    }

    public String string(String name, String defaultValue) {
        return has(name) ? string(name) : defaultValue;
    }

    public long integer(String name) {
        String v = string(name);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw error("attribute " + name + "=\"" + v + "\" is not an integer");
        }
    }

    public long integer(String name, long defaultValue) {
        return has(name) ? integer(name) : defaultValue;
    }

    public double number(String name) {
        String v = string(name);
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw error("attribute " + name + "=\"" + v + "\" is not a number");
        }
    }

    public double number(String name, double defaultValue) {
        return has(name) ? number(name) : defaultValue;
    }

    /** {@code true}/{@code false}, and the {@code 1}/{@code 0} old files use. */
    public boolean bool(String name, boolean defaultValue) {
        if (!has(name)) {
            return defaultValue;
        }
        String v = string(name).toLowerCase(Locale.ROOT);
        return switch (v) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw error("attribute " + name + "=\"" + v + "\" is not a boolean");
        };
    }

    /** A comma-separated integer list; empty text is an empty list. */
    public long[] integers(String name) {
        String v = string(name);
        if (v.isEmpty()) {
            return new long[0];
        }
        try {
            return Arrays.stream(v.split(",")).map(String::trim).mapToLong(Long::parseLong).toArray();
        } catch (NumberFormatException e) {
            throw error("attribute " + name + "=\"" + v + "\" is not a list of integers");
        }
    }

    public long[] integers(String name, long[] defaultValue) {
        return has(name) ? integers(name) : defaultValue;
    }

    public float[] numbers(String name) {
        String v = string(name);
        if (v.isEmpty()) {
            return new float[0];
        }
        try {
            String[] parts = v.split(",");
            float[] f = new float[parts.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = Float.parseFloat(parts[i].trim());
            }
            return f;
        } catch (NumberFormatException e) {
            throw error("attribute " + name + "=\"" + v + "\" is not a list of numbers");
        }
    }

    /** A comma-separated list of doubles (what {@link AttributeSink#attribute(String, double[])} writes). */
    public double[] doubles(String name) {
        String v = string(name);
        if (v.isEmpty()) {
            return new double[0];
        }
        try {
            return Arrays.stream(v.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
        } catch (NumberFormatException e) {
            throw error("attribute " + name + "=\"" + v + "\" is not a list of numbers");
        }
    }

    public float[] numbers(String name, float[] defaultValue) {
        return has(name) ? numbers(name) : defaultValue;
    }

    public ElementType elementType(String name) {
        String v = string(name);
        try {
            return ElementType.fromIrName(v);
        } catch (IllegalArgumentException e) {
            throw error("attribute " + name + "=\"" + v + "\" is not an element type Infero supports");
        }
    }

    /** A shape: {@code 1,3,224,224}; {@code ""} is a scalar; {@code -1}, {@code ?} and ranges are dynamic. */
    public PartialShape shape(String name) {
        String v = string(name);
        if (v.isEmpty()) {
            return PartialShape.scalar();
        }
        if (v.equals("...")) {
            return PartialShape.unknownRank();
        }
        String[] parts = v.replace("[", "").replace("]", "").split(",");
        int[] dims = new int[parts.length];
        for (int i = 0; i < dims.length; i++) {
            String d = parts[i].trim();
            if (d.equals("?") || d.equals("-1") || d.contains("..")) {
                dims[i] = PartialShape.DYNAMIC;
                continue;
            }
            try {
                long value = Long.parseLong(d);
                if (value < 0 || value > Integer.MAX_VALUE) {
                    throw error("attribute " + name + "=\"" + v + "\" has invalid dimension " + d);
                }
                dims[i] = (int) value;
            } catch (NumberFormatException e) {
                throw error("attribute " + name + "=\"" + v + "\" is not a shape");
            }
        }
        return PartialShape.of(dims);
    }

    /** An enum attribute written in lower case ({@code half_to_even} → {@code HALF_TO_EVEN}). */
    public <E extends Enum<E>> E enumValue(Class<E> type, String name, String defaultValue) {
        String v = string(name, defaultValue);
        try {
            return Enum.valueOf(type, v.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw error("attribute " + name + "=\"" + v + "\" is not one of "
                    + Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
        }
    }

    public InferoException error(String message) {
        return new InferoException("IR layer " + layer + " " + message);
    }
}
