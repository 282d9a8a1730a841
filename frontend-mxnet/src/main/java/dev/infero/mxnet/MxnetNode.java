package dev.infero.mxnet;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import java.util.Locale;

/** One MXNet op being translated: typed reads of its string attributes, its inputs, helpers to add nodes. */
final class MxnetNode {
    private final MxnetImporter importer;
    final MxnetSymbol.Node node;

    MxnetNode(MxnetImporter importer, MxnetSymbol.Node node) {
        this.importer = importer;
        this.node = node;
    }

    String name() {
        return node.name();
    }

    String op() {
        return node.op();
    }

    int inputCount() {
        return node.inputs().size();
    }

    /** Input {@code i} as data (a variable not in the params becomes a model input). */
    Value input(int i) {
        return get(i, false);
    }

    /** Input {@code i} as a weight: it must be computed or stored in the params. */
    Value weight(int i) {
        return get(i, true);
    }

    private Value get(int i, boolean weight) {
        if (i >= node.inputs().size()) {
            throw error("has " + node.inputs().size() + " input(s), input " + i + " is needed");
        }
        return importer.value(node.inputs().get(i), node, weight);
    }

    /** The stored value of weight input {@code i}, which must be a constant. */
    Tensor constantWeight(int i) {
        Value v = weight(i);
        if (!v.isKnown()) {
            throw error("input " + i + " must be a stored weight");
        }
        return v.knownValue();
    }

    boolean has(String attr) {
        return node.attrs().containsKey(attr);
    }

    String string(String attr, String fallback) {
        String v = node.attrs().get(attr);
        return v == null ? fallback : v.trim();
    }

    boolean bool(String attr, boolean fallback) {
        String v = node.attrs().get(attr);
        if (v == null) {
            return fallback;
        }
        return switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1" -> true;
            case "false", "0" -> false;
            default -> throw error("attribute " + attr + "='" + v + "' is not a boolean");
        };
    }

    long integer(String attr, long fallback) {
        String v = node.attrs().get(attr);
        if (v == null || v.trim().equals("None")) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw error("attribute " + attr + "='" + v + "' is not an integer");
        }
    }

    double number(String attr, double fallback) {
        String v = node.attrs().get(attr);
        if (v == null || v.trim().equals("None")) {
            return fallback;
        }
        try {
            return Double.parseDouble(v.trim());
        } catch (NumberFormatException e) {
            throw error("attribute " + attr + "='" + v + "' is not a number");
        }
    }

    /** A tuple attribute such as {@code "(3, 3)"}, or {@code fallback} when absent or empty. */
    long[] tuple(String attr, long[] fallback) {
        String v = node.attrs().get(attr);
        if (v == null || v.trim().equals("()") || v.trim().equals("None")) {
            return fallback;
        }
        try {
            return parseTuple(v, attr);
        } catch (InferoException e) {
            throw error(e.getMessage());
        }
    }

    static long[] parseTuple(String v, String what) {
        String body = v.trim().replaceAll("^[\\[(]", "").replaceAll("[\\])]$", "").trim();
        if (body.isEmpty()) {
            return new long[0];
        }
        String[] parts = body.split(",");
        long[] out = new long[parts.length];
        int n = 0;
        for (String p : parts) {
            String s = p.trim().replaceAll("L$", "");
            if (s.isEmpty()) {
                continue;
            }
            try {
                out[n++] = s.equals("None") ? -1 : Long.parseLong(s);
            } catch (NumberFormatException e) {
                throw new InvalidModelException("attribute " + what + "='" + v + "' is not a tuple of integers");
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }

    Value constant(String suffix, Tensor t) {
        return importer.graph().addConstant(name() + "/" + suffix, t).output(0);
    }

    Value add(Op op, String suffix, Value... in) {
        return importer.graph().value(op, suffix == null ? name() : name() + "/" + suffix, in);
    }

    /** The rank of input {@code i}, which must be known. */
    int rank(int i) {
        Value v = input(i);
        if (!v.shape().hasRank()) {
            throw error("needs input " + i + " of known rank (give the input shape)");
        }
        return v.shape().rank();
    }

    /** Static dimension {@code axis} of input {@code i}. */
    int dim(int i, int axis) {
        Value v = input(i);
        if (!v.shape().hasRank() || axis >= v.shape().rank() || v.shape().isDynamic(axis)) {
            throw error("needs dimension " + axis + " of input " + i + " to be known, shape " + v.shape()
                    + " (give the input shape)");
        }
        return v.shape().dim(axis);
    }

    dev.infero.core.graph.Graph graph() {
        return importer.graph();
    }

    InferoException error(String message) {
        return new InvalidModelException("MXNet " + op() + " node '" + name() + "' in " + importer.symbolFile() + ": " + message);
    }
}
