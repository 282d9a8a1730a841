package dev.infero.cli.conformance;

import dev.infero.onnx.OnnxImporter;
import dev.infero.onnx.proto.Onnx.NodeProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Names the ONNX operator a conformance case tests, for the per-op table.
 *
 * <ul>
 *   <li>A model whose nodes all have one op type tests that op.
 *   <li>Otherwise the op is the model's op type whose name (lower case, without underscores) is the longest prefix
 *       of the case name (without {@code test_} and underscores): {@code test_reduce_max_do_not_keepdims} with
 *       nodes ReduceMax and Constant is ReduceMax. Failing that, the first node's op type.
 *   <li>An {@code *_expanded} case (the op replaced by its function body, {@code _expanded_ver18} too) counts as
 *       {@code "<op> (expanded)"}, a row of its own, where the op is that of the case without the suffix when that
 *       case exists beside it.
 * </ul>
 * A model that cannot be parsed counts under {@code "?"}.
 */
public final class CaseOps {
    private static final Pattern EXPANDED = Pattern.compile("_expanded(_ver\\d+)?$");
    private static final String UNKNOWN = "?";

    private CaseOps() {
    }

    public static String opOf(Path caseDir) {
        String name = caseDir.getFileName().toString();
        var expanded = EXPANDED.matcher(name);
        if (!expanded.find()) {
            return opOfModel(caseDir.resolve("model.onnx"), name);
        }
        String base = name.substring(0, expanded.start());
        Path sibling = caseDir.resolveSibling(base).resolve("model.onnx");
        String op = Files.isRegularFile(sibling) ? opOfModel(sibling, base) : opOfModel(caseDir.resolve("model.onnx"), base);
        return op + " (expanded)";
    }

    static String opOfModel(Path model, String caseName) {
        Set<String> types = new LinkedHashSet<>();
        try {
            for (NodeProto n : OnnxImporter.parse(model).getGraph().getNodeList()) {
                types.add(n.getOpType());
            }
        } catch (RuntimeException e) {
            return UNKNOWN;
        }
        if (types.isEmpty()) {
            return UNKNOWN;
        }
        if (types.size() == 1) {
            return types.iterator().next();
        }
        String key = squash(caseName.startsWith("test_") ? caseName.substring(5) : caseName);
        String best = null;
        for (String t : types) {
            if (key.startsWith(squash(t)) && (best == null || t.length() > best.length())) {
                best = t;
            }
        }
        return best != null ? best : types.iterator().next();
    }

    private static String squash(String s) {
        return s.replace("_", "").toLowerCase(Locale.ROOT);
    }
}
