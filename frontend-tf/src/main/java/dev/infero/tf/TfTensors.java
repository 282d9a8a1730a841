package dev.infero.tf;

import com.google.protobuf.ByteString;
import dev.infero.core.InvalidModelException;
import dev.infero.core.ResourceLimits;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.tf.proto.Tf.DataType;
import dev.infero.tf.proto.Tf.TensorProto;
import dev.infero.tf.proto.Tf.TensorShapeProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * TensorFlow's {@code DataType}, {@code TensorShapeProto} and {@code TensorProto} in Infero's terms. A tensor's values
 * come from {@code tensor_content} (raw little-endian bytes, which must be exactly the shape's size) or from the typed
 * repeated field of its dtype; as in TensorFlow, fewer typed values than elements repeat the last one (none: zeros).
 */
public final class TfTensors {
    /**
     * Largest number of elements a constant may expand to from fewer typed values (a 1 GiB float tensor): a shape in a
     * corrupt file must not make the importer allocate without bound.
     */
    public static final int MAX_EXPANDED_ELEMENTS = 1 << 28;

    private TfTensors() {
    }

    /** The element type of a TensorFlow dtype; quantized types map to their storage type. */
    public static ElementType elementType(DataType dtype, String what) {
        return switch (dtype) {
            case DT_FLOAT -> ElementType.F32;
            case DT_DOUBLE -> ElementType.F64;
            case DT_HALF -> ElementType.F16;
            case DT_BFLOAT16 -> ElementType.BF16;
            case DT_INT32, DT_QINT32 -> ElementType.I32;
            case DT_INT64 -> ElementType.I64;
            case DT_INT16, DT_QINT16 -> ElementType.I16;
            case DT_UINT16, DT_QUINT16 -> ElementType.U16;
            case DT_INT8, DT_QINT8 -> ElementType.I8;
            case DT_UINT8, DT_QUINT8 -> ElementType.U8;
            case DT_UINT32 -> ElementType.U32;
            case DT_UINT64 -> ElementType.U64;
            case DT_BOOL -> ElementType.BOOLEAN;
            default -> throw new InvalidModelException(what + " has TensorFlow type " + dtype
                    + ", which Infero does not support");
        };
    }

    /** A shape attribute: unknown rank stays unknown, -1 dimensions are dynamic. */
    public static PartialShape shape(TensorShapeProto s, String what) {
        if (s.getUnknownRank()) {
            return PartialShape.unknownRank();
        }
        int[] dims = new int[s.getDimCount()];
        for (int i = 0; i < dims.length; i++) {
            long d = s.getDim(i).getSize();
            if (d < -1 || d > Integer.MAX_VALUE) {
                throw new InvalidModelException(what + " has invalid dimension " + d);
            }
            dims[i] = d < 0 ? PartialShape.DYNAMIC : (int) d;
        }
        return PartialShape.of(dims);
    }

    /** Reads a tensor; {@code what} names it in errors (file and node). */
    public static Tensor toTensor(TensorProto p, String what) {
        ElementType type = elementType(p.getDtype(), what);
        PartialShape ps = shape(p.getTensorShape(), what);
        if (!ps.hasRank() || !ps.isStatic()) {
            throw new InvalidModelException(what + " has a tensor of unknown shape " + ps);
        }
        int[] shape = ps.toArray();
        int n = ResourceLimits.current().checkModelTensor(what, type, shape);
        if (!p.getTensorContent().isEmpty()) {
            ByteString raw = p.getTensorContent();
            long expected = (long) n * type.bytes();
            if (raw.size() != expected) {
                throw new InvalidModelException(what + " declares shape " + Arrays.toString(shape) + " of " + type + " ("
                        + expected + " bytes) but its tensor_content holds " + raw.size() + " bytes");
            }
            return TensorBytes.fromLittleEndian(type, shape, raw.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN),
                    what);
        }
        int count = switch (p.getDtype()) {
            case DT_FLOAT -> p.getFloatValCount();
            case DT_DOUBLE -> p.getDoubleValCount();
            case DT_HALF, DT_BFLOAT16 -> p.getHalfValCount();
            case DT_INT64 -> p.getInt64ValCount();
            case DT_BOOL -> p.getBoolValCount();
            case DT_UINT32 -> p.getUint32ValCount();
            case DT_UINT64 -> p.getUint64ValCount();
            default -> p.getIntValCount();
        };
        if (count > n) {
            throw new InvalidModelException(what + " declares shape " + Arrays.toString(shape) + " (" + n
                    + " elements) but holds " + count + " values");
        }
        if (count < n && n > MAX_EXPANDED_ELEMENTS) {
            throw new InvalidModelException(what + " would expand " + count + " value(s) to " + n
                    + " elements, more than Infero allows for a constant (" + MAX_EXPANDED_ELEMENTS + ")");
        }
        Tensor t = Tensor.allocate(type, shape);
        for (int i = 0; i < n; i++) {
            int k = Math.min(i, count - 1); // TensorFlow repeats the last value to fill the shape
            if (k < 0) {
                break; // no values at all: zeros
            }
            switch (p.getDtype()) {
                case DT_FLOAT -> t.floats()[i] = p.getFloatVal(k);
                case DT_DOUBLE -> t.doubles()[i] = p.getDoubleVal(k);
                case DT_HALF, DT_BFLOAT16 -> t.shorts()[i] = (short) p.getHalfVal(k);
                case DT_INT64 -> t.longs()[i] = p.getInt64Val(k);
                case DT_BOOL -> t.setLong(i, p.getBoolVal(k) ? 1 : 0);
                case DT_UINT32 -> t.setLong(i, p.getUint32Val(k) & 0xFFFFFFFFL);
                case DT_UINT64 -> t.setLong(i, p.getUint64Val(k));
                default -> t.setLong(i, p.getIntVal(k));
            }
        }
        return t;
    }

    /** A TensorProto with {@code tensor_content}, as TensorFlow writes large constants (for tests and tools). */
    public static TensorProto toProto(Tensor t, DataType dtype) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (int d : t.shape()) {
            shape.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        ByteBuffer bytes = ByteBuffer.wrap(TensorBytes.toLittleEndian(t));
        return TensorProto.newBuilder().setDtype(dtype).setTensorShape(shape)
                .setTensorContent(ByteString.copyFrom(bytes)).build();
    }
}
