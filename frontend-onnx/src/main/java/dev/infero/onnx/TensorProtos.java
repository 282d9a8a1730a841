package dev.infero.onnx;

import com.google.protobuf.ByteString;
import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.ResourceLimits;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.proto.Onnx.TensorProto;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/** Conversion between ONNX {@code TensorProto} and Infero tensors, including external data files. */
public final class TensorProtos {
    private TensorProtos() {
    }

    /** The Infero element type of an ONNX data type code. */
    public static ElementType elementType(int onnxType, String what) {
        return switch (onnxType) {
            case TensorProto.DataType.FLOAT_VALUE -> ElementType.F32;
            case TensorProto.DataType.UINT8_VALUE -> ElementType.U8;
            case TensorProto.DataType.INT8_VALUE -> ElementType.I8;
            case TensorProto.DataType.UINT16_VALUE -> ElementType.U16;
            case TensorProto.DataType.INT16_VALUE -> ElementType.I16;
            case TensorProto.DataType.INT32_VALUE -> ElementType.I32;
            case TensorProto.DataType.INT64_VALUE -> ElementType.I64;
            case TensorProto.DataType.BOOL_VALUE -> ElementType.BOOLEAN;
            case TensorProto.DataType.FLOAT16_VALUE -> ElementType.F16;
            case TensorProto.DataType.DOUBLE_VALUE -> ElementType.F64;
            case TensorProto.DataType.UINT32_VALUE -> ElementType.U32;
            case TensorProto.DataType.UINT64_VALUE -> ElementType.U64;
            case TensorProto.DataType.BFLOAT16_VALUE -> ElementType.BF16;
            case TensorProto.DataType.FLOAT8E4M3FN_VALUE -> ElementType.F8E4M3;
            case TensorProto.DataType.FLOAT8E4M3FNUZ_VALUE -> ElementType.F8E4M3FNUZ;
            case TensorProto.DataType.FLOAT8E5M2_VALUE -> ElementType.F8E5M2;
            case TensorProto.DataType.FLOAT8E5M2FNUZ_VALUE -> ElementType.F8E5M2FNUZ;
            case TensorProto.DataType.FLOAT4E2M1_VALUE -> ElementType.F4E2M1;
            case TensorProto.DataType.FLOAT8E8M0_VALUE -> ElementType.F8E8M0;
            case TensorProto.DataType.INT4_VALUE -> ElementType.I4;
            case TensorProto.DataType.UINT4_VALUE -> ElementType.U4;
            case TensorProto.DataType.INT2_VALUE -> ElementType.I2;
            case TensorProto.DataType.UINT2_VALUE -> ElementType.U2;
            default -> {
                TensorProto.DataType dt = TensorProto.DataType.forNumber(onnxType);
                throw new UnsupportedModelException(what + " has data type " + (dt == null ? onnxType : dt.name())
                        + ", which Infero does not support");
            }
        };
    }

    /** The ONNX data type code of an Infero element type. */
    public static int onnxType(ElementType type) {
        return switch (type) {
            case F32 -> TensorProto.DataType.FLOAT_VALUE;
            case U8 -> TensorProto.DataType.UINT8_VALUE;
            case I8 -> TensorProto.DataType.INT8_VALUE;
            case U16 -> TensorProto.DataType.UINT16_VALUE;
            case I16 -> TensorProto.DataType.INT16_VALUE;
            case I32 -> TensorProto.DataType.INT32_VALUE;
            case I64 -> TensorProto.DataType.INT64_VALUE;
            case BOOLEAN -> TensorProto.DataType.BOOL_VALUE;
            case F16 -> TensorProto.DataType.FLOAT16_VALUE;
            case F64 -> TensorProto.DataType.DOUBLE_VALUE;
            case U32 -> TensorProto.DataType.UINT32_VALUE;
            case U64 -> TensorProto.DataType.UINT64_VALUE;
            case BF16 -> TensorProto.DataType.BFLOAT16_VALUE;
            case F8E4M3 -> TensorProto.DataType.FLOAT8E4M3FN_VALUE;
            case F8E4M3FNUZ -> TensorProto.DataType.FLOAT8E4M3FNUZ_VALUE;
            case F8E5M2 -> TensorProto.DataType.FLOAT8E5M2_VALUE;
            case F8E5M2FNUZ -> TensorProto.DataType.FLOAT8E5M2FNUZ_VALUE;
            case F4E2M1 -> TensorProto.DataType.FLOAT4E2M1_VALUE;
            case F8E8M0 -> TensorProto.DataType.FLOAT8E8M0_VALUE;
            case I4 -> TensorProto.DataType.INT4_VALUE;
            case U4 -> TensorProto.DataType.UINT4_VALUE;
            case I2 -> TensorProto.DataType.INT2_VALUE;
            case U2 -> TensorProto.DataType.UINT2_VALUE;
        };
    }

    /** Reads a tensor held in the proto itself (no external data). */
    public static Tensor toTensor(TensorProto proto) {
        return toTensor(proto, null);
    }

