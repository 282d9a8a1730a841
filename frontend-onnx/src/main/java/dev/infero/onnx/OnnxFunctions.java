package dev.infero.onnx;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.FunctionProto;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.OperatorSetIdProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Inlines calls of model-local functions ({@code ModelProto.functions}, ONNX IR version 8+), as ONNX Runtime does at
 * load: PyTorch's dynamo exporter writes one function per module and per onnxscript {@code torch_lib} helper. A call
 * becomes the function's nodes, with formal inputs and outputs renamed to the call's actual ones (an optional input the
 * call leaves out becomes an absent input), internal values given a per-call prefix, attribute references
 * ({@code ref_attr_name}) replaced by the call's attribute or the function's default, and nested calls expanded in turn.
 * Each node keeps the default-domain opset of the function that holds it.
 */
final class OnnxFunctions {
    /** A node to translate with the default-domain opset that applies to it. */
    record ScopedNode(NodeProto node, int opset) {
    }

    /** Calls nested deeper than this are taken for recursion (the ONNX spec forbids it). */
    private static final int MAX_DEPTH = 64;
    /** Bounds the nodes a model can expand to, so a few small functions calling each other cannot explode. */
    private static final int MAX_NODES = 5_000_000;
    private static final Set<String> DEFAULT_DOMAINS = Set.of("", "ai.onnx");

    private final Map<String, FunctionProto> functions = new HashMap<>();
    private int calls;
    private int nodes;

    private OnnxFunctions(ModelProto model) {
        for (FunctionProto f : model.getFunctionsList()) {
            if (functions.put(key(f.getDomain(), f.getName(), f.getOverload()), f) != null) {
                throw new InvalidModelException("ONNX model defines function " + describe(f) + " twice");
            }
        }
    }

    /** The main graph's nodes with every function call expanded. */
    static List<ScopedNode> expand(ModelProto model, int opset) {
        OnnxFunctions inliner = new OnnxFunctions(model);
        List<ScopedNode> out = new ArrayList<>();
        inliner.expand(model.getGraph().getNodeList(), opset, 0, List.of(), out);
        return out;
    }

    private void expand(List<NodeProto> body, int opset, int depth, List<String> callers, List<ScopedNode> out) {
        for (NodeProto node : body) {
            FunctionProto f = functions.get(key(node.getDomain(), node.getOpType(), node.getOverload()));
            if (f == null) {
                if (++nodes > MAX_NODES) {
                    throw new InvalidModelException("ONNX model expands to more than " + MAX_NODES + " nodes when its "
                            + "functions are inlined");
                }
                out.add(new ScopedNode(node, opset));
                continue;
            }
            if (depth >= MAX_DEPTH) {
                throw new InvalidModelException("ONNX function calls nest deeper than " + MAX_DEPTH + " (recursion?): "
                        + String.join(" -> ", callers) + " -> " + describe(f));
            }
            List<String> chain = new ArrayList<>(callers);
            chain.add(describe(f));
            expand(inline(node, f), opsetOf(f, opset), depth + 1, chain, out);
        }
    }

    /** The function's nodes as this call runs them. */
    private List<NodeProto> inline(NodeProto call, FunctionProto f) {
        String callName = call.getName().isEmpty() ? f.getName() : call.getName();
        if (call.getInputCount() > f.getInputCount()) {
            throw new InvalidModelException("ONNX node '" + callName + "' calls function " + describe(f) + " with "
                    + call.getInputCount() + " inputs; it takes " + f.getInputCount());
        }
        if (call.getOutputCount() > f.getOutputCount()) {
            throw new InvalidModelException("ONNX node '" + callName + "' asks function " + describe(f) + " for "
                    + call.getOutputCount() + " outputs; it has " + f.getOutputCount());
        }
        String prefix = callName + "/" + f.getName() + "#" + (calls++) + "/";
        Map<String, String> rename = new HashMap<>();
        for (int i = 0; i < f.getInputCount(); i++) {
            rename.put(f.getInput(i), i < call.getInputCount() ? call.getInput(i) : "");
        }
        for (int i = 0; i < f.getOutputCount(); i++) {
            String actual = i < call.getOutputCount() ? call.getOutput(i) : "";
            rename.put(f.getOutput(i), actual.isEmpty() ? prefix + f.getOutput(i) : actual);
        }
        Map<String, AttributeProto> given = new HashMap<>();
        for (AttributeProto a : call.getAttributeList()) {
            given.put(a.getName(), a);
        }
        for (AttributeProto a : f.getAttributeProtoList()) {
            given.putIfAbsent(a.getName(), a);
        }
        List<NodeProto> body = new ArrayList<>(f.getNodeCount());
        for (NodeProto inner : f.getNodeList()) {
            NodeProto.Builder b = inner.toBuilder().clearInput().clearOutput().clearAttribute();
            b.setName(prefix + inner.getName());
            for (String in : inner.getInputList()) {
                b.addInput(in.isEmpty() ? "" : rename.getOrDefault(in, prefix + in));
            }
            for (String o : inner.getOutputList()) {
                b.addOutput(o.isEmpty() ? "" : rename.getOrDefault(o, prefix + o));
            }
            for (AttributeProto a : inner.getAttributeList()) {
                if (a.getRefAttrName().isEmpty()) {
                    b.addAttribute(a);
                } else {
                    AttributeProto value = given.get(a.getRefAttrName());
                    if (value != null) { // an attribute referring to one the call does not set is left unset
                        b.addAttribute(value.toBuilder().setName(a.getName()).clearRefAttrName());
                    }
                }
            }
            body.add(b.build());
        }
        return body;
    }

    private static int opsetOf(FunctionProto f, int callerOpset) {
        for (OperatorSetIdProto o : f.getOpsetImportList()) {
            if (DEFAULT_DOMAINS.contains(o.getDomain())) {
                return (int) o.getVersion();
            }
        }
        return callerOpset;
    }

    private static String key(String domain, String name, String overload) {
        return (DEFAULT_DOMAINS.contains(domain) ? "" : domain) + "\u0000" + name + "\u0000" + overload;
    }

    private static String describe(FunctionProto f) {
        return "'" + (f.getDomain().isEmpty() ? "" : f.getDomain() + ".") + f.getName()
                + (f.getOverload().isEmpty() ? "" : ":" + f.getOverload()) + "'";
    }
}
