package dev.infero.onnx;

import dev.infero.core.InferoException;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * ONNX SequenceMap-17 as the Loop its function body is: over the positions of the first input sequence, the body
 * graph runs on the items at that position of every sequence input (tensor inputs are passed whole), and each body
 * output is inserted at the end of an output sequence that starts empty (of the body output's declared element type,
 * f32 when it declares none).
 */
final class OnnxSequenceMap {
    private OnnxSequenceMap() {
    }

    /** The nodes replacing {@code scoped}; {@code isSequence} tells which of its inputs are sequences. */
    static List<OnnxFunctions.ScopedNode> expand(OnnxFunctions.ScopedNode scoped, Predicate<String> isSequence) {
        NodeProto node = scoped.node();
        String name = node.getName().isEmpty() && node.getOutputCount() > 0 ? node.getOutput(0) : node.getName();
        GraphProto body = null;
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals("body") && a.hasG()) {
                body = a.getG();
            }
        }
        if (body == null) {
            throw new InferoException("ONNX node '" + name + "' (SequenceMap) has no graph attribute 'body'");
        }
        if (node.getInputCount() == 0 || !isSequence.test(node.getInput(0))) {
            throw new InferoException("ONNX node '" + name + "' (SequenceMap): input 0 must be a sequence");
        }
        if (body.getInputCount() != node.getInputCount() || body.getOutputCount() != node.getOutputCount()) {
            throw new InferoException("ONNX node '" + name + "' (SequenceMap): the body has " + body.getInputCount()
                    + " inputs and " + body.getOutputCount() + " outputs, the node " + node.getInputCount() + " and "
                    + node.getOutputCount());
        }
        String p = name + "/map/";
        List<NodeProto> outer = new ArrayList<>();
        outer.add(node(p + "length", "SequenceLength", List.of(node.getInput(0)), List.of(p + "length")));
        List<String> loopInputs = new ArrayList<>(List.of(p + "length", ""));
        GraphProto.Builder loop = GraphProto.newBuilder().setName(p + "body")
                .addInput(ValueInfoProto.newBuilder().setName(p + "iteration"))
                .addInput(ValueInfoProto.newBuilder().setName(p + "condition"))
                .addOutput(ValueInfoProto.newBuilder().setName(p + "condition_out"));
        for (int k = 0; k < node.getOutputCount(); k++) {
            var type = body.getOutput(k).getType();
            int dtype = type.hasTensorType() && type.getTensorType().getElemType() != 0
                    ? type.getTensorType().getElemType() : 1;
            outer.add(node(p + "empty" + k, "SequenceEmpty", List.of(), List.of(p + "empty" + k)).toBuilder()
                    .addAttribute(AttributeProto.newBuilder().setName("dtype").setType(AttributeProto.AttributeType.INT)
                            .setI(dtype)).build());
            loopInputs.add(p + "empty" + k);
            loop.addInput(ValueInfoProto.newBuilder().setName(p + "acc" + k));
            loop.addOutput(ValueInfoProto.newBuilder().setName(p + "acc_out" + k));
        }
        loop.addNode(node(p + "condition_out", "Identity", List.of(p + "condition"), List.of(p + "condition_out")));
        for (int j = 0; j < node.getInputCount(); j++) {
            String in = node.getInput(j);
            String item = body.getInput(j).getName();
            if (isSequence.test(in)) {
                if (item.equals(in)) {
                    // The item would shadow the sequence it is read from: give it a name of its own.
                    item = p + "item" + j;
                    body = rename(body, body.getInput(j).getName(), item);
                }
                loop.addNode(node(item, "SequenceAt", List.of(in, p + "iteration"), List.of(item)));
            } else if (!item.equals(in)) {
                loop.addNode(node(item, "Identity", List.of(in), List.of(item)));
            }
        }
        loop.addAllInitializer(body.getInitializerList());
        loop.addAllNode(body.getNodeList());
        for (int k = 0; k < node.getOutputCount(); k++) {
            loop.addNode(node(p + "insert" + k, "SequenceInsert", List.of(p + "acc" + k, body.getOutput(k).getName()),
                    List.of(p + "acc_out" + k)));
        }
        outer.add(node(name, "Loop", loopInputs, node.getOutputList()).toBuilder()
                .addAttribute(AttributeProto.newBuilder().setName("body").setType(AttributeProto.AttributeType.GRAPH)
                        .setG(loop)).build());
        return outer.stream().map(n -> new OnnxFunctions.ScopedNode(n, scoped.opset())).toList();
    }

    private static NodeProto node(String name, String op, List<String> inputs, List<String> outputs) {
        return NodeProto.newBuilder().setName(name).setOpType(op).addAllInput(inputs).addAllOutput(outputs).build();
    }

    /** {@code g} with every read of {@code from} by its nodes and outputs reading {@code to} instead. */
    private static GraphProto rename(GraphProto g, String from, String to) {
        GraphProto.Builder b = g.toBuilder();
        for (NodeProto.Builder n : b.getNodeBuilderList()) {
            for (int i = 0; i < n.getInputCount(); i++) {
                if (n.getInput(i).equals(from)) {
                    n.setInput(i, to);
                }
            }
        }
        for (ValueInfoProto.Builder o : b.getOutputBuilderList()) {
            if (o.getName().equals(from)) {
                o.setName(to);
            }
        }
        return b.build();
    }
}
