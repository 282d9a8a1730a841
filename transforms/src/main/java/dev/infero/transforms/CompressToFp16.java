package dev.infero.transforms;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import java.util.List;

/**
 * Stores f32 constants as f16 followed by a Convert back to f32 marked {@code decompression}, as OpenVINO's
 * {@code --compress_to_fp16} does: the {@code .bin} halves, the graph still computes in f32 and the runtime unpacks the
 * weights once at compile time. Integer constants stay as they are, and so does any constant holding a value f16
 * cannot represent (beyond ±65504), which would otherwise turn into infinity. FakeQuantize ranges stay f32: they are
 * a few scalars, and rounding them to f16 would move the quantization grid off its integer zero point (an INT8
 * layer would then run in float).
 */
public final class CompressToFp16 implements Pass {
    private static final double F16_MAX = 65504;

    @Override
    public String name() {
        return "compress-to-fp16";
    }

    @Override
    public int apply(Graph graph) {
        int compressed = 0;
        for (Node node : List.copyOf(graph.nodes())) {
            if (!(node.op() instanceof Constant c) || c.value().type() != ElementType.F32 || !fitsF16(c.value())) {
                continue;
            }
            Value original = node.output(0);
            List<Node> consumers = graph.consumers(original);
            if (consumers.isEmpty() || consumers.stream().allMatch(n -> n.rtInfo().containsKey("decompression"))
                    || consumers.stream().anyMatch(n -> n.op() instanceof FakeQuantize)) {
                continue;
            }
            Value half = graph.addConstant(node.name() + "_compressed", c.value().convertTo(ElementType.F16)).output(0);
            Node convert = graph.add(new Convert(ElementType.F32), node.name(), half);
            convert.rtInfo().put("decompression", "");
            graph.replaceAllUses(original, convert.output(0));
            compressed++;
        }
        if (compressed > 0) {
            graph.removeDeadNodes(); // what the rewrites orphaned
        }
        return compressed;
    }

    private static boolean fitsF16(Tensor t) {
        float[] f = t.floats();
        for (int i = 0; i < t.size(); i++) {
            if (Math.abs(f[i]) > F16_MAX) {
                return false;
            }
        }
        return true;
    }
}
