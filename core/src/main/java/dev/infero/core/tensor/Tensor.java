package dev.infero.core.tensor;

import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimits;
import dev.infero.core.types.E8M0;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import java.util.Arrays;

/**
 * A dense, row-major tensor: an element type, a concrete shape and a Java primitive array holding the elements
 * (see {@link ElementType} for which array each type uses).
 *
 * <p>The backing array may be longer than {@link #size()}: the runtime reuses one array for tensors whose lifetimes
 * do not overlap. Kernels must therefore loop to {@code size()}, never to {@code array.length}.
 *
 * <p>The shape array returned by {@link #shape()} is the tensor's own; callers must not modify it.
 */
public final class Tensor {
    private final ElementType type;
    private final int[] shape;
    private final int size;
    private final Object data;

    private Tensor(ElementType type, int[] shape, int size, Object data) {
        this.type = type;
        this.shape = shape;
        this.size = size;
        this.data = data;
    }

    /** A zero-filled tensor. */
    public static Tensor allocate(ElementType type, int... shape) {
        int[] s = shape.clone();
        int n = Shapes.size(s);
        // The backstop of every allocation; callers that know the tensor's name check first to name it.
        ResourceLimits.current().checkTensor("a tensor", type, s);
        return new Tensor(type, s, n, newArray(type, n));
    }

    /** Wraps an existing array (not copied) whose length is at least the shape's element count. */
    public static Tensor wrap(ElementType type, int[] shape, Object array) {
        int[] s = shape.clone();
        int n = Shapes.size(s);
        int length = java.lang.reflect.Array.getLength(array);
        if (!storageClass(type).isInstance(array)) {
            throw new InferoException("a " + type + " tensor needs a " + storageClass(type).getSimpleName()
                    + ", got " + array.getClass().getSimpleName());
        }
        if (length < n) {
            throw new InferoException("data has " + length + " elements but shape " + Arrays.toString(s)
                    + " needs " + n);
        }
        return new Tensor(type, s, n, array);
    }

    public static Tensor of(float[] data, int... shape) {
        return exact(ElementType.F32, shape, data, data.length);
    }

    public static Tensor of(double[] data, int... shape) {
        return exact(ElementType.F64, shape, data, data.length);
    }

    public static Tensor of(long[] data, int... shape) {
        return exact(ElementType.I64, shape, data, data.length);
    }

    public static Tensor of(int[] data, int... shape) {
        return exact(ElementType.I32, shape, data, data.length);
    }

    public static Tensor scalar(float v) {
        return of(new float[] {v});
    }

    public static Tensor scalar(long v) {
        return of(new long[] {v});
    }

    /** A boolean scalar (a Loop or If condition, an optional's presence flag). */
    public static Tensor scalar(boolean v) {
        Tensor t = allocate(ElementType.BOOLEAN);
        t.setLong(0, v ? 1 : 0);
        return t;
    }

    /** A 1-D i64 tensor, the usual carrier of shapes and axes. */
    public static Tensor vector(long... values) {
        return of(values.clone(), values.length);
    }

    private static Tensor exact(ElementType type, int[] shape, Object data, int length) {
        int n = Shapes.size(shape);
        if (n != length) {
            throw new InferoException("data has " + length + " elements but shape " + Arrays.toString(shape)
                    + " needs " + n);
        }
        return new Tensor(type, shape.clone(), n, data);
    }

    static Object newArray(ElementType type, int n) {
        return switch (type.storage()) {
            case FLOAT -> new float[n];
            case DOUBLE -> new double[n];
            case SHORT -> new short[n];
            case BYTE -> new byte[n];
            case INT -> new int[n];
            case LONG -> new long[n];
        };
    }

    private static Class<?> storageClass(ElementType type) {
        return switch (type.storage()) {
            case FLOAT -> float[].class;
            case DOUBLE -> double[].class;
            case SHORT -> short[].class;
            case BYTE -> byte[].class;
            case INT -> int[].class;
            case LONG -> long[].class;
        };
    }

    public ElementType type() {
        return type;
    }

    public int[] shape() {
        return shape;
    }

    public int rank() {
        return shape.length;
    }

    public int dim(int axis) {
        return shape[axis];
    }

    public int size() {
        return size;
    }

