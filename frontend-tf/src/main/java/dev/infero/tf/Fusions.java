package dev.infero.tf;

import dev.infero.core.tensor.Tensor;
import dev.infero.tf.ops.NnOps;
import dev.infero.tf.proto.Tf.NodeDef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Patterns translated as a whole. TensorFlow writes a dilated (atrous) convolution as SpaceToBatchND → Conv2D (or
 * DepthwiseConv2dNative; VALID, stride 1) → BatchToSpaceND with the same block shape; the three become one
 * convolution with dilation = block shape, padding = the SpaceToBatchND paddings less the BatchToSpaceND crops.
 */
final class Fusions {
    /** Nodes translated as part of another node's fused translation. */
    final Set<String> skipped = new HashSet<>();
    /** Fused dilated convolutions by the name of their BatchToSpaceND node. */
    final Map<String, DilatedConv> dilated = new HashMap<>();

    /** A SpaceToBatchND → convolution → BatchToSpaceND chain. */
    record DilatedConv(NodeDef spaceToBatch, NodeDef conv, NodeDef batchToSpace) {
        /** The data inputs of the fused node: data, filter, block shape, paddings, crops. */
        List<String> inputs() {
            return List.of(spaceToBatch.getInput(0), conv.getInput(1), spaceToBatch.getInput(1),
                    spaceToBatch.getInput(2), batchToSpace.getInput(2));
        }

        List<TfValue> translate(TfNode n) {
            Tensor block = n.constant(2, "block_shape");
            Tensor pads = n.constant(3, "paddings");
            Tensor crops = n.constant(4, "crops");
            if (block.size() != 2 || pads.size() != 4 || crops.size() != 4) {
                throw n.error("a dilated convolution needs 2 spatial block sizes, paddings and crops");
            }
            long[] dilations = {block.getLong(0), block.getLong(1)};
            long[] begin = new long[2];
            long[] end = new long[2];
            for (int i = 0; i < 2; i++) {
                if (crops.getLong(2 * i) != 0) {
                    throw n.error("crops at the start of a dilated convolution are not supported");
                }
                begin[i] = pads.getLong(2 * i);
                end[i] = pads.getLong(2 * i + 1) - crops.getLong(2 * i + 1);
                if (end[i] < 0) {
                    throw n.error("the crops of a dilated convolution exceed its padding");
                }
            }
            return NnOps.dilatedConvolution(n, conv, dilations, begin, end);
        }
    }

    static Fusions find(List<NodeDef> order, Map<String, NodeDef> nodes) {
        Map<String, List<NodeDef>> readers = new HashMap<>();
        for (NodeDef n : order) {
            for (String in : n.getInputList()) {
                readers.computeIfAbsent(TfImporter.nodeName(in.startsWith("^") ? in.substring(1) : in),
                        k -> new ArrayList<>()).add(n);
            }
        }
        Fusions f = new Fusions();
        for (NodeDef b : order) {
            if (!b.getOp().equals("BatchToSpaceND") || b.getInputCount() < 3) {
                continue;
            }
            NodeDef conv = nodes.get(TfImporter.nodeName(b.getInput(0)));
            if (conv == null || !(conv.getOp().equals("Conv2D") || conv.getOp().equals("DepthwiseConv2dNative"))
                    || conv.getInputCount() < 2 || readers.getOrDefault(conv.getName(), List.of()).size() != 1) {
                continue;
            }
            NodeDef s = nodes.get(TfImporter.nodeName(conv.getInput(0)));
            if (s == null || !s.getOp().equals("SpaceToBatchND") || s.getInputCount() < 3
                    || readers.getOrDefault(s.getName(), List.of()).size() != 1
                    || !TfImporter.nodeName(s.getInput(1)).equals(TfImporter.nodeName(b.getInput(1)))
                    && !sameConstant(nodes.get(TfImporter.nodeName(s.getInput(1))),
                    nodes.get(TfImporter.nodeName(b.getInput(1))))) {
                continue;
            }
            String padding = conv.containsAttr("padding") ? conv.getAttrOrThrow("padding").getS().toStringUtf8() : "";
            boolean unitStrides = !conv.containsAttr("strides")
                    || conv.getAttrOrThrow("strides").getList().getIList().stream().allMatch(x -> x == 1);
            boolean nhwc = !conv.containsAttr("data_format")
                    || conv.getAttrOrThrow("data_format").getS().toStringUtf8().equals("NHWC");
            if (!padding.equals("VALID") || !unitStrides || !nhwc) {
                continue;
            }
            f.dilated.put(b.getName(), new DilatedConv(s, conv, b));
            f.skipped.add(s.getName());
            f.skipped.add(conv.getName());
        }
        return f;
    }

    private static boolean sameConstant(NodeDef a, NodeDef b) {
        return a != null && b != null && a.getOp().equals("Const") && b.getOp().equals("Const")
                && a.getAttrMap().equals(b.getAttrMap());
    }
}
