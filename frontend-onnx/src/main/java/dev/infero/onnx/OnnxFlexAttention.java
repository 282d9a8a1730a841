package dev.infero.onnx;

import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code ai.onnx.preview} FlexAttention-1 as its function body: Q {@code [B, Hq, L, E]} and K {@code [B, Hkv, S, E]}
 * (each key/value head repeated for the Hq / Hkv query heads of its group) both scaled by √scale (scale defaults to
 * 1/√E), scores Q Kᵀ in f32 (f64 for f64 inputs), the {@code score_mod} subgraph applied to the scores, softmax over
 * the keys, the {@code prob_mod} subgraph applied to the probabilities, times V, in the inputs' type. The subgraphs
 * are translated in place with their one input bound to the scores or probabilities.
 */
final class OnnxFlexAttention {
    /** Translates a one-input, one-output subgraph in place with its input bound to a value; set by the importer. */
    interface Inliner {
        Value inline(GraphProto g, Value input, String name);
    }

    private OnnxFlexAttention() {
    }

    static Value translate(NodeProto proto, List<Value> inputs, Graph graph, Inliner inliner) {
        OnnxNode n = new OnnxNode(proto, inputs, OnnxNode.DECOMPOSITION_OPSET, graph);
        Value q = n.requireInput(0);
        Value k = n.requireInput(1);
        Value v = n.requireInput(2);
        for (Value x : List.of(q, k, v)) {
            if (!x.shape().hasRank() || x.shape().rank() != 4) {
                throw n.error("inputs must be 4-D [batch, heads, length, size], got " + x.shape());
            }
        }
        int hq = q.shape().dim(1);
        int hkv = k.shape().dim(1);
        int e = q.shape().dim(3);
        if (hq < 0 || hkv < 0 || e < 0 || hq % hkv != 0) {
            throw new UnsupportedModelException(n.error("needs static head counts (a multiple of the key/value "
                    + "heads) and query head size, got Q " + q.shape() + " and K " + k.shape()).getMessage(),
                    List.of("FlexAttention with dynamic heads (node '" + n.name() + "')"));
        }
        if (hq != hkv) {
            k = repeatHeads(n, k, hq / hkv, hq);
            v = repeatHeads(n, v, hq / hkv, hq);
        }
        float scale = n.has("scale") ? n.attrFloat("scale", 0f) : 1f / (float) Math.sqrt(e);
        Tensor root = Tensor.allocate(q.type());
        root.setDouble(0, (float) Math.sqrt(scale));
        Value c = n.constant(root);
        Value qs = n.call("Mul", List.of(q, c));
        Value kt = n.call("Transpose", List.of(n.call("Mul", List.of(k, c))), "perm", new long[] {0, 1, 3, 2});
        ElementType compute = q.type() == ElementType.F64 ? ElementType.F64 : ElementType.F32;
        Value score = cast(n, n.call("MatMul", List.of(qs, kt)), compute);
        GraphProto scoreMod = graphAttribute(proto, "score_mod");
        if (scoreMod != null) {
            score = inliner.inline(scoreMod, score, n.name() + "/score_mod");
        }
        Value prob = n.call("Softmax", List.of(score), "axis", -1L);
        GraphProto probMod = graphAttribute(proto, "prob_mod");
        if (probMod != null) {
            prob = inliner.inline(probMod, prob, n.name() + "/prob_mod");
        }
        return cast(n, n.call("MatMul", List.of(prob, cast(n, v, compute))), q.type());
    }

    /** {@code [B, Hkv, S, D]} → {@code [B, Hkv·group, S, D]}, each head repeated {@code group} times in place. */
    private static Value repeatHeads(OnnxNode n, Value x, int group, int heads) {
        int d = x.shape().dim(3);
        if (d < 0) {
            throw n.error("needs a static head size to repeat key/value heads, got " + x.shape());
        }
        Value five = n.call("Unsqueeze", List.of(x, n.constant(Tensor.vector(2))));
        Value expanded = n.call("Expand", List.of(five, n.constant(Tensor.vector(1, 1, group, 1, 1))));
        return n.call("Reshape", List.of(expanded, n.constant(Tensor.vector(0, heads, -1, d))));
    }

    private static Value cast(OnnxNode n, Value x, ElementType type) {
        return x.type() == type ? x : n.call("Cast", List.of(x), "to", (long) TensorProtos.onnxType(type));
    }

    private static GraphProto graphAttribute(NodeProto node, String name) {
        for (AttributeProto a : node.getAttributeList()) {
            if (a.getName().equals(name) && a.hasG()) {
                return a.getG();
            }
        }
        return null;
    }

    /** The values of a node's inputs, {@code null} for absent ones. */
    static List<Value> inputs(NodeProto node, java.util.Map<String, Value> values) {
        List<Value> in = new ArrayList<>();
        for (String name : node.getInputList()) {
            in.add(name.isEmpty() ? null : values.get(name));
        }
        return in;
    }
}