    /** Size of the elements in bytes. */
    public long byteSize() {
        return (long) size * type.bytes();
    }

    /** The backing array. */
    public Object array() {
        return data;
    }

    public float[] floats() {
        return (float[]) checked(ElementType.Storage.FLOAT);
    }

    public double[] doubles() {
        return (double[]) checked(ElementType.Storage.DOUBLE);
    }

    public long[] longs() {
        return (long[]) checked(ElementType.Storage.LONG);
    }

    public int[] ints() {
        return (int[]) checked(ElementType.Storage.INT);
    }

    public short[] shorts() {
        return (short[]) checked(ElementType.Storage.SHORT);
    }

    public byte[] bytes() {
        return (byte[]) checked(ElementType.Storage.BYTE);
    }

    private Object checked(ElementType.Storage storage) {
        if (type.storage() != storage) {
            throw new IllegalStateException("tensor of type " + type + " is stored as " + type.storage()
                    + ", not " + storage);
        }
        return data;
    }

    /** Element {@code i} as a double (exact for every type but 64-bit integers beyond 2^53). */
    public double getDouble(int i) {
        return switch (type) {
            case F32 -> ((float[]) data)[i];
            case F64 -> ((double[]) data)[i];
            case F16 -> Float.float16ToFloat(((short[]) data)[i]);
            case BF16 -> Float.intBitsToFloat(((short[]) data)[i] << 16);
            case F8E4M3, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F4E2M1 -> type.miniFloat().decode(((byte[]) data)[i]);
            case F8E8M0 -> E8M0.decode(((byte[]) data)[i]);
            case U64 -> {
                long v = ((long[]) data)[i];
                yield v >= 0 ? v : (double) (v >>> 1) * 2.0 + (v & 1);
            }
            default -> getLong(i);
        };
    }

    /** Element {@code i} as a long: exact for integer and boolean types, truncated toward zero for floating ones. */
    public long getLong(int i) {
        return switch (type) {
            case I8, BOOLEAN, I4 -> ((byte[]) data)[i];
            case U8 -> ((byte[]) data)[i] & 0xFF;
            case U4 -> ((byte[]) data)[i] & 0x0F;
            case I2 -> ((byte[]) data)[i];
            case U2 -> ((byte[]) data)[i] & 0x03;
            case I16 -> ((short[]) data)[i];
            case U16 -> ((short[]) data)[i] & 0xFFFF;
            case I32 -> ((int[]) data)[i];
            case U32 -> ((int[]) data)[i] & 0xFFFFFFFFL;
            case I64, U64 -> ((long[]) data)[i];
            default -> (long) getDouble(i);
        };
    }

    /** Stores {@code v} at {@code i}, rounding to the element type (integers wrap like a C cast from long). */
    public void setDouble(int i, double v) {
        switch (type) {
            case F32 -> ((float[]) data)[i] = (float) v;
            case F64 -> ((double[]) data)[i] = v;
            case F16 -> ((short[]) data)[i] = Float.floatToFloat16((float) v);
            case BF16 -> ((short[]) data)[i] = floatToBf16((float) v);
            case F8E4M3, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F4E2M1 ->
                    ((byte[]) data)[i] = (byte) type.miniFloat().encode(v, true);
            case F8E8M0 -> ((byte[]) data)[i] = (byte) E8M0.encode(v, true, E8M0.Rounding.UP);
            case BOOLEAN -> ((byte[]) data)[i] = (byte) (v != 0 ? 1 : 0);
            default -> setLong(i, (long) v);
        }
    }

    /** Stores {@code v} at {@code i}; integers keep their low bits. */
    public void setLong(int i, long v) {
        switch (type) {
            case I8, U8 -> ((byte[]) data)[i] = (byte) v;
            case I4 -> ((byte[]) data)[i] = (byte) ((((int) v & 0xF) ^ 8) - 8);
            case U4 -> ((byte[]) data)[i] = (byte) (v & 0xF);
            case I2 -> ((byte[]) data)[i] = (byte) ((((int) v & 0x3) ^ 2) - 2);
            case U2 -> ((byte[]) data)[i] = (byte) (v & 0x3);
            case BOOLEAN -> ((byte[]) data)[i] = (byte) (v != 0 ? 1 : 0);
            case I16, U16 -> ((short[]) data)[i] = (short) v;
            case I32, U32 -> ((int[]) data)[i] = (int) v;
            case I64, U64 -> ((long[]) data)[i] = v;
            default -> setDouble(i, v);
        }
    }

