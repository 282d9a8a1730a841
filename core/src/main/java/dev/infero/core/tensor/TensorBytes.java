package dev.infero.core.tensor;

import dev.infero.core.InferoException;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Tensors as raw little-endian bytes: how ONNX {@code raw_data}, IR {@code .bin} files and {@code .npy} store them. */
public final class TensorBytes {
    private TensorBytes() {
    }

    public static byte[] toLittleEndian(Tensor t) {
        int bits = t.type().bits();
        if (bits < 8) { // 4- and 2-bit types: packed, lowest bits first
            int perByte = 8 / bits;
            int mask = (1 << bits) - 1;
            byte[] codes = t.bytes();
            byte[] packed = new byte[Math.toIntExact(t.type().packedBytes(t.size()))];
            for (int i = 0; i < t.size(); i++) {
                packed[i / perByte] |= (byte) ((codes[i] & mask) << (bits * (i % perByte)));
            }
            return packed;
        }
        ByteBuffer buf = ByteBuffer.allocate(Math.toIntExact(t.byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        int n = t.size();
        switch (t.type().storage()) {
            case FLOAT -> buf.asFloatBuffer().put(t.floats(), 0, n);
            case DOUBLE -> buf.asDoubleBuffer().put(t.doubles(), 0, n);
            case SHORT -> buf.asShortBuffer().put(t.shorts(), 0, n);
            case BYTE -> buf.put(t.bytes(), 0, n);
            case INT -> buf.asIntBuffer().put(t.ints(), 0, n);
            case LONG -> buf.asLongBuffer().put(t.longs(), 0, n);
        }
        return buf.array();
    }

    /**
     * Reads a tensor from exactly {@code type.packedBytes(size(shape))} little-endian bytes (the buffer's remaining
     * bytes); {@code what} names the source in the error raised when the byte count is wrong.
     */
    public static Tensor fromLittleEndian(ElementType type, int[] shape, ByteBuffer raw, String what) {
        int n = Shapes.size(shape);
        long expected = type.packedBytes(n);
        if (raw.remaining() != expected) {
            throw new InferoException(what + " declares shape " + Arrays.toString(shape) + " of " + type + " ("
                    + expected + " bytes) but holds " + raw.remaining() + " bytes");
        }
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        Tensor t = Tensor.allocate(type, shape);
        int bits = type.bits();
        if (bits < 8) { // 4- and 2-bit types, lowest bits first; signed integers sign-extended, others as codes
            int perByte = 8 / bits;
            int mask = (1 << bits) - 1;
            int sign = 1 << (bits - 1);
            boolean signedInteger = type.isInteger() && type.isSigned();
            byte[] codes = t.bytes();
            for (int i = 0; i < n; i++) {
                int field = (b.get(b.position() + i / perByte) >> (bits * (i % perByte))) & mask;
                codes[i] = (byte) (signedInteger ? (field ^ sign) - sign : field);
            }
            return t;
        }
        switch (type.storage()) {
            case FLOAT -> b.asFloatBuffer().get(t.floats(), 0, n);
            case DOUBLE -> b.asDoubleBuffer().get(t.doubles(), 0, n);
            case SHORT -> b.asShortBuffer().get(t.shorts(), 0, n);
            case BYTE -> b.get(t.bytes(), 0, n);
            case INT -> b.asIntBuffer().get(t.ints(), 0, n);
            case LONG -> b.asLongBuffer().get(t.longs(), 0, n);
        }
        if (type == ElementType.BOOLEAN) {
            byte[] bytes = t.bytes();
            for (int i = 0; i < n; i++) {
                bytes[i] = (byte) (bytes[i] != 0 ? 1 : 0);
            }
        }
        return t;
    }
}
