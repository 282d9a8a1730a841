package dev.infero.cli.benchmark;

import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads NumPy {@code .npy} files (format 1.0-3.0, little-endian, C order) as tensors. */
final class NpyReader {
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([<|=])([a-z])(\\d+)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*True");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private NpyReader() {
    }

    static Tensor read(Path file) {
        try {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            if (b.remaining() < 10 || b.get() != (byte) 0x93 || b.get() != 'N' || b.get() != 'U' || b.get() != 'M'
                    || b.get() != 'P' || b.get() != 'Y') {
                throw new InferoException(file + " is not a .npy file");
            }
            int major = b.get();
            b.get();
            int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
            byte[] header = new byte[headerLength];
            b.get(header);
            String h = new String(header, StandardCharsets.ISO_8859_1);
            Matcher descr = DESCR.matcher(h);
            Matcher shape = SHAPE.matcher(h);
            if (!descr.find() || !shape.find() || FORTRAN.matcher(h).find()) {
                throw new InferoException(file + ": unsupported .npy header " + h.trim()
                        + " (need a little-endian, C-order numeric array)");
            }
            ElementType type = type(descr.group(2), Integer.parseInt(descr.group(3)), file);
            String[] dimText = shape.group(1).replace(" ", "").split(",");
            int[] dims = java.util.Arrays.stream(dimText).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt).toArray();
            return TensorBytes.fromLittleEndian(type, dims, b.slice().order(ByteOrder.LITTLE_ENDIAN), file.toString());
        } catch (IOException e) {
            throw new InferoException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static ElementType type(String kind, int bytes, Path file) {
        return switch (kind + bytes) {
            case "f4" -> ElementType.F32;
            case "f8" -> ElementType.F64;
            case "f2" -> ElementType.F16;
            case "i1" -> ElementType.I8;
            case "u1" -> ElementType.U8;
            case "i2" -> ElementType.I16;
            case "u2" -> ElementType.U16;
            case "i4" -> ElementType.I32;
            case "u4" -> ElementType.U32;
            case "i8" -> ElementType.I64;
            case "u8" -> ElementType.U64;
            case "b1" -> ElementType.BOOLEAN;
            default -> throw new InferoException(file + ": unsupported .npy element type " + kind + bytes);
        };
    }
}
