package dev.infero.core.ops.sequence;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import java.util.ArrayList;
import java.util.List;

/**
 * The one home of how a sequence of tensors is carried at run time: two tensors, {@code data} (1-D, the items'
 * elements one after the other in row-major order, of the items' element type) and {@code shapes} (1-D i64, for each
 * item its rank followed by its dimensions). A graph port of sequence type is two ports: the data under the
 * sequence's name and the shapes under that name with {@link #SHAPES_SUFFIX}.
 */
public final class PackedSequence {
    /** Appended to a sequence's name to name the port carrying its shapes. */
    public static final String SHAPES_SUFFIX = ":sequence_shapes";

    private PackedSequence() {
    }

    /** {@code items} (all of element type {@code type}) as {data, shapes}. */
    public static Tensor[] pack(ElementType type, List<Tensor> items) {
        int elements = 0;
        int header = 0;
        for (Tensor t : items) {
            if (t.type() != type) {
                throw new InferoException("a sequence of " + type + " tensors cannot hold a " + t.type() + " tensor");
            }
            elements = Math.addExact(elements, t.size());
            header += 1 + t.rank();
        }
        Tensor data = Tensor.allocate(type, elements);
        long[] shapes = new long[header];
        int at = 0;
        int h = 0;
        for (Tensor t : items) {
            System.arraycopy(t.array(), 0, data.array(), at, t.size());
            at += t.size();
            shapes[h++] = t.rank();
            for (int d : t.shape()) {
                shapes[h++] = d;
            }
        }
        return new Tensor[] {data, Tensor.of(shapes, shapes.length)};
    }

    /** The items of a packed sequence, each a new tensor; a malformed pair is an error naming what is wrong. */
    public static List<Tensor> unpack(Tensor data, Tensor shapes) {
        List<int[]> dims = shapes(shapes);
        List<Tensor> items = new ArrayList<>(dims.size());
        int at = 0;
        for (int[] s : dims) {
            int n = Shapes.size(s);
            if (at + (long) n > data.size()) {
                throw new InferoException("a packed sequence's shapes need more than its " + data.size()
                        + " data elements");
            }
            Tensor t = Tensor.allocate(data.type(), s);
            System.arraycopy(data.array(), at, t.array(), 0, n);
            items.add(t);
            at += n;
        }
        if (at != data.size()) {
            throw new InferoException("a packed sequence's shapes cover " + at + " of its " + data.size()
                    + " data elements");
        }
        return items;
    }

    /** The item shapes of a packed sequence's shapes tensor. */
    public static List<int[]> shapes(Tensor shapes) {
        if (shapes.type() != ElementType.I64 || shapes.rank() != 1) {
            throw new InferoException("a packed sequence's shapes must be a 1-D i64 tensor, got " + shapes.describe());
        }
        List<int[]> out = new ArrayList<>();
        int i = 0;
        while (i < shapes.size()) {
            long rank = shapes.getLong(i++);
            if (rank < 0 || i + rank > shapes.size()) {
                throw new InferoException("a packed sequence's shapes hold rank " + rank + " at position " + (i - 1)
                        + " with " + (shapes.size() - i) + " values left");
            }
            int[] s = new int[(int) rank];
            for (int d = 0; d < rank; d++) {
                long v = shapes.getLong(i++);
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw new InferoException("a packed sequence's shapes hold dimension " + v);
                }
                s[d] = (int) v;
            }
            out.add(s);
        }
        return out;
    }

    /** Position {@code at} (negative counts from the end) in a sequence of {@code length}; an insert may use length. */
    static int position(long at, int length, boolean insert) {
        long p = at < 0 ? at + length : at;
        if (p < 0 || p > length || !insert && p == length) {
            throw new InferoException("position " + at + " is out of range for a sequence of " + length);
        }
        return (int) p;
    }
}
