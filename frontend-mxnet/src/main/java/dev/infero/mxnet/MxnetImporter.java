package dev.infero.mxnet;

import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimitException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds an Infero {@link Graph} from an MXNet symbol and its params. Variables ({@code null} nodes) found in the
 * params ({@code arg:name} / {@code aux:name}, or unprefixed) become constants; a variable an op reads as a weight
 * must be there (an error names the file and tensor otherwise); other variables an op reads as data become model
 * inputs, shaped by their {@code __shape__} attribute or, failing that, dynamic (4-D with the channels the first
 * convolution expects, or [N, K] before a fully connected layer). Variables nothing reads (SoftmaxOutput's label)
 * never become inputs.
 */
public final class MxnetImporter {
    private final MxnetSymbol symbol;
    private final Map<String, Tensor> params;
    private final String symbolFile;
    private final String paramsFile;
    private final Graph graph;
    private final Map<Long, Value> values = new HashMap<>();

    private MxnetImporter(MxnetSymbol symbol, Map<String, Tensor> params, String symbolFile, String paramsFile, String name) {
        this.symbol = symbol;
        this.params = params;
        this.symbolFile = symbolFile;
        this.paramsFile = paramsFile;
        this.graph = new Graph(name);
    }

    /** Reads {@code symbolFile} with the weights of {@code paramsFile}. */
    public static Graph read(Path symbolFile, Path paramsFile) {
        MxnetSymbol symbol = MxnetSymbol.read(symbolFile);
        Map<String, Tensor> params = MxnetParams.read(paramsFile);
        String name = symbolFile.getFileName().toString().replaceFirst("-symbol\\.json$", "").replaceFirst("\\.json$", "");
        return importModel(symbol, params, symbolFile.getFileName().toString(), paramsFile.getFileName().toString(), name);
    }

    public static Graph importModel(MxnetSymbol symbol, Map<String, Tensor> params, String symbolFile, String paramsFile,
            String name) {
        return new MxnetImporter(symbol, params, symbolFile, paramsFile, name).build();
    }

    private Graph build() {
        graph.metadata().put("framework", "mxnet");
        List<String> unsupported = new ArrayList<>();
        for (MxnetSymbol.Node n : symbol.nodes()) {
            if (!n.op().equals("null") && !MxnetOps.supports(n.op())) {
                unsupported.add(n.op() + " (node '" + n.name() + "')");
            }
        }
        if (!unsupported.isEmpty()) {
            throw new UnsupportedModelException("MXNet model " + symbolFile + " uses " + unsupported.size()
                    + " op(s) Infero does not support: " + String.join(", ", unsupported), unsupported);
        }
        boolean[] needed = reachable();
        for (MxnetSymbol.Node n : symbol.nodes()) {
            if (n.op().equals("null") || !needed[n.id()]) {
                continue;
            }
            MxnetNode ctx = new MxnetNode(this, n);
            List<Value> outs;
            try {
                outs = MxnetOps.translate(ctx);
            } catch (UnsupportedModelException | ResourceLimitException e) {
                throw e;
            } catch (InferoException | IllegalArgumentException e) {
                String m = e.getMessage();
                throw m != null && m.startsWith("MXNet ") ? (e instanceof InferoException ie ? ie : new InvalidModelException(m, e))
                        : ctx.error(m);
            }
            for (int i = 0; i < outs.size(); i++) {
                Value v = outs.get(i);
                if (i == 0) {
                    v.names().add(n.name());
                }
                v.names().add(n.name() + (outs.size() == 1 ? "_output" : "_output" + i));
                values.put(key(n.id(), i), v);
            }
        }
        for (MxnetSymbol.Entry head : symbol.heads()) {
            Value v = value(head, null, false);
            MxnetSymbol.Node n = symbol.nodes().get(head.node());
            String out = n.op().equals("null") ? n.name() : n.name() + "_output";
            graph.addResult(out, v).output(0).names().add(out);
        }
        return graph;
    }

    /** Nodes the heads depend on (others, such as a loss branch, are skipped). */
    private boolean[] reachable() {
        boolean[] seen = new boolean[symbol.nodes().size()];
        List<Integer> stack = new ArrayList<>();
        symbol.heads().forEach(h -> stack.add(h.node()));
        while (!stack.isEmpty()) {
            int id = stack.remove(stack.size() - 1);
            if (seen[id]) {
                continue;
            }
            seen[id] = true;
            for (MxnetSymbol.Entry e : symbol.nodes().get(id).inputs()) {
                stack.add(e.node());
            }
        }
        return seen;
    }

    private static long key(int node, int index) {
        return ((long) node << 16) | index;
    }

    /** The tensor stored for variable {@code name}, or null. */
    Tensor param(String name) {
        Tensor t = params.get("arg:" + name);
        if (t == null) {
            t = params.get("aux:" + name);
        }
        return t != null ? t : params.get(name);
    }

    /**
     * The value of {@code entry}: an op output, a stored tensor (a constant), or, for a variable not in the params
     * read as data, a model input. {@code user} reads it; {@code weight} says it must be stored.
     */
    Value value(MxnetSymbol.Entry entry, MxnetSymbol.Node user, boolean weight) {
        MxnetSymbol.Node src = symbol.nodes().get(entry.node());
        Value v = values.get(key(entry.node(), entry.index()));
        if (v != null) {
            return v;
        }
        if (!src.op().equals("null")) {
            throw new InvalidModelException("MXNet symbol " + symbolFile + ": node '" + (user == null ? "head" : user.name())
                    + "' reads output " + entry.index() + " of '" + src.name() + "' (" + src.op() + "), which Infero does not produce");
        }
        Tensor t = param(src.name());
        if (t != null) {
            v = graph.addConstant(src.name(), t).output(0);
        } else if (weight) {
            throw new InvalidModelException("MXNet params " + paramsFile + " have no tensor 'arg:" + src.name() + "' (or 'aux:"
                    + src.name() + "'), which " + user.op() + " node '" + user.name() + "' of " + symbolFile + " needs");
        } else {
            v = graph.addParameter(src.name(), ElementType.F32, inputShape(src)).output(0);
        }
        v.names().add(src.name());
        values.put(key(entry.node(), entry.index()), v);
        return v;
    }

    /**
     * A data input's shape: {@code __shape__}, else dynamic 4-D with the channels of the first convolution that reads
     * it, or [N, K] for a fully connected layer reading it, else of unknown rank.
     */
    private PartialShape inputShape(MxnetSymbol.Node var) {
        String s = var.attrs().get("__shape__");
        if (s != null) {
            long[] dims = MxnetNode.parseTuple(s, "__shape__ of '" + var.name() + "'");
            int[] shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = dims[i] <= 0 ? PartialShape.DYNAMIC : (int) dims[i];
            }
            return PartialShape.of(shape);
        }
        for (MxnetSymbol.Node n : symbol.nodes()) {
            if (n.inputs().isEmpty() || n.inputs().get(0).node() != var.id()) {
                continue;
            }
            if (n.op().equals("Convolution") && n.inputs().size() > 1) {
                Tensor w = param(symbol.nodes().get(n.inputs().get(1).node()).name());
                if (w != null && w.rank() == 4) {
                    long groups = n.attrs().containsKey("num_group") ? Long.parseLong(n.attrs().get("num_group").trim()) : 1;
                    return PartialShape.of(PartialShape.DYNAMIC, (int) (w.dim(1) * groups), PartialShape.DYNAMIC,
                            PartialShape.DYNAMIC);
                }
            }
            if (n.op().equals("FullyConnected") && n.inputs().size() > 1) {
                Tensor w = param(symbol.nodes().get(n.inputs().get(1).node()).name());
                if (w != null && w.rank() == 2) {
                    return PartialShape.of(PartialShape.DYNAMIC, w.dim(1));
                }
            }
            if (isChain(n.op())) {
                return inputShape(n);
            }
        }
        return PartialShape.unknownRank();
    }

    /** Element-wise ops through which a data input's shape is followed to the first convolution. */
    private static boolean isChain(String op) {
        return op.endsWith("_scalar") || op.equals("BatchNorm") || op.equals("Activation") || op.equals("identity")
                || op.equals("_copy");
    }

    Graph graph() {
        return graph;
    }

    String symbolFile() {
        return symbolFile;
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    Value add(Op op, String name, Value... in) {
        return graph.value(op, name, in);
    }

    static String shape(int[] s) {
        return Arrays.toString(s);
    }
}
