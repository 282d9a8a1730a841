package dev.infero.tf.ops;

import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.movement.BlockRearrangement;
import dev.infero.core.ops.movement.DepthToSpace;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.Range;
import dev.infero.core.ops.movement.SpaceToDepth;
import dev.infero.core.ops.movement.Split;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Tile;
import dev.infero.core.ops.movement.VariadicSplit;
import dev.infero.core.ops.normalization.LRN;
import dev.infero.core.ops.selection.ArgExtremum;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.tf.TfNode;
import dev.infero.tf.TfTensors;
import dev.infero.tf.TfTranslator;
import dev.infero.tf.TfValue;
import dev.infero.tf.proto.Tf.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Gathering, splitting, tiling, arg-max, depth/space rearrangement and local response normalization. */
public final class SelectionOps {
    private SelectionOps() {
    }

    public static void register(Map<String, TfTranslator> r) {
        r.put("GatherV2", n -> plain(n.add(new Gather(n.attrInt("batch_dims", 0)), n.plain(0), n.plain(1), n.plain(2))));
        r.put("Tile", n -> plain(n.add(new Tile(), n.plain(0), n.plain(1))));
        r.put("Range", n -> plain(n.add(new Range(TfTensors.elementType(n.attrType("Tidx", DataType.DT_INT32),
                "Tidx")), n.plain(0), n.plain(1), n.plain(2))));
        r.put("Split", n -> outputs(n.addNode(new Split((int) n.attrInt("num_split", 1)), n.plain(1), n.plain(0))));
        r.put("SplitV", n -> outputs(n.addNode(new VariadicSplit(), n.plain(0), n.plain(2), n.plain(1))));
        r.put("Unpack", SelectionOps::unpack);
        r.put("ArgMax", n -> argExtremum(n, true));
        r.put("ArgMin", n -> argExtremum(n, false));
        r.put("DepthToSpace", n -> blocks(n, new DepthToSpace(BlockRearrangement.Mode.BLOCKS_FIRST,
                (int) n.attrInt("block_size", 2))));
        r.put("SpaceToDepth", n -> blocks(n, new SpaceToDepth(BlockRearrangement.Mode.BLOCKS_FIRST,
                (int) n.attrInt("block_size", 2))));
        r.put("LRN", SelectionOps::lrn);
    }

    private static List<TfValue> plain(Value v) {
        return List.of(TfValue.plain(v));
    }

    private static List<TfValue> outputs(Node node) {
        List<TfValue> out = new ArrayList<>();
        for (Value v : node.outputs()) {
            out.add(TfValue.plain(v));
        }
        return out;
    }

    private static List<TfValue> unpack(TfNode n) {
        long axis = n.attrInt("axis", 0);
        int num = (int) n.attrInt("num", 1);
        Node split = n.addNode(new Split(num), n.plain(0), n.constant(Tensor.scalar(axis)));
        List<TfValue> out = new ArrayList<>();
        for (Value part : split.outputs()) {
            out.add(TfValue.plain(n.add(new Squeeze(), part, n.constant(Tensor.vector(axis)))));
        }
        return out;
    }

    /** ArgMax/ArgMin: the index along {@code dimension} (first on ties), that axis removed, as output_type. */
    private static List<TfValue> argExtremum(TfNode n, boolean largest) {
        long axis = n.constant(1, "dimension").getLong(0);
        Value idx = n.helper("index", new ArgExtremum(axis, largest, false), n.plain(0));
        ElementType type = TfTensors.elementType(n.attrType("output_type", DataType.DT_INT64), "output_type");
        Value y = n.add(new Squeeze(), idx, n.constant(Tensor.vector(axis)));
        return plain(type == ElementType.I64 ? y : n.add(new Convert(type), y));
    }

    /** DepthToSpace / SpaceToDepth: TensorFlow's NHWC order is OpenVINO's blocks_first. */
    private static List<TfValue> blocks(TfNode n, BlockRearrangement op) {
        if (n.nhwc()) {
            return List.of(TfValue.transposed(n.add(op, n.nchw(0))));
        }
        return plain(n.add(op, n.plain(0)));
    }

    /**
     * LRN over the depth (last) axis: {@code x / (bias + alpha·Σ x²)^beta} over depth_radius channels each side;
     * TensorFlow's alpha is not divided by the window size, OpenVINO's is.
     */
    private static List<TfValue> lrn(TfNode n) {
        long radius = n.attrInt("depth_radius", 5);
        long size = 2 * radius + 1;
        LRN op = new LRN(n.attrFloat("alpha", 1) * size, n.attrFloat("beta", 0.5f), n.attrFloat("bias", 1), size);
        Value x = n.nchw(0);
        return List.of(TfValue.transposed(n.add(op, x, n.constant(Tensor.vector(1)))));
    }
}