    /**
     * Reads a tensor; {@code modelDir} resolves external data files and may be {@code null} when the model has none.
     * Every size is checked against the declared shape before anything large is allocated.
     */
    public static Tensor toTensor(TensorProto proto, Path modelDir) {
        String what = "tensor '" + proto.getName() + "'";
        ElementType type = elementType(proto.getDataType(), what);
        int[] shape = new int[proto.getDimsCount()];
        for (int i = 0; i < shape.length; i++) {
            long d = proto.getDims(i);
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new InvalidModelException(what + " has invalid dimension " + d + " in shape " + proto.getDimsList());
            }
            shape[i] = (int) d;
        }
        int n = ResourceLimits.current().checkModelTensor(what, type, shape);
        if (proto.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
            return TensorBytes.fromLittleEndian(type, shape, readExternal(proto, modelDir, what, type.packedBytes(n)), what);
        }
        if (proto.hasRawData()) {
            return TensorBytes.fromLittleEndian(type, shape, proto.getRawData().asReadOnlyByteBuffer(), what);
        }
        return fromTypedFields(proto, type, shape, n, what);
    }

    private static Tensor fromTypedFields(TensorProto p, ElementType type, int[] shape, int n, String what) {
        if (type.bits() < 8) { // int32_data holds the packed bytes, two (4-bit) or four (2-bit) values each
            if (p.getInt32DataCount() != type.packedBytes(n)) {
                throw new InvalidModelException(what + " declares shape " + Arrays.toString(shape) + " (" + n
                        + " " + type.bits() + "-bit elements) but holds " + p.getInt32DataCount() + " packed bytes");
            }
            byte[] packed = new byte[p.getInt32DataCount()];
            for (int i = 0; i < packed.length; i++) {
                packed[i] = (byte) p.getInt32Data(i);
            }
            return TensorBytes.fromLittleEndian(type, shape, ByteBuffer.wrap(packed), what);
        }
        int count = switch (type) {
            case F32 -> p.getFloatDataCount();
            case F64 -> p.getDoubleDataCount();
            case I64 -> p.getInt64DataCount();
            case U32, U64 -> p.getUint64DataCount();
            default -> p.getInt32DataCount();
        };
        if (count != n) {
            throw new InvalidModelException(what + " declares shape " + Arrays.toString(shape) + " (" + n
                    + " elements) but holds " + count + " values");
        }
        Tensor t = Tensor.allocate(type, shape);
        for (int i = 0; i < n; i++) {
            switch (type) {
                case F32 -> t.floats()[i] = p.getFloatData(i);
                case F64 -> t.doubles()[i] = p.getDoubleData(i);
                case I64 -> t.longs()[i] = p.getInt64Data(i);
                case U32, U64 -> t.setLong(i, p.getUint64Data(i));
                case F16, BF16 -> t.shorts()[i] = (short) p.getInt32Data(i);
                case F8E4M3, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F8E8M0 -> t.bytes()[i] = (byte) p.getInt32Data(i);
                default -> t.setLong(i, p.getInt32Data(i));
            }
        }
        return t;
    }

    private static ByteBuffer readExternal(TensorProto p, Path modelDir, String what, long expected) {
        String location = null;
        long offset = 0;
        long length = -1;
        for (var e : p.getExternalDataList()) {
            switch (e.getKey()) {
                case "location" -> location = e.getValue();
                case "offset" -> offset = parseLong(e.getValue(), what, "offset");
                case "length" -> length = parseLong(e.getValue(), what, "length");
                default -> { }
            }
        }
        if (location == null || location.isEmpty()) {
            throw new InvalidModelException(what + " is stored externally but names no location");
        }
        if (modelDir == null) {
            throw new InvalidModelException(what + " is stored in external file '" + location
                    + "' but the model was not read from a file");
        }
        Path base = modelDir.toAbsolutePath().normalize();
        Path file = base.resolve(location).normalize();
        if (Path.of(location).isAbsolute() || !file.startsWith(base)) {
            throw new InvalidModelException(what + ": external data path '" + location
                    + "' escapes the model's folder " + base);
        }
        if (!Files.isRegularFile(file)) {
            throw new InferoException(what + ": external data file " + file + " does not exist");
        }
        try {
            // normalize() does not follow links: a link inside the folder may point anywhere. Compare real paths.
            Path real = file.toRealPath();
            if (!real.startsWith(base.toRealPath())) {
                throw new InvalidModelException(what + ": external data path '" + location + "' leads outside the model's "
                        + "folder " + base + " (to " + real + ")");
            }
            file = real;
        } catch (IOException e) {
            throw new InferoException(what + ": cannot resolve external data " + file + ": " + e.getMessage(), e);
        }
        if (length >= 0 && length != expected) {
            throw new InvalidModelException(what + ": external data length " + length + " does not match the "
                    + expected + " bytes its shape needs");
        }
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            if (offset < 0 || offset > f.length() || f.length() - offset < expected) {
                throw new InvalidModelException(what + ": external file " + file + " (" + f.length()
                        + " bytes) is too short for " + expected + " bytes at offset " + offset);
            }
            byte[] bytes = new byte[(int) expected];
            f.seek(offset);
            f.readFully(bytes);
            return ByteBuffer.wrap(bytes);
        } catch (IOException e) {
            throw new InferoException(what + ": cannot read external data " + file + ": " + e.getMessage(), e);
        }
    }

    private static long parseLong(String s, String what, String key) {
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            throw new InvalidModelException(what + ": external data " + key + " '" + s + "' is not a number");
        }
    }

    /** Writes a tensor as {@code raw_data} (how ONNX exporters store weights). */
    public static TensorProto toProto(String name, Tensor t) {
        TensorProto.Builder b = TensorProto.newBuilder().setName(name).setDataType(onnxType(t.type()));
        for (int d : t.shape()) {
            b.addDims(d);
        }
        return b.setRawData(ByteString.copyFrom(TensorBytes.toLittleEndian(t))).build();
    }
}
