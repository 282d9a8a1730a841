package dev.infero.onnx.ops;

import dev.infero.core.graph.Value;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.movement.Broadcast;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.movement.DepthToSpace;
import dev.infero.core.ops.movement.Gather;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.ShapeOf;
import dev.infero.core.ops.movement.Slice;
import dev.infero.core.ops.movement.SpaceToDepth;
import dev.infero.core.ops.movement.Split;
import dev.infero.core.ops.movement.Squeeze;
import dev.infero.core.ops.movement.Tile;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.movement.Unsqueeze;
import dev.infero.core.ops.movement.VariadicSplit;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.OnnxNode;
import dev.infero.onnx.OnnxTranslator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Shape and data movement: reshape, transpose, slicing, gathering, padding, tiling, and shape queries. */
public final class MovementOps {
    private MovementOps() {
    }

    public static void register(Map<String, OnnxTranslator> r) {
        r.put("Reshape", MovementOps::reshape);
        r.put("Squeeze", n -> List.of(n.add(new Squeeze(), axesInputs(n))));
        r.put("Unsqueeze", n -> List.of(n.add(new Unsqueeze(), axesInputs(n))));
        r.put("Flatten", MovementOps::flatten);
        r.put("Transpose", MovementOps::transpose);
        r.put("Concat", MovementOps::concat);
        r.put("Split", MovementOps::split);
        r.put("Slice", MovementOps::slice);
        r.put("Gather", n -> List.of(n.add(new Gather(0), n.requireInput(0), n.requireInput(1),
                n.constant(Tensor.scalar(n.attrInt("axis", 0))))));
        r.put("Pad", MovementOps::pad);
        r.put("Tile", n -> List.of(n.add(new Tile(), n.requireInput(0), n.requireInput(1))));
        r.put("Expand", n -> List.of(n.add(new Broadcast(Broadcast.Mode.BIDIRECTIONAL), n.requireInput(0),
                n.requireInput(1))));
        r.put("Shape", MovementOps::shape);
        r.put("Size", MovementOps::size);
        r.put("DepthToSpace", MovementOps::depthToSpace);
        r.put("SpaceToDepth", n -> List.of(n.add(new SpaceToDepth(DepthToSpace.Mode.BLOCKS_FIRST,
                (int) n.attrInt("blocksize", 0)), n.requireInput(0))));
    }

    private static List<Value> reshape(OnnxNode n) {
        if (n.opset() < 5) {
            long[] shape = n.attrInts("shape", null);
            if (shape == null) {
                throw n.error("has no shape attribute");
            }
            return List.of(n.add(new Reshape(true), n.requireInput(0), n.constant(Tensor.vector(shape))));
        }
        boolean allowZero = n.attrInt("allowzero", 0) != 0;
        return List.of(n.add(new Reshape(!allowZero), n.requireInput(0), n.requireInput(1)));
    }

    /**
     * Data plus axes for ops whose axes moved from an attribute to input 1 in opset 13 (Squeeze, Unsqueeze,
     * ReduceSum, ...): returns the inputs in the opset-13 form.
     */
    public static Value[] axesInputs(OnnxNode n) {
        Value data = n.requireInput(0);
        if (n.opset() >= 13) {
            return n.hasInput(1) ? new Value[] {data, n.input(1)} : new Value[] {data};
        }
        long[] axes = n.attrInts("axes", null);
        return axes == null ? new Value[] {data} : new Value[] {data, n.constant(Tensor.vector(axes))};
    }

    /**
     * Flatten to 2-D {@code [d0 * ... * d(axis-1), d(axis) * ... * d(n-1)]}: a Reshape whose target is a constant
     * when the side with known dimensions allows, otherwise computed from the input's shape.
     */
    private static List<Value> flatten(OnnxNode n) {
        Value x = n.requireInput(0);
        PartialShape s = x.shape();
        long axis = n.attrInt("axis", 1);
        if (axis < 0) {
            if (!s.hasRank()) {
                throw n.error("a negative axis needs an input of known rank");
            }
            axis += s.rank();
        }
        if (s.hasRank() && (axis < 0 || axis > s.rank())) {
            throw n.error("axis " + n.attrInt("axis", 1) + " is out of range for rank " + s.rank());
        }
        int a = (int) axis;
        long outer = s.hasRank() ? knownProduct(s, 0, a) : -1;
        long inner = s.hasRank() ? knownProduct(s, a, s.rank()) : -1;
        Value target;
        if (outer >= 0 && (inner >= 0 || outer > 0)) {
            target = n.constant(Tensor.vector(outer, inner >= 0 ? inner : -1));
        } else if (inner > 0) {
            target = n.constant(Tensor.vector(-1, inner));
        } else {
            // Keep the leading dimensions and merge the rest: [d0, .., d(axis-1), R]; its last entry is the width.
            long[] keepLeading = new long[a + 1];
            keepLeading[a] = -1;
            Value merged = n.add(new Reshape(true), x, n.constant(Tensor.vector(keepLeading)));
            Value width = n.add(new Gather(0), n.add(new ShapeOf(ElementType.I64), merged),
                    n.constant(Tensor.vector(a)), n.constant(Tensor.scalar(0L)));
            target = n.add(new Concat(0), n.constant(Tensor.vector(-1)), width);
        }
        return List.of(n.add(new Reshape(false), x, target));
    }

