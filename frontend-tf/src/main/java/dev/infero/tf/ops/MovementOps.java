package dev.infero.tf.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.ops.movement.Broadcast;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.ShapeOf;
import dev.infero.core.ops.movement.Slice;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.normalization.Softmax;
import dev.infero.core.ops.reduce.ReduceMax;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.ops.reduce.ReduceMin;
import dev.infero.core.ops.reduce.ReduceProd;
import dev.infero.core.ops.reduce.ReduceSum;
import dev.infero.core.ops.slicing.StridedSlice;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.tf.TfNode;
import dev.infero.tf.TfTensors;
import dev.infero.tf.TfTranslator;
import dev.infero.tf.TfValue;
import dev.infero.tf.proto.Tf.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Shape and axis ops. Those with axes (Concat, Pad, reductions, Squeeze, Softmax, Transpose) work on NHWC tensors held
 * as NCHW by remapping their axes; the others (Reshape, StridedSlice, Shape, ...) read TensorFlow's layout.
 */
public final class MovementOps {
    private MovementOps() {
    }

    public static void register(Map<String, TfTranslator> r) {
        r.put("Reshape", n -> plain(n.add(new Reshape(false), n.plain(0), n.plain(1))));
        r.put("ExpandDims", n -> plain(n.add(new Unsqueeze(), n.plain(0), n.plain(1))));
        r.put("Squeeze", MovementOps::squeeze);
        r.put("ConcatV2", n -> concat(n, n.inputCount() - 1, 0));
        r.put("Concat", n -> concat(n, 0, 1));
        r.put("Pad", n -> pad(n, Pad.Mode.CONSTANT));
        r.put("PadV2", n -> pad(n, Pad.Mode.CONSTANT));
        r.put("MirrorPad", n -> {
            String mode = n.attrString("mode", "REFLECT");
            return pad(n, switch (mode) {
                case "REFLECT" -> Pad.Mode.REFLECT;
                case "SYMMETRIC" -> Pad.Mode.SYMMETRIC;
                default -> throw n.error("MirrorPad mode '" + mode + "' is not REFLECT or SYMMETRIC");
            });
        });
        r.put("StridedSlice", MovementOps::stridedSlice);
        r.put("Slice", MovementOps::slice);
        r.put("Transpose", MovementOps::transpose);
        r.put("Pack", MovementOps::pack);
        r.put("Shape", n -> plain(n.add(new ShapeOf(TfTensors.elementType(n.attrType("out_type", DataType.DT_INT32),
                "out_type")), n.plain(0))));
        r.put("Fill", n -> plain(n.add(new Broadcast(Broadcast.Mode.NUMPY), n.plain(1), n.plain(0))));
        r.put("Mean", n -> reduce(n, ReduceMean::new));
        r.put("Sum", n -> reduce(n, ReduceSum::new));
        r.put("Max", n -> reduce(n, ReduceMax::new));
        r.put("Min", n -> reduce(n, ReduceMin::new));
        r.put("Prod", n -> reduce(n, ReduceProd::new));
        r.put("Softmax", MovementOps::softmax);
        r.put("SpaceToBatchND", MovementOps::spaceToBatch);
        r.put("BatchToSpaceND", MovementOps::batchToSpace);
        r.put("ResizeBilinear", n -> resize(n, false));
        r.put("ResizeNearestNeighbor", n -> resize(n, true));
    }

    private static List<TfValue> plain(Value v) {
        return List.of(TfValue.plain(v));
    }

    private static int rank(TfNode n, Value v) {
        PartialShape s = v.shape();
        if (!s.hasRank()) {
            throw n.error("needs an input of known rank");
        }
        return s.rank();
    }

    /** Axis values of a constant input, normalised to 0..rank-1. */
    private static int[] axes(TfNode n, int input, int rank) {
        Tensor t = n.constant(input, "axes");
        int[] axes = new int[t.size()];
        for (int i = 0; i < axes.length; i++) {
            long a = t.getLong(i);
            if (a < -rank || a >= rank) {
                throw n.error("axis " + a + " is out of range for rank " + rank);
            }
            axes[i] = (int) (a < 0 ? a + rank : a);
        }
        return axes;
    }