    /** Round-to-nearest-even conversion to bfloat16 bits (NaN stays NaN). */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /** A view with another shape of the same element count, sharing the data. */
    public Tensor reshape(int... newShape) {
        int n = Shapes.size(newShape);
        if (n != size) {
            throw new InferoException("cannot reshape " + Arrays.toString(shape) + " (" + size + " elements) to "
                    + Arrays.toString(newShape));
        }
        return new Tensor(type, newShape.clone(), n, data);
    }

    /** A copy holding exactly {@code size()} elements. */
    public Tensor copy() {
        Tensor t = allocate(type, shape);
        System.arraycopy(data, 0, t.data, 0, size);
        return t;
    }

    /** Copies this tensor's elements into {@code target}, which must have the same type and element count. */
    public void copyTo(Tensor target) {
        if (target.type != type || target.size != size) {
            throw new InferoException("cannot copy " + describe() + " into " + target.describe());
        }
        System.arraycopy(data, 0, target.data, 0, size);
    }

    /**
     * {@code target[j] = this[i]} for a target of the same element type, exact for every type (floating values as
     * doubles, all others as longs): the one element copy of the gather, scatter and rearranging ops.
     */
    public void copyElement(int i, Tensor target, int j) {
        if (type.isFloating()) {
            target.setDouble(j, getDouble(i));
        } else {
            target.setLong(j, getLong(i));
        }
    }

    /** A new tensor of another element type with the values converted (floating to integer truncates). */
    public Tensor convertTo(ElementType target) {
        Tensor out = allocate(target, shape);
        if (type.isFloating() || target.isFloating()) {
            for (int i = 0; i < size; i++) {
                out.setDouble(i, getDouble(i));
            }
        } else {
            for (int i = 0; i < size; i++) {
                out.setLong(i, getLong(i));
            }
        }
        return out;
    }

    /** All elements as floats (converting when the type is not f32). */
    public float[] toFloatArray() {
        if (type == ElementType.F32) {
            return Arrays.copyOf((float[]) data, size);
        }
        float[] out = new float[size];
        for (int i = 0; i < size; i++) {
            out[i] = (float) getDouble(i);
        }
        return out;
    }

    /** All elements as longs (integers exactly, floats truncated). */
    public long[] toLongArray() {
        if (type == ElementType.I64) {
            return Arrays.copyOf((long[]) data, size);
        }
        long[] out = new long[size];
        for (int i = 0; i < size; i++) {
            out[i] = getLong(i);
        }
        return out;
    }

    /** {@code f32[1,3,224,224]}. */
    public String describe() {
        return type + Arrays.toString(shape).replace(" ", "");
    }

    /** Element-wise equality of type, shape and values (for tests and constant de-duplication). */
    public boolean contentEquals(Tensor other) {
        if (other.type != type || !Arrays.equals(other.shape, shape)) {
            return false;
        }
        return switch (type.storage()) {
            case FLOAT -> Arrays.equals((float[]) data, 0, size, (float[]) other.data, 0, size);
            case DOUBLE -> Arrays.equals((double[]) data, 0, size, (double[]) other.data, 0, size);
            case SHORT -> Arrays.equals((short[]) data, 0, size, (short[]) other.data, 0, size);
            case BYTE -> Arrays.equals((byte[]) data, 0, size, (byte[]) other.data, 0, size);
            case INT -> Arrays.equals((int[]) data, 0, size, (int[]) other.data, 0, size);
            case LONG -> Arrays.equals((long[]) data, 0, size, (long[]) other.data, 0, size);
        };
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(describe()).append(" {");
        int shown = Math.min(size, 8);
        for (int i = 0; i < shown; i++) {
            sb.append(i == 0 ? "" : ", ");
            sb.append(type.isFloating() ? Double.toString(getDouble(i)) : Long.toString(getLong(i)));
        }
        return sb.append(size > shown ? ", ...}" : "}").toString();
    }
}
