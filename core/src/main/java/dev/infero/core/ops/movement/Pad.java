package dev.infero.core.ops.movement;

import dev.infero.core.op.Attribute;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.op.OpSpec;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.core.types.Shapes;
import java.util.Locale;

/**
 * Pad-12: adds {@code pads_begin[i]} elements before and {@code pads_end[i]} after axis {@code i} (inputs 1 and 2);
 * negative pads remove elements. New elements are {@code pad_value} (input 3, default 0) in {@code constant} mode,
 * or copied from the data: {@code edge} repeats the border, {@code reflect} mirrors without repeating it,
 * {@code symmetric} mirrors including it. Pads wider than the data keep reflecting, as numpy.pad does.
 *
 * <p>The {@code wrap} mode (ONNX Pad-19: copy from the opposite side, periodically) has no OpenVINO counterpart; a
 * Pad in that mode reports version {@code infero}.
 */
public final class Pad extends Op {
    /** How padded elements get their values. */
    public enum Mode {
        CONSTANT, EDGE, REFLECT, SYMMETRIC, WRAP;

        public String irName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private static final Attribute<Pad, Mode> PAD_MODE = Attribute.enumValue("pad_mode", Mode.class, Pad::mode);
    /** Pad-12 (and Pad-1, whose attribute is the same), constant mode by default. */
    public static final OpSpec<Pad> SPEC = OpSpec.of(Pad.class, "Pad", "opset12",
            a -> new Pad(PAD_MODE.orElse(Mode.CONSTANT).read(a)), PAD_MODE);
    /** Infero's Pad, which adds the wrap mode (its default). */
    public static final OpSpec<Pad> WRAP = OpSpec.of(Pad.class, "Pad", "infero",
            a -> new Pad(PAD_MODE.orElse(Mode.WRAP).read(a)), PAD_MODE);

    private final Mode mode;

    public Pad(Mode mode) {
        this.mode = mode;
    }

    public Mode mode() {
        return mode;
    }

    /** Pad-12, or Infero's own Pad in wrap mode. */
    @Override
    public OpSpec<Pad> spec() {
        return mode == Mode.WRAP ? WRAP : SPEC;
    }

    @Override
    public void infer(InferContext ctx) {
        PartialShape in = ctx.inputShape(0);
        Tensor begin = ctx.inputValue(1);
        Tensor end = ctx.inputValue(2);
        if (ctx.hasInput(3) && ctx.inputShape(3).hasRank() && ctx.inputShape(3).rank() != 0) {
            throw ctx.error("pad_value must be a scalar, got shape " + ctx.inputShape(3));
        }
        if (ctx.hasInput(3) && ctx.inputType(3) != ctx.inputType(0)) {
            throw ctx.error("pad_value type " + ctx.inputType(3) + " differs from the data type " + ctx.inputType(0));
        }
        if (begin == null || end == null || !in.hasRank()) {
            PartialShape padsShape = ctx.inputShape(1);
            int rank = in.hasRank() ? in.rank() : padsShape.isStatic() ? padsShape.dim(0) : -1;
            ctx.setOutput(0, ctx.inputType(0), rank < 0 ? PartialShape.unknownRank() : PartialShape.dynamic(rank));
            return;
        }
        long[] b = begin.toLongArray();
        long[] e = end.toLongArray();
        if (b.length != in.rank() || e.length != in.rank()) {
            throw ctx.error("pads_begin and pads_end need " + in.rank() + " entries (the data rank), got " + b.length
                    + " and " + e.length);
        }
        int[] out = in.dimsOrDynamic();
        for (int i = 0; i < out.length; i++) {
            if (in.isDynamic(i)) {
                continue;
            }
            long d = in.dim(i) + b[i] + e[i];
            if (d < 0) {
                throw ctx.error("pads " + b[i] + " and " + e[i] + " leave a negative size on axis " + i);
            }
            if (mode != Mode.CONSTANT && d > 0 && in.dim(i) == 0) {
                throw ctx.error(mode.irName() + " padding needs data to copy from, but axis " + i + " is empty");
            }
            out[i] = (int) d;
        }
        ctx.setOutput(0, ctx.inputType(0), PartialShape.of(out));
    }

