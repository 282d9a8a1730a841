package dev.infero.api.io;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidInputException;
import dev.infero.core.ResourceLimits;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.Shapes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0, 2.0 and 3.0) holding one C-ordered array of a
 * numeric or boolean dtype. Files are written little-endian in version 1.0 (2.0 only when the header would not fit),
 * byte for byte as {@code numpy.save} writes them.
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy pads the header so that the data starts at a multiple of 64 bytes. */
    private static final int ALIGNMENT = 64;
    private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
    private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

    private Npy() {
    }

    public static Tensor read(Path file) {
        byte[] bytes;
        try {
            // A file larger than the tensor limit cannot hold an array Infero may allocate: refuse before reading.
            ResourceLimits.current().checkTensorBytes(".npy file " + file,
                    Files.size(file));
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new InferoException("file " + file + " does not exist");
        } catch (IOException e) {
            throw new InferoException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return read(bytes, file.toString());
    }

    /** Parses the contents of a .npy file; {@code source} names it in error messages. */
    public static Tensor read(byte[] bytes, String source) {
        ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        if (bytes.length < 10 || !startsWithMagic(bytes)) {
            throw new InvalidInputException(source + " is not a .npy file (no \\x93NUMPY signature)");
        }
        int major = bytes[6];
        int headerLength;
        int headerStart;
        switch (major) {
            case 1 -> {
                headerLength = in.getShort(8) & 0xFFFF;
                headerStart = 10;
            }
            case 2, 3 -> {
                long length = bytes.length < 12 ? Long.MAX_VALUE : in.getInt(8) & 0xFFFFFFFFL;
                headerLength = (int) Math.min(length, Integer.MAX_VALUE - 12);
                headerStart = 12;
            }
            default -> throw new InvalidInputException(source + " uses .npy format version " + major + "." + bytes[7]
                    + "; supported are 1.0, 2.0 and 3.0");
        }
        if ((long) headerStart + headerLength > bytes.length) {
            throw new InvalidInputException(source + " is truncated inside its .npy header");
        }
        String header = new String(bytes, headerStart, headerLength,
                major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        String descr = field(DESCR, header, "descr", source);
        if (field(FORTRAN, header, "fortran_order", source).equals("True")) {
            throw new InvalidInputException(source + " holds a Fortran-ordered (column-major) array; save it in C order "
                    + "(numpy.ascontiguousarray) instead");
        }
        int[] shape = parseShape(field(SHAPE, header, "shape", source), source);
        checkLittleEndian(descr, source);
        ElementType type = elementType(descr.substring(1), source);
        ResourceLimits.current().checkTensor(source, type, shape);
        int dataStart = headerStart + headerLength;
        long needed = (long) Shapes.size(shape) * type.bytes();
        if (bytes.length - dataStart < needed) {
            throw new InvalidInputException(source + " is truncated: shape " + java.util.Arrays.toString(shape) + " of "
                    + descr + " needs " + needed + " data bytes, the file holds " + (bytes.length - dataStart));
        }
        return TensorBytes.fromLittleEndian(type, shape, ByteBuffer.wrap(bytes, dataStart, (int) needed), source);
    }

    public static void write(Path file, Tensor tensor) {
        try {
            Files.write(file, toBytes(tensor));
        } catch (IOException e) {
            throw new InferoException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The bytes of a .npy file holding {@code tensor}. */
    public static byte[] toBytes(Tensor tensor) {
        String dict = "{'descr': '" + descr(tensor.type()) + "', 'fortran_order': False, 'shape': "
                + shapeTuple(tensor.shape()) + ", }";
        boolean v1 = paddedEnd(MAGIC.length + 4, dict) - (MAGIC.length + 4) <= 0xFFFF;
        int prefix = MAGIC.length + 2 + (v1 ? 2 : 4);
        int padded = paddedEnd(prefix, dict);
        int headerLength = padded - prefix;
        byte[] data = TensorBytes.toLittleEndian(tensor);
        ByteBuffer out = ByteBuffer.allocate(padded + data.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
        if (v1) {
            out.putShort((short) headerLength);
        } else {
            out.putInt(headerLength);
        }
        out.put(dict.getBytes(StandardCharsets.ISO_8859_1));
        for (int i = dict.length(); i < headerLength - 1; i++) {
            out.put((byte) ' ');
        }
        out.put((byte) '\n').put(data);
        return out.array();
    }

    /** Where the data starts: after the prefix, the header dict and its newline, rounded up to the alignment. */
    private static int paddedEnd(int prefix, String dict) {
        int unpadded = prefix + dict.length() + 1;
        return (unpadded + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
    }

    private static boolean startsWithMagic(byte[] bytes) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static String field(Pattern p, String header, String name, String source) {
        Matcher m = p.matcher(header);
        if (!m.find()) {
            if (name.equals("descr") && header.contains("'descr': [")) {
                throw new InvalidInputException(source + " holds a structured (record) array, which is not supported");
            }
            throw new InvalidInputException(source + ": the .npy header has no valid '" + name + "' entry: " + header.trim());
        }
        return m.group(1);
    }

    private static int[] parseShape(String tuple, String source) {
        List<Integer> dims = new ArrayList<>();
        for (String part : tuple.split(",")) {
            String s = part.trim();
            if (s.isEmpty()) {
                continue;
            }
            try {
                long d = Long.parseLong(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
                if (d < 0 || d > Integer.MAX_VALUE) {
                    throw new InvalidInputException(source + " has invalid dimension " + d);
                }
                dims.add((int) d);
            } catch (NumberFormatException e) {
                throw new InvalidInputException(source + " has an invalid shape (" + tuple + ")");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    /** '<' little-endian, '|' single byte, '=' native (little-endian on every platform Infero runs on). */
    private static void checkLittleEndian(String descr, String source) {
        if (descr.startsWith(">")) {
            throw new InvalidInputException(source + " holds big-endian data ('" + descr + "'); save it little-endian, "
                    + "e.g. with numpy's astype('<" + descr.substring(1) + "')");
        }
        if (descr.length() < 3 || "<|=".indexOf(descr.charAt(0)) < 0) {
            throw new InvalidInputException(source + " has unsupported dtype '" + descr + "'");
        }
    }

    private static ElementType elementType(String code, String source) {
        return switch (code) {
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
            default -> throw new InvalidInputException(source + " has dtype '" + code + "'; supported are f2 f4 f8 i1 u1 "
                    + "i2 u2 i4 u4 i8 u8 b1");
        };
    }

    private static String descr(ElementType type) {
        return switch (type) {
            case F32 -> "<f4";
            case F64 -> "<f8";
            case F16 -> "<f2";
            case I8 -> "|i1";
            case U8 -> "|u1";
            case I16 -> "<i2";
            case U16 -> "<u2";
            case I32 -> "<i4";
            case U32 -> "<u4";
            case I64 -> "<i8";
            case U64 -> "<u8";
            case BOOLEAN -> "|b1";
            case BF16, F8E4M3, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F4E2M1, F8E8M0, I4, U4, I2, U2 ->
                    throw new InvalidInputException(type + " tensors have no .npy dtype; convert them to f32 first");
        };
    }

    /** Python's tuple spelling, as numpy writes it: {@code ()}, {@code (3,)}, {@code (2, 3)}. */
    private static String shapeTuple(int[] shape) {
        if (shape.length == 1) {
            return "(" + shape[0] + ",)";
        }
        StringBuilder sb = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        return sb.append(')').toString();
    }

}
