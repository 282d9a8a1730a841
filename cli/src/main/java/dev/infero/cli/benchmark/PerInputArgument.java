package dev.infero.cli.benchmark;

import dev.infero.core.types.PartialShape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * benchmark_app's per-input option syntax: {@code [1,3,224,224]} for every input, or
 * {@code in1[1,3,224,224],in2[1,10]} by input name. Used by {@code -shape}, {@code -data_shape} and {@code -layout}.
 * The key {@code ""} holds a value that applies to every input.
 */
final class PerInputArgument {
    private static final Pattern ITEM = Pattern.compile("([^\\[\\],]*)\\[([^\\]]*)\\]");

    private PerInputArgument() {
    }

    /** Splits {@code text} into input name → bracket body; throws {@link IllegalArgumentException} when malformed. */
    static Map<String, String> parse(String option, String text) {
        Map<String, String> out = new LinkedHashMap<>();
        String s = text.replace(" ", "");
        Matcher m = ITEM.matcher(s);
        int end = 0;
        while (m.find()) {
            boolean separated = m.start() == end || (m.start() == end + 1 && s.charAt(end) == ',');
            if (!separated || out.containsKey(m.group(1))) {
                throw malformed(option, text);
            }
            out.put(m.group(1), m.group(2));
            end = m.end();
        }
        if (out.isEmpty() || end != s.length() || (out.containsKey("") && out.size() > 1)) {
            throw malformed(option, text);
        }
        return out;
    }

    /** {@code 1,3,?,-1} → a shape; {@code ?} and {@code -1} are dynamic unless {@code concrete} is required. */
    static PartialShape shape(String option, String body, boolean concrete) {
        try {
            return PartialShape.parse(body, concrete);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage() + " in [" + body + "]"
                    + (concrete ? " (data shapes must be concrete)" : ""));
        }
    }

    /** Layout letters such as {@code NCHW}; {@code ?} marks an unnamed dimension. */
    static String layout(String option, String body) {
        String l = body.toUpperCase(java.util.Locale.ROOT);
        if (!l.matches("[A-Z?.]+") || l.chars().filter(Character::isLetter).distinct().count()
                != l.chars().filter(Character::isLetter).count()) {
            throw new IllegalArgumentException(option + ": '" + body + "' is not a layout like NCHW");
        }
        return l;
    }

    static List<String> names(Map<String, String> parsed) {
        return new ArrayList<>(parsed.keySet());
    }

    private static IllegalArgumentException malformed(String option, String text) {
        return new IllegalArgumentException(option + " '" + text + "' must look like [1,3,224,224] or "
                + "name1[1,3,224,224],name2[1,10]");
    }
}