    /**
     * Whether the NHWC axes that remain after removing {@code removed} keep their order when held as NCHW, so the
     * result of removing them from the NCHW tensor is already in TensorFlow's order.
     */
    private static boolean keepsOrder(int[] removed) {
        int last = -1;
        for (int a = 0; a < 4; a++) {
            final int axis = a;
            if (Arrays.stream(removed).anyMatch(r -> r == axis)) {
                continue;
            }
            int p = TfValue.toNchwAxis(a);
            if (p < last) {
                return false;
            }
            last = p;
        }
        return true;
    }

    private static long[] toNchw(int[] axes) {
        return Arrays.stream(axes).mapToLong(TfValue::toNchwAxis).toArray();
    }

    private static List<TfValue> reduce(TfNode n, Function<Boolean, Op> op) {
        boolean keep = n.attrBool("keep_dims", false);
        TfValue x = n.in(0);
        if (x.nchw()) {
            int[] axes = axes(n, 1, 4);
            if (keep || keepsOrder(axes)) {
                Value y = n.add(op.apply(keep), x.value(), n.constant(Tensor.vector(toNchw(axes))));
                return List.of(keep ? TfValue.transposed(y) : TfValue.plain(y));
            }
        }
        return plain(n.add(op.apply(keep), n.plain(0), n.plain(1)));
    }

    private static List<TfValue> squeeze(TfNode n) {
        TfValue x = n.in(0);
        long[] dims = n.attrInts("squeeze_dims", n.attrInts("axis", new long[0]));
        if (dims.length == 0) {
            // No axes: every dimension of size 1, which needs a static shape.
            Value p = n.plain(0);
            int[] s = n.staticShape(p, "Squeeze without squeeze_dims");
            long[] ones = java.util.stream.IntStream.range(0, s.length).filter(i -> s[i] == 1).asLongStream().toArray();
            return plain(n.add(new Squeeze(), p, n.constant(Tensor.vector(ones))));
        }
        if (x.nchw()) {
            int[] axes = Arrays.stream(dims).mapToInt(d -> (int) (d < 0 ? d + 4 : d)).toArray();
            if (keepsOrder(axes)) {
                return plain(n.add(new Squeeze(), x.value(), n.constant(Tensor.vector(toNchw(axes)))));
            }
        }
        return plain(n.add(new Squeeze(), n.plain(0), n.constant(Tensor.vector(dims))));
    }

    private static List<TfValue> concat(TfNode n, int axisInput, int firstData) {
        int lastData = axisInput == 0 ? n.inputCount() - 1 : n.inputCount() - 2;
        List<TfValue> data = n.inputs().subList(firstData, lastData + 1);
        long axis = n.constant(axisInput, "axis").getLong(0);
        if (data.stream().allMatch(TfValue::priorBoxes)) {
            // OpenCV's text graphs concatenate PriorBox outputs ([1, 2, 4·priors]) along the priors.
            return List.of(new TfValue(n.add(new Concat(2), data.stream().map(TfValue::value).toArray(Value[]::new)),
                    false, true));
        }
        boolean anyNchw = data.stream().anyMatch(TfValue::nchw);
        boolean all4d = data.stream().allMatch(v -> v.value().shape().hasRank() && v.value().shape().rank() == 4);
        Value[] values = new Value[data.size()];
        if (anyNchw && all4d) {
            int a = (int) (axis < 0 ? axis + 4 : axis);
            for (int i = 0; i < values.length; i++) {
                values[i] = n.nchw(firstData + i);
            }
            return List.of(TfValue.transposed(n.add(new Concat(TfValue.toNchwAxis(a)), values)));
        }
        for (int i = 0; i < values.length; i++) {
            values[i] = n.plain(firstData + i);
        }
        return plain(n.add(new Concat(axis), values));
    }

    private static List<TfValue> pad(TfNode n, Pad.Mode mode) {
        TfValue x = n.in(0);
        Tensor p = n.constant(1, "paddings");
        int rank = p.size() / 2;
        if (p.rank() != 2 || p.dim(1) != 2) {
            throw n.error("paddings must be [rank, 2], got " + Arrays.toString(p.shape()));
        }
        long[] begin = new long[rank];
        long[] end = new long[rank];
        boolean nchw = x.nchw() && rank == 4;
        for (int i = 0; i < rank; i++) {
            int row = nchw ? new int[] {0, 3, 1, 2}[i] : i;
            begin[i] = p.getLong(2 * row);
            end[i] = p.getLong(2 * row + 1);
        }
        Value data = nchw ? x.value() : n.plain(0);
        List<Value> in = new ArrayList<>(List.of(data, n.constant(Tensor.vector(begin)), n.constant(Tensor.vector(end))));
        if (n.op().equals("PadV2") && n.inputCount() > 2) {
            in.add(n.plain(2));
        }
        Value y = n.add(new Pad(mode), in.toArray(Value[]::new));
        return List.of(nchw ? TfValue.transposed(y) : TfValue.plain(y));
    }

