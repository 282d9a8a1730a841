package dev.infero.core.op;

import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Receives an op's attributes, named and typed as in OpenVINO's opset specification. The IR writer, op equality
 * (common-subexpression elimination) and diagnostics all read attributes through this one interface.
 */
public interface AttributeSink {
    void attribute(String name, String value);

    default void attribute(String name, long value) {
        attribute(name, Long.toString(value));
    }

    default void attribute(String name, double value) {
        attribute(name, formatFloat(value));
    }

    default void attribute(String name, boolean value) {
        attribute(name, Boolean.toString(value));
    }

    default void attribute(String name, long[] values) {
        attribute(name, Arrays.stream(values).mapToObj(Long::toString).collect(Collectors.joining(",")));
    }

    default void attribute(String name, int[] values) {
        attribute(name, Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(",")));
    }

    default void attribute(String name, float[] values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ",").append(formatFloat(values[i]));
        }
        attribute(name, sb.toString());
    }

    /** Doubles written so that they read back exactly ({@link AttributeSource#doubles}); NaN as {@code NaN}. */
    default void attribute(String name, double[] values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            sb.append(i == 0 ? "" : ",").append(formatFloat(values[i]));
        }
        attribute(name, sb.toString());
    }

    default void attribute(String name, ElementType type) {
        attribute(name, type.irName());
    }

    default void attribute(String name, PartialShape shape) {
        String s = shape.toString().replace("?", "-1");
        attribute(name, s.substring(1, s.length() - 1));
    }

    /** Floats as IR writes them: shortest text that reads back to the same double. */
    static String formatFloat(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** Collects attributes as text, in order. */
    final class Text implements AttributeSink {
        private final Map<String, String> values = new LinkedHashMap<>();

        @Override
        public void attribute(String name, String value) {
            values.put(name, value);
        }

        public Map<String, String> values() {
            return values;
        }

        @Override
        public String toString() {
            return values.isEmpty() ? "" : values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                    .collect(Collectors.joining(", ", "(", ")"));
        }
    }
}
