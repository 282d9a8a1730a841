package dev.infero.cpu.step;

import dev.infero.core.graph.Node;
import dev.infero.core.ops.movement.Pad;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.Shapes;
import dev.infero.cpu.parallel.WorkerPool;
import java.util.Arrays;

/**
 * Pad with static shapes and constant pads, in any mode and of any element type: planned at compile time, from the
 * op's own map of output to input indices ({@link Pad#sourceIndices}), as a list of block copies from the input and
 * block fills from a row of the pad value, with adjacent blocks merged (padding the channels of an NCHW tensor is one
 * copy and one fill; a reflected border is a one-element copy). Running it is just those array copies.
 */
public final class PadStep implements Step<Void> {
    /** Per block: input offset (or -1 for the pad value), output offset, length. */
    private final int[] from;
    private final int[] to;
    private final int[] length;
    private final int blocks;
    private final Object padRow;

    private PadStep(int[] from, int[] to, int[] length, int blocks, Object padRow) {
        this.from = from;
        this.to = to;
        this.length = length;
        this.blocks = blocks;
        this.padRow = padRow;
    }

    /** The kernel for {@code node}, or {@code null} when it is not a constant Pad with everything known but the data. */
    public static PadStep of(Node node) {
        if (!(node.op() instanceof Pad pad) || !node.input(0).shape().isStatic()
                || !node.output(0).shape().isStatic() || !node.input(1).isKnown() || !node.input(2).isKnown()
                || (node.inputs().size() > 3 && node.input(3) != null && !node.input(3).isKnown())) {
            return null;
        }
        int[] in = node.input(0).shape().toArray();
        int[] out = node.output(0).shape().toArray();
        long[] begin = node.input(1).knownValue().toLongArray();
        int rank = in.length;
        if (rank == 0 || Shapes.size(out) == 0) {
            return null;
        }
        int[][] source = new int[rank][];
        for (int a = 0; a < rank; a++) {
            source[a] = pad.sourceIndices(in[a], (int) begin[a], out[a]);
        }
        int[] inner = source[rank - 1];
        int width = out[rank - 1];
        int rows = Shapes.size(out) / width;
        int[] inStrides = Shapes.strides(in);
        Blocks b = new Blocks();
        int[] index = new int[rank - 1];
        for (int r = 0, o = 0; r < rows; r++, o += width) {
            int rowStart = 0;
            for (int a = 0; a < rank - 1 && rowStart >= 0; a++) {
                int i = source[a][index[a]];
                rowStart = i < 0 ? -1 : rowStart + i * inStrides[a];
            }
            for (int x = 0; x < width; x++) {
                b.add(rowStart < 0 || inner[x] < 0 ? -1 : rowStart + inner[x], o + x, 1);
            }
            for (int a = rank - 2; a >= 0 && ++index[a] == out[a]; a--) {
                index[a] = 0;
            }
        }
        Tensor row = Tensor.allocate(node.output(0).type(), b.longestFill);
        Tensor value = node.inputs().size() > 3 && node.input(3) != null ? node.input(3).knownValue() : null;
        if (value != null) {
            for (int i = 0; i < row.size(); i++) {
                if (row.type().isFloating()) {
                    row.setDouble(i, value.getDouble(0));
                } else {
                    row.setLong(i, value.getLong(0));
                }
            }
        }
        return new PadStep(b.from, b.to, b.length, b.count, row.array());
    }

    /** Growing block lists; a block continuing the previous one of the same kind extends it. */
    private static final class Blocks {
        int[] from = new int[16];
        int[] to = new int[16];
        int[] length = new int[16];
        int count;
        int longestFill;

        void add(int src, int dst, int len) {
            if (len <= 0) {
                return;
            }
            if (count > 0) {
                int p = count - 1;
                boolean adjacent = to[p] + length[p] == dst
                        && (src < 0 ? from[p] < 0 : from[p] >= 0 && from[p] + length[p] == src);
                if (adjacent) {
                    length[p] += len;
                    if (src < 0) {
                        longestFill = Math.max(longestFill, length[p]);
                    }
                    return;
                }
            }
            if (count == from.length) {
                from = Arrays.copyOf(from, count * 2);
                to = Arrays.copyOf(to, count * 2);
                length = Arrays.copyOf(length, count * 2);
            }
            from[count] = src;
            to[count] = dst;
            length[count] = len;
            count++;
            if (src < 0) {
                longestFill = Math.max(longestFill, len);
            }
        }
    }

    @Override
    public ExecType execType() {
        return ExecType.of("block_copy", null);
    }

    @Override
    public void run(Tensor[] inputs, Tensor[] outputs, Void scratch, WorkerPool pool) {
        Object in = inputs[0].array();
        Object out = outputs[0].array();
        for (int i = 0; i < blocks; i++) {
            if (from[i] < 0) {
                System.arraycopy(padRow, 0, out, to[i], length[i]);
            } else {
                System.arraycopy(in, from[i], out, to[i], length[i]);
            }
        }
    }
}