    private static long[] bits(long mask, int n) {
        long[] b = new long[n];
        for (int i = 0; i < n; i++) {
            b[i] = (mask >> i) & 1;
        }
        return b;
    }

    private static List<TfValue> stridedSlice(TfNode n) {
        Value begin = n.plain(1);
        PartialShape bs = begin.shape();
        if (!bs.hasRank() || bs.rank() != 1 || bs.isDynamic(0)) {
            throw n.error("begin must be a vector of static length");
        }
        int len = bs.dim(0);
        StridedSlice op = new StridedSlice(bits(n.attrInt("begin_mask", 0), len), bits(n.attrInt("end_mask", 0), len),
                bits(n.attrInt("new_axis_mask", 0), len), bits(n.attrInt("shrink_axis_mask", 0), len),
                bits(n.attrInt("ellipsis_mask", 0), len));
        return plain(n.add(op, n.plain(0), begin, n.plain(2), n.plain(3)));
    }

    private static List<TfValue> slice(TfNode n) {
        Tensor begin = n.constant(1, "begin");
        Tensor size = n.constant(2, "size");
        if (begin.size() != size.size()) {
            throw n.error("begin and size have different lengths");
        }
        long[] start = new long[begin.size()];
        long[] stop = new long[begin.size()];
        long[] axes = new long[begin.size()];
        long[] steps = new long[begin.size()];
        for (int i = 0; i < start.length; i++) {
            start[i] = begin.getLong(i);
            long s = size.getLong(i);
            stop[i] = s == -1 ? Long.MAX_VALUE : start[i] + s;
            axes[i] = i;
            steps[i] = 1;
        }
        return plain(n.add(new Slice(), n.plain(0), n.constant(Tensor.vector(start)), n.constant(Tensor.vector(stop)),
                n.constant(Tensor.vector(steps)), n.constant(Tensor.vector(axes))));
    }

    private static List<TfValue> transpose(TfNode n) {
        TfValue x = n.in(0);
        Tensor perm = n.constant(1, "perm");
        if (x.nchw() && perm.size() == 4) {
            // out[i] = nhwc[perm[i]] = nchw[toNchw(perm[i])]: one Transpose of the NCHW tensor (none for NHWC→NCHW).
            long[] p = new long[4];
            boolean identity = true;
            for (int i = 0; i < 4; i++) {
                p[i] = TfValue.toNchwAxis((int) perm.getLong(i));
                identity &= p[i] == i;
            }
            return plain(identity ? x.value() : n.transpose(x.value(), p));
        }
        return plain(n.add(new Transpose(), n.plain(0), n.plain(1)));
    }

    private static List<TfValue> pack(TfNode n) {
        long axis = n.attrInt("axis", 0);
        Value[] parts = new Value[n.inputCount()];
        for (int i = 0; i < parts.length; i++) {
            parts[i] = n.add(new Unsqueeze(), n.plain(i), n.constant(Tensor.vector(axis)));
        }
        if (axis < 0) {
            axis += rank(n, parts[0]);
        }
        return plain(n.add(new Concat(axis), parts));
    }

    private static List<TfValue> softmax(TfNode n) {
        TfValue x = n.in(0);
        if (x.nchw()) {
            return List.of(TfValue.transposed(n.add(new Softmax(1), x.value())));
        }
        return plain(n.add(new Softmax(rank(n, x.value()) - 1), x.value()));
    }

