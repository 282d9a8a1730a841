package dev.infero.core.ops.selection;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.Arrays;
import java.util.Comparator;

/**
 * TopK-11: the {@code k} largest ({@code mode="max"}) or smallest ({@code mode="min"}) elements along {@code axis}
 * (input 1 is the scalar k), as values (output 0) and their indices (output 1, {@code index_element_type}).
 * {@code sort="value"} orders the results by value, {@code "index"} by index, {@code "none"} leaves the order free.
 * With {@code stable=true} equal values keep their input order, i.e. the lower index wins, as ONNX requires.
 */
public final class TopK extends Op {
    private static final Attribute<TopK, Long> AXIS = Attribute.integer("axis", op -> op.axis);
    private static final Attribute<TopK, String> MODE = Attribute.string("mode", op -> op.largest ? "max" : "min");
    private static final Attribute<TopK, String> SORT = Attribute.string("sort", (TopK op) -> op.sort).orElse("none");
    private static final Attribute<TopK, ElementType> INDEX_TYPE = Attribute.elementType("index_element_type",
            (TopK op) -> op.indexType).orElse(ElementType.I64);
    private static final Attribute<TopK, Boolean> STABLE = Attribute.bool("stable", (TopK op) -> op.stable)
            .orElse(false);
    public static final OpSpec<TopK> SPEC = OpSpec.of(TopK.class, "TopK", "opset11", a -> new TopK(AXIS.read(a),
            MODE.read(a).equals("max"), SORT.read(a), INDEX_TYPE.read(a), STABLE.read(a)),
            AXIS, MODE, SORT, INDEX_TYPE, STABLE);

    private final long axis;
    private final boolean largest;
    private final String sort;
    private final ElementType indexType;
    private final boolean stable;

    public TopK(long axis, boolean largest, String sort, ElementType indexType, boolean stable) {
        if (!sort.equals("value") && !sort.equals("index") && !sort.equals("none")) {
            throw new IllegalArgumentException("TopK sort must be value, index or none, not " + sort);
        }
        this.axis = axis;
        this.largest = largest;
        this.sort = sort;
        this.indexType = ElementType.requireIndexType("TopK index_element_type", indexType);
        this.stable = stable;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        PartialShape kShape = ctx.inputShape(1);
        if (kShape.hasRank() && kShape.rank() != 0) {
            throw ctx.error("k must be a scalar, got shape " + kShape);
        }
        if (!ctx.inputType(1).isInteger()) {
            throw ctx.error("k must be an integer, got " + ctx.inputType(1));
        }
        if (!in.hasRank()) {
            ctx.setOutput(0, ctx.inputType(0), in);
            ctx.setOutput(1, indexType, in);
            return;
        }
        int a = normalizedAxis(ctx, in.rank());
        int[] dims = in.dimsOrDynamic();
        Tensor k = ctx.inputValue(1);
        if (k == null) {
            dims[a] = PartialShape.DYNAMIC;
        } else {
            long kv = k.getLong(0);
            if (kv < 0) {
                throw ctx.error("k must not be negative, got " + kv);
            }
            dims[a] = dims[a] == PartialShape.DYNAMIC ? (int) kv : (int) Math.min(kv, dims[a]);
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(dims));
        ctx.setOutput(1, indexType, PartialShape.of(dims));
    }

    private int normalizedAxis(InferContext ctx, int rank) {
        return ctx.axis(axis, rank);
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor data = inputs[0];
        Tensor values = outputs[0];
        Tensor indices = outputs[1];
        int a = Shapes.normalizeAxis(axis, data.rank());
        AxisSlices in = AxisSlices.of(data.shape(), a);
        AxisSlices out = AxisSlices.of(values.shape(), a);
        int k = out.axisSize();
        int[] order = new int[in.axisSize()];
        long[] keys = data.type() == ElementType.F32 ? new long[in.axisSize()] : null;
        for (int line = 0; line < in.lines(); line++) {
            int src = in.start(line);
            if (keys != null) {
                rankFloatLine(data.floats(), in, src, keys, order);
            } else {
                rankGenericLine(data, in, src, order);
            }
            if (sort.equals("index")) {
                Arrays.sort(order, 0, k);
            }
            int dst = out.start(line);
            for (int j = 0; j < k; j++) {
                int from = in.at(src, order[j]);
                int to = out.at(dst, j);
                if (values.type().isFloating()) {
                    values.setDouble(to, data.getDouble(from));
                } else {
                    values.setLong(to, data.getLong(from));
                }
                indices.setLong(to, order[j]);
            }
        }
    }

    /**
     * Orders one f32 line without boxing: each element becomes the long {@code (orderedBits << 32) | index}, where
     * orderedBits sort like the floats (inverted for "max"), so one primitive sort ranks by value, then by index.
     */
    private void rankFloatLine(float[] x, AxisSlices in, int src, long[] keys, int[] order) {
        int n = in.axisSize();
        for (int j = 0; j < n; j++) {
            int bits = Float.floatToIntBits(x[in.at(src, j)]);
            int ordered = bits ^ ((bits >> 31) & 0x7FFFFFFF);
            keys[j] = ((long) (largest ? ~ordered : ordered) << 32) | j;
        }
        Arrays.sort(keys, 0, n);
        for (int j = 0; j < n; j++) {
            order[j] = (int) keys[j];
        }
    }

    /** Orders one line of any other type by value (then index), comparing integers exactly. */
    private void rankGenericLine(Tensor data, AxisSlices in, int src, int[] order) {
        int n = in.axisSize();
        Integer[] idx = new Integer[n];
        for (int j = 0; j < n; j++) {
            idx[j] = j;
        }
        ElementType t = data.type();
        Comparator<Integer> byValue;
        if (t.isFloating()) {
            byValue = Comparator.comparingDouble(j -> data.getDouble(in.at(src, j)));
        } else if (t == ElementType.U64) {
            byValue = (p, q) -> Long.compareUnsigned(data.getLong(in.at(src, p)), data.getLong(in.at(src, q)));
        } else {
            byValue = Comparator.comparingLong(j -> data.getLong(in.at(src, j)));
        }
        Arrays.sort(idx, (largest ? byValue.reversed() : byValue).thenComparingInt(j -> j));
        for (int j = 0; j < n; j++) {
            order[j] = idx[j];
        }
    }
}
