package dev.infero.core.ops.misc;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Unique-10: the distinct elements of the flattened data or, with the optional scalar {@code axis} input 1, its
 * distinct slices along that axis. Outputs: 0 the unique elements/slices (ascending, slices compared element by
 * element, when {@code sorted}; else in order of first occurrence), 1 the index of each one's first occurrence,
 * 2 for every input element/slice the index of its unique value, 3 how often each unique value occurs. Indices are
 * of {@code index_element_type}, counts of {@code count_element_type}. The count is data dependent, so shapes are
 * dynamic until the data is known.
 */
public final class Unique extends Op {
    private static final Attribute<Unique, Boolean> SORTED = Attribute.bool("sorted", (Unique op) -> op.sorted)
            .orElse(true);
    private static final Attribute<Unique, ElementType> INDEX_TYPE = Attribute.elementType("index_element_type",
            (Unique op) -> op.indexType).orElse(ElementType.I64);
    private static final Attribute<Unique, ElementType> COUNT_TYPE = Attribute.elementType("count_element_type",
            (Unique op) -> op.countType).orElse(ElementType.I64);
    public static final OpSpec<Unique> SPEC = OpSpec.of(Unique.class, "Unique", "opset10",
            a -> new Unique(SORTED.read(a), INDEX_TYPE.read(a), COUNT_TYPE.read(a)), SORTED, INDEX_TYPE, COUNT_TYPE);

    private final boolean sorted;
    private final ElementType indexType;
    private final ElementType countType;

    public Unique(boolean sorted, ElementType indexType, ElementType countType) {
        this.sorted = sorted;
        this.indexType = indexType;
        this.countType = countType;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        boolean byAxis = ctx.hasInput(1);
        if (byAxis && (!ctx.inputType(1).isInteger() || ctx.inputShape(1).hasRank() && ctx.inputShape(1).rank() > 1)) {
            throw ctx.error("axis must be an integer scalar, got " + ctx.inputType(1) + ctx.inputShape(1));
        }
        Tensor data = ctx.inputValue(0);
        Tensor axisValue = byAxis ? ctx.inputValue(1) : null;
        if (data == null || byAxis && axisValue == null) {
            PartialShape unique = byAxis ? (in.hasRank() ? PartialShape.dynamic(in.rank()) : in)
                    : PartialShape.dynamic(1);
            setOutputs(ctx, unique, PartialShape.DYNAMIC, PartialShape.DYNAMIC);
            return;
        }
        int axis = byAxis ? ctx.axis(axisValue.getLong(0), data.rank()) : -1;
        Groups g = group(data, axis);
        int[] uniqueShape = axis < 0 ? new int[] {g.count()} : data.shape().clone();
        if (axis >= 0) {
            uniqueShape[axis] = g.count();
        }
        setOutputs(ctx, PartialShape.of(uniqueShape), g.count(), g.inverse.length);
    }

    private void setOutputs(InferContext ctx, PartialShape unique, int count, int inputs) {
        ctx.setOutput(0, ctx.inputType(0), unique);
        ctx.setOutput(1, indexType, PartialShape.of(count));
        ctx.setOutput(2, indexType, PartialShape.of(inputs));
        ctx.setOutput(3, countType, PartialShape.of(count));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        int axis = inputs.length > 1 && inputs[1] != null ? Shapes.normalizeAxis(inputs[1].getLong(0), data.rank()) : -1;
        Groups g = group(data, axis);
        int outer = axis < 0 ? 1 : Shapes.product(data.shape(), 0, axis);
        int slices = g.inverse.length;
        int inner = data.size() / Math.max(1, outer * slices);
        for (int u = 0; u < g.count(); u++) {
            int first = g.first.get(u);
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int from = (o * slices + first) * inner + i;
                    int to = (o * g.count() + u) * inner + i;
                    data.copyElement(from, outputs[0], to);
                }
            }
            outputs[1].setLong(u, first);
            outputs[3].setLong(u, g.counts[u]);
        }
        for (int s = 0; s < slices; s++) {
            outputs[2].setLong(s, g.inverse[s]);
        }
    }

    /** The unique slices in output order (by their first occurrence), each slice's group, each group's size. */
    private record Groups(List<Integer> first, int[] inverse, int[] counts) {
        int count() {
            return first.size();
        }
    }

    /** A slice's values as comparable keys: doubles (with -0 as 0) for floating data, longs otherwise. */
    private record Key(double[] floats, long[] longs) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Arrays.equals(floats, k.floats) && Arrays.equals(longs, k.longs);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(floats) + Arrays.hashCode(longs);
        }

        int compareTo(Key other) {
            return floats != null ? Arrays.compare(floats, other.floats) : Arrays.compare(longs, other.longs);
        }
    }

    private Groups group(Tensor data, int axis) {
        int slices = axis < 0 ? data.size() : data.dim(axis);
        int outer = axis < 0 ? 1 : Shapes.product(data.shape(), 0, axis);
        int inner = axis < 0 ? 1 : Shapes.product(data.shape(), axis + 1, data.rank());
        boolean floating = data.type().isFloating();
        Key[] keys = new Key[slices];
        for (int s = 0; s < slices; s++) {
            double[] f = floating ? new double[outer * inner] : null;
            long[] l = floating ? null : new long[outer * inner];
            for (int o = 0; o < outer; o++) {
                for (int i = 0; i < inner; i++) {
                    int at = (o * slices + s) * inner + i;
                    if (floating) {
                        double v = data.getDouble(at);
                        f[o * inner + i] = v == 0 ? 0 : v;
                    } else {
                        l[o * inner + i] = data.getLong(at);
                    }
                }
            }
            keys[s] = new Key(f, l);
        }
        Map<Key, Integer> firstOf = new HashMap<>();
        List<Integer> first = new ArrayList<>();
        for (int s = 0; s < slices; s++) {
            if (firstOf.putIfAbsent(keys[s], s) == null) {
                first.add(s);
            }
        }
        if (sorted) {
            first.sort(Comparator.comparing((Integer s) -> keys[s], Key::compareTo));
        }
        Map<Key, Integer> groupOf = new HashMap<>();
        for (int u = 0; u < first.size(); u++) {
            groupOf.put(keys[first.get(u)], u);
        }
        int[] inverse = new int[slices];
        int[] counts = new int[first.size()];
        for (int s = 0; s < slices; s++) {
            inverse[s] = groupOf.get(keys[s]);
            counts[inverse[s]]++;
        }
        return new Groups(first, inverse, counts);
    }
}