    /**
     * ResizeBilinear / ResizeNearestNeighbor: align_corners maps corner pixels onto each other, half_pixel_centers
     * samples at pixel centres, otherwise TensorFlow's legacy asymmetric mapping {@code x·in/out}; nearest rounds half
     * up with align_corners, else takes the floor.
     */
    private static List<TfValue> resize(TfNode n, boolean nearest) {
        boolean alignCorners = n.attrBool("align_corners", false);
        boolean halfPixel = n.attrBool("half_pixel_centers", false);
        String coordinate = alignCorners ? "align_corners"
                : halfPixel ? (nearest ? "tf_half_pixel_for_nn" : "half_pixel") : "asymmetric";
        String nearestMode = alignCorners ? "round_prefer_ceil" : "floor";
        Interpolate.Attributes a = new Interpolate.Attributes(nearest ? "nearest" : "linear_onnx", true, coordinate,
                nearestMode, false, -0.75, false, 0, "stretch");
        Value x = n.nchw(0);
        Value sizes = n.add(new Convert(ElementType.I64), n.plain(1));
        Value y = n.add(new Interpolate(a), x, sizes, n.constant(Tensor.vector(2, 3)));
        return List.of(TfValue.transposed(y));
    }

    /** Block sizes and the [2, 2] paddings or crops of a 4-D NHWC SpaceToBatchND / BatchToSpaceND. */
    private static long[][] blockAndPads(TfNode n, String what) {
        Tensor block = n.constant(1, "block_shape");
        Tensor pads = n.constant(2, what);
        if (block.size() != 2 || pads.size() != 4) {
            throw n.error("only 2 spatial block dimensions of a 4-D NHWC tensor are supported, got block_shape "
                    + Arrays.toString(block.shape()));
        }
        long[][] r = {{block.getLong(0), block.getLong(1)}, new long[4]};
        for (int k = 0; k < 4; k++) {
            r[1][k] = pads.getLong(k);
        }
        if (r[0][0] < 1 || r[0][1] < 1) {
            throw n.error("block_shape must be positive");
        }
        return r;
    }

    /**
     * SpaceToBatchND of a 4-D NHWC tensor: pad H and W, split each into (size/block, block), move the block offsets to
     * the front of the batch: [B, H, W, C] → [bh·bw·B, Hp/bh, Wp/bw, C].
     */
    private static List<TfValue> spaceToBatch(TfNode n) {
        long[][] bp = blockAndPads(n, "paddings");
        long bh = bp[0][0];
        long bw = bp[0][1];
        long[] p = bp[1];
        Value x = n.add(new Pad(Pad.Mode.CONSTANT), n.plain(0), n.constant(Tensor.vector(0, p[0], p[2], 0)),
                n.constant(Tensor.vector(0, p[1], p[3], 0)));
        int[] s = n.staticShape(x, "SpaceToBatchND");
        if (s.length != 4 || s[1] % bh != 0 || s[2] % bw != 0) {
            throw n.error("padded shape " + Arrays.toString(s) + " does not divide into blocks " + bh + "x" + bw);
        }
        x = n.add(new Reshape(false), x, n.constant(Tensor.vector(s[0], s[1] / bh, bh, s[2] / bw, bw, s[3])));
        x = n.transpose(x, 2, 4, 0, 1, 3, 5);
        return plain(n.add(new Reshape(false), x, n.constant(Tensor.vector(bh * bw * s[0], s[1] / bh, s[2] / bw,
                s[3]))));
    }

    /** BatchToSpaceND, the inverse: [bh·bw·B, h, w, C] → [B, h·bh, w·bw, C], then the crops. */
    private static List<TfValue> batchToSpace(TfNode n) {
        long[][] bp = blockAndPads(n, "crops");
        long bh = bp[0][0];
        long bw = bp[0][1];
        long[] c = bp[1];
        Value x = n.plain(0);
        int[] s = n.staticShape(x, "BatchToSpaceND");
        if (s.length != 4 || s[0] % (bh * bw) != 0) {
            throw n.error("batch of " + Arrays.toString(s) + " does not divide by the block " + bh + "x" + bw);
        }
        long b = s[0] / (bh * bw);
        x = n.add(new Reshape(false), x, n.constant(Tensor.vector(bh, bw, b, s[1], s[2], s[3])));
        x = n.transpose(x, 2, 3, 0, 4, 1, 5);
        x = n.add(new Reshape(false), x, n.constant(Tensor.vector(b, s[1] * bh, s[2] * bw, s[3])));
        if (c[0] != 0 || c[1] != 0 || c[2] != 0 || c[3] != 0) {
            x = n.add(new Slice(), x, n.constant(Tensor.vector(c[0], c[2])),
                    n.constant(Tensor.vector(s[1] * bh - c[1], s[2] * bw - c[3])), n.constant(Tensor.vector(1, 1)),
                    n.constant(Tensor.vector(1, 2)));
        }
        return plain(x);
    }
}