    /** Product of dimensions [from, to), or -1 when one of them is dynamic. */
    private static long knownProduct(PartialShape s, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) {
            if (s.isDynamic(i)) {
                return -1;
            }
            p *= s.dim(i);
        }
        return p;
    }

    /** Transpose by the {@code perm} attribute; without it the dimensions are reversed (an empty order). */
    private static List<Value> transpose(OnnxNode n) {
        long[] perm = n.attrInts("perm", new long[0]);
        return List.of(n.add(new Transpose(), n.requireInput(0), n.constant(Tensor.vector(perm))));
    }

    private static List<Value> concat(OnnxNode n) {
        if (n.opset() >= 4 && !n.has("axis")) {
            throw n.error("has no axis attribute");
        }
        List<Value> inputs = new ArrayList<>();
        for (int i = 0; i < n.inputCount(); i++) {
            inputs.add(n.requireInput(i));
        }
        return List.of(n.add(new Concat(n.attrInt("axis", 1)), inputs.toArray(Value[]::new)));
    }

    /**
     * Split by explicit lengths (attribute before opset 13, input since), else into {@code num_outputs} parts
     * (opset 18: ceil-sized chunks, the last one smaller), else into as many equal parts as the node has outputs.
     */
    private static List<Value> split(OnnxNode n) {
        Value x = n.requireInput(0);
        long axisAttr = n.attrInt("axis", 0);
        Value axis = n.constant(Tensor.scalar(axisAttr));
        Value lengths = null;
        if (n.opset() >= 13 && n.hasInput(1)) {
            lengths = n.input(1);
        } else if (n.opset() < 13 && n.has("split")) {
            lengths = n.constant(Tensor.vector(n.attrInts("split", null)));
        }
        if (lengths == null && n.has("num_outputs")) {
            lengths = chunkLengths(n, x, axisAttr, n.attrInt("num_outputs", 0));
        }
        var node = lengths == null ? n.addNode(new Split(n.outputCount()), x, axis)
                : n.addNode(new VariadicSplit(), x, axis, lengths);
        if (node.outputs().size() != n.outputCount()) {
            throw n.error("splits into " + node.outputs().size() + " parts but has " + n.outputCount() + " outputs");
        }
        return node.outputs();
    }

    /**
     * Lengths {@code [c, .., c, -1]} with {@code c = ceil(dim / parts)}: the last part takes the (smaller) rest.
     * Computed from the input's shape, so it folds to a constant whenever that dimension is known.
     */
    private static Value chunkLengths(OnnxNode n, Value x, long axis, long parts) {
        if (parts < 1) {
            throw n.error("num_outputs must be positive, got " + parts);
        }
        Value dim = n.add(new Gather(0), n.add(new ShapeOf(ElementType.I64), x), n.constant(Tensor.vector(axis)),
                n.constant(Tensor.scalar(0L)));
        Value chunk = n.add(new Divide(), n.add(new Add(), dim, n.constant(Tensor.vector(parts - 1))),
                n.constant(Tensor.vector(parts)));
        Value leading = n.add(new Broadcast(Broadcast.Mode.NUMPY), chunk, n.constant(Tensor.vector(parts - 1)));
        return n.add(new Concat(0), leading, n.constant(Tensor.vector(-1)));
    }

    /**
     * Slice: starts/ends/axes attributes before opset 10, then inputs (data, starts, ends, axes, steps) - reordered
     * to OpenVINO's (data, start, stop, step, axes). Absent steps are ones, one per start.
     */
    private static List<Value> slice(OnnxNode n) {
        Value x = n.requireInput(0);
        if (n.opset() < 10) {
            long[] starts = n.attrInts("starts", null);
            long[] ends = n.attrInts("ends", null);
            if (starts == null || ends == null) {
                throw n.error("needs the starts and ends attributes");
            }
            long[] steps = new long[starts.length];
            Arrays.fill(steps, 1);
            long[] axes = n.attrInts("axes", null);
            Value[] in = {x, n.constant(Tensor.vector(starts)), n.constant(Tensor.vector(ends)),
                    n.constant(Tensor.vector(steps)), axes == null ? null : n.constant(Tensor.vector(axes))};
            return List.of(n.add(new Slice(), in));
        }
        Value starts = n.requireInput(1);
        Value steps = n.hasInput(4) ? n.input(4) : n.add(new Broadcast(Broadcast.Mode.NUMPY),
                n.constant(Tensor.scalar(1L)), n.add(new ShapeOf(ElementType.I64), starts));
        return List.of(n.add(new Slice(), x, starts, n.requireInput(2), steps, n.input(3)));
    }

    /**
     * Pad: {@code pads} (attribute before opset 11, input since) lists all begins then all ends, for every axis or
     * for the {@code axes} input (opset 18). Both become full-rank pads_begin/pads_end by gathering from the pads
     * with a trailing 0 appended, so axes not listed read the 0. The fill value is the {@code value} attribute
     * (before 11) or the optional {@code constant_value} input.
     */
    private static List<Value> pad(OnnxNode n) {
        Value x = n.requireInput(0);
        Pad.Mode mode = padMode(n);
        Value pads;
        Value value = null;
        if (n.opset() < 11) {
            long[] p = n.attrInts("pads", null);
            if (p == null) {
                throw n.error("has no pads attribute");
            }
            pads = n.constant(Tensor.vector(p));
            float v = n.attrFloat("value", 0);
            if (v != 0) {
                value = n.constant(Tensor.scalar(v).convertTo(x.type()));
            }
        } else {
            pads = n.requireInput(1);
            if (n.hasInput(2)) {
                value = n.input(2);
                if (value.shape().hasRank() && value.shape().rank() == 1) {
                    value = n.add(new Reshape(false), value, n.constant(Tensor.vector()));
                }
            }
        }
        Value pads64 = toI64(n, pads);
        long[] axes = null;
        if (n.opset() >= 18 && n.hasInput(3)) {
            Tensor a = n.input(3).knownValue();
            if (a == null) {
                return List.of(padOnRuntimeAxes(n, x, mode, pads64, toI64(n, n.input(3)), value));
            }
            axes = a.toLongArray();
        }
        int rank = padRank(n, x, pads, axes);
        int listed = axes == null ? rank : axes.length;
        long[] beginAt = new long[rank];
        long[] endAt = new long[rank];
        Arrays.fill(beginAt, 2L * listed);
        Arrays.fill(endAt, 2L * listed);
        for (int i = 0; i < listed; i++) {
            long axis = axes == null ? i : axes[i];
            if (axis < -rank || axis >= rank) {
                throw n.error("axis " + axis + " is out of range for rank " + rank);
            }
            int a = (int) (axis < 0 ? axis + rank : axis);
            beginAt[a] = i;
            endAt[a] = listed + i;
        }
        Value padsOrZero = n.add(new Concat(0), pads64, n.constant(Tensor.vector(0)));
        Value zero = n.constant(Tensor.scalar(0L));
        Value begin = n.add(new Gather(0), padsOrZero, n.constant(Tensor.vector(beginAt)), zero);
        Value end = n.add(new Gather(0), padsOrZero, n.constant(Tensor.vector(endAt)), zero);
        Value[] in = value == null ? new Value[] {x, begin, end} : new Value[] {x, begin, end, value};
        return List.of(n.add(new Pad(mode), in));
    }

    private static Value toI64(OnnxNode n, Value v) {
        return v.type() == ElementType.I64 ? v : n.add(new Convert(ElementType.I64), v);
    }

    /**
     * Pad whose {@code axes} are only known at run time: each listed axis' begin and end pads are placed at that
     * axis's position of a zero vector of length rank, then summed. The placement is itself a constant-mode Pad:
     * the 1-element vector {@code [p]} padded by {@code axis + rank} before and {@code rank - 1 - axis} after puts
     * {@code p} at {@code axis + rank} of a length-2*rank vector, and adding its two halves maps negative and
     * non-negative axes alike to the normalised position.
     */
    private static Value padOnRuntimeAxes(OnnxNode n, Value x, Pad.Mode mode, Value pads, Value axes, Value value) {
        if (!x.shape().hasRank() || !axes.shape().isStatic() || axes.shape().rank() != 1) {
            throw n.error("run-time axes need an input of known rank and axes of known length");
        }
        int rank = x.shape().rank();
        int listed = axes.shape().dim(0);
        Value begin = null;
        Value end = null;
        for (int i = 0; i < listed; i++) {
            Value axis = pick(n, axes, i);
            Value before = n.add(new Add(), axis, n.constant(Tensor.vector(rank)));
            Value after = n.add(new Subtract(), n.constant(Tensor.vector(rank - 1)), axis);
            Value b = placeAt(n, pick(n, pads, i), before, after, rank);
            Value e = placeAt(n, pick(n, pads, listed + i), before, after, rank);
            begin = begin == null ? b : n.add(new Add(), begin, b);
            end = end == null ? e : n.add(new Add(), end, e);
        }
        if (begin == null) {
            begin = end = n.constant(Tensor.vector(new long[rank]));
        }
        Value[] in = value == null ? new Value[] {x, begin, end} : new Value[] {x, begin, end, value};
        return n.add(new Pad(mode), in);
    }

    /** Element {@code i} of a 1-D value, as a 1-element vector. */
    private static Value pick(OnnxNode n, Value v, int i) {
        return n.add(new Gather(0), v, n.constant(Tensor.vector(i)), n.constant(Tensor.scalar(0L)));
    }

    private static Value placeAt(OnnxNode n, Value element, Value before, Value after, int rank) {
        Value wide = n.add(new Pad(Pad.Mode.CONSTANT), element, before, after);
        Value one = n.constant(Tensor.vector(1));
        Value axis0 = n.constant(Tensor.vector(0));
        Value low = n.add(new Slice(), wide, n.constant(Tensor.vector(0)), n.constant(Tensor.vector(rank)), one, axis0);
        Value high = n.add(new Slice(), wide, n.constant(Tensor.vector(rank)), n.constant(Tensor.vector(2L * rank)),
                one, axis0);
        return n.add(new Add(), low, high);
    }

    private static Pad.Mode padMode(OnnxNode n) {
        return n.attrChoice("mode", "constant", Map.of("constant", Pad.Mode.CONSTANT, "reflect", Pad.Mode.REFLECT,
                "edge", Pad.Mode.EDGE, "wrap", Pad.Mode.WRAP));
    }

    /** The data rank: from the data's shape, else from the length of the pads (2 per axis) when no axes are given. */
    private static int padRank(OnnxNode n, Value x, Value pads, long[] axes) {
        if (x.shape().hasRank()) {
            return x.shape().rank();
        }
        if (axes == null && pads.shape().isStatic() && pads.shape().rank() == 1) {
            return pads.shape().dim(0) / 2;
        }
        throw n.error("needs an input of known rank");
    }

    /** Shape, with the opset-15 {@code start}/{@code end} attributes as a (clamping) Slice of the shape. */
    private static List<Value> shape(OnnxNode n) {
        Value shape = n.add(new ShapeOf(ElementType.I64), n.requireInput(0));
        if (!n.has("start") && !n.has("end")) {
            return List.of(shape);
        }
        long start = n.attrInt("start", 0);
        long end = n.attrInt("end", Long.MAX_VALUE);
        return List.of(n.add(new Slice(), shape, n.constant(Tensor.vector(start)), n.constant(Tensor.vector(end)),
                n.constant(Tensor.vector(1)), n.constant(Tensor.vector(0))));
    }

    /**
     * Size, the element count as an i64 scalar: the shape of the input flattened to 1-D, reshaped to a scalar. Folds
     * to a constant when the input shape is static.
     */
    private static List<Value> size(OnnxNode n) {
        Value flat = n.add(new Reshape(false), n.requireInput(0), n.constant(Tensor.vector(-1)));
        Value count = n.add(new ShapeOf(ElementType.I64), flat);
        return List.of(n.add(new Reshape(false), count, n.constant(Tensor.vector())));
    }

    private static List<Value> depthToSpace(OnnxNode n) {
        String mode = n.attrString("mode", "DCR").toUpperCase(Locale.ROOT);
        DepthToSpace.Mode m = switch (mode) {
            case "DCR" -> DepthToSpace.Mode.BLOCKS_FIRST;
            case "CRD" -> DepthToSpace.Mode.DEPTH_FIRST;
            default -> throw n.error("unknown mode '" + mode + "'");
        };
        return List.of(n.add(new DepthToSpace(m, (int) n.attrInt("blocksize", 0)), n.requireInput(0)));
    }
}