    @Override
    public void evaluate(Tensor[] inputs, Tensor[] outputs) {
        Tensor in = inputs[0];
        Tensor out = outputs[0];
        if (out.size() == 0) {
            return;
        }
        long[] begin = inputs[1].toLongArray();
        int rank = in.rank();
        if (rank == 0) {
            in.copyTo(out);
            return;
        }
        // For every axis, the input index each output index reads, or -1 for the constant.
        int[][] source = new int[rank][];
        for (int a = 0; a < rank; a++) {
            source[a] = sourceIndices(in.dim(a), (int) begin[a], out.dim(a));
        }
        int width = out.dim(rank - 1);
        Object constantRow = constantRow(inputs.length > 3 ? inputs[3] : null, in, width);
        int[] inner = source[rank - 1];
        int[] inStrides = Shapes.strides(in.shape());
        int rows = out.size() / width;
        int[] index = new int[rank - 1];
        for (int r = 0, to = 0; r < rows; r++, to += width) {
            int rowStart = 0;
            for (int a = 0; a < rank - 1 && rowStart >= 0; a++) {
                int s = source[a][index[a]];
                rowStart = s < 0 ? -1 : rowStart + s * inStrides[a];
            }
            if (rowStart < 0) {
                System.arraycopy(constantRow, 0, out.array(), to, width);
            } else {
                copyRow(in.array(), rowStart, inner, constantRow, out.array(), to);
            }
            for (int a = rank - 2; a >= 0 && ++index[a] == out.dim(a); a--) {
                index[a] = 0;
            }
        }
    }

    /** Copies one output row: runs of consecutive source indices as array copies, constant runs from the row. */
    private static void copyRow(Object in, int rowStart, int[] source, Object constantRow, Object out, int to) {
        int i = 0;
        while (i < source.length) {
            int j = i + 1;
            if (source[i] < 0) {
                while (j < source.length && source[j] < 0) {
                    j++;
                }
                System.arraycopy(constantRow, i, out, to + i, j - i);
            } else {
                while (j < source.length && source[j] == source[j - 1] + 1) {
                    j++;
                }
                System.arraycopy(in, rowStart + source[i], out, to + i, j - i);
            }
            i = j;
        }
    }

    private static Object constantRow(Tensor value, Tensor in, int width) {
        Tensor row = Tensor.allocate(in.type(), width);
        if (value != null) {
            for (int i = 0; i < width; i++) {
                value.copyElement(0, row, i);
            }
        }
        return row.array();
    }

    /**
     * For an axis of size {@code dim} padded by {@code begin} in front: output index to input index (or -1 for the
     * pad value). Also what compiled Pad kernels plan their copies from.
     */
    public int[] sourceIndices(int dim, int begin, int outDim) {
        int[] source = new int[outDim];
        for (int o = 0; o < outDim; o++) {
            int i = o - begin;
            source[o] = i >= 0 && i < dim ? i : switch (mode) {
                case CONSTANT -> -1;
                case EDGE -> Math.clamp(i, 0, dim - 1);
                case REFLECT -> reflect(i, dim);
                case SYMMETRIC -> {
                    int m = Math.floorMod(i, 2 * dim);
                    yield m < dim ? m : 2 * dim - 1 - m;
                }
                case WRAP -> Math.floorMod(i, dim);
            };
        }
        return source;
    }

    private static int reflect(int i, int dim) {
        if (dim == 1) {
            return 0;
        }
        int period = 2 * (dim - 1);
        int m = Math.floorMod(i, period);
        return m < dim ? m : period - m;
    }
}
