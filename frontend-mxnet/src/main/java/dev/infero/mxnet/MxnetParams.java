package dev.infero.mxnet;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.tensor.Tensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * MXNet's {@code .params} file: an NDArray list as {@code mx.nd.save} writes it (little-endian): the list magic
 * {@code 0x112}, a reserved word, the array count, each array, then the name count and the names ({@code arg:x} for
 * weights, {@code aux:x} for running statistics). Each array is the V2 ({@code 0xF993FAC9}) or V3 ({@code 0xF993FACA})
 * form (storage type, shape as ndim + int64 dims, context, type flag, raw data), the V1 form ({@code 0xF993FAC8}: no
 * storage type) or the legacy one (ndim then uint32 dims). Every count and size is checked against the bytes left
 * before anything is allocated.
 */
public final class MxnetParams {
    static final long LIST_MAGIC = 0x112;
    static final int V1_MAGIC = 0xF993FAC8;
    static final int V2_MAGIC = 0xF993FAC9;
    static final int V3_MAGIC = 0xF993FACA;
    private static final int MAX_RANK = 32;

    private MxnetParams() {
    }

    /** The tensors of {@code file} by name as stored (with their {@code arg:}/{@code aux:} prefix), f32. */
    public static Map<String, Tensor> read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new InvalidModelException("MXNet params " + file + " are " + size + " bytes; files over 2 GiB are not supported");
            }
            return read(ch.map(FileChannel.MapMode.READ_ONLY, 0, size), file.toString());
        } catch (NoSuchFileException e) {
            throw new InferoException("MXNet params " + file + " do not exist");
        } catch (IOException e) {
            throw new InferoException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses params bytes; {@code source} names them in errors. */
    public static Map<String, Tensor> read(ByteBuffer bytes, String source) {
        Reader r = new Reader(bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN), source);
        long magic = r.u64("the list header");
        if (magic != LIST_MAGIC) {
            throw new InvalidModelException("MXNet params " + source + " do not start with the NDArray list magic 0x112 (found 0x"
                    + Long.toHexString(magic) + "): not an MXNet .params file");
        }
        r.u64("the reserved word");
        long count = r.u64("the array count");
        // Every array takes at least 4 bytes (an empty legacy array: ndim 0).
        if (count < 0 || count > r.remaining() / 4) {
            throw new InvalidModelException("MXNet params " + source + " declare " + Long.toUnsignedString(count)
                    + " arrays, more than its " + r.remaining() + " remaining bytes can hold");
        }
        List<Tensor> arrays = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            arrays.add(readArray(r, i));
        }
        long names = r.u64("the name count");
        if (names != count && names != 0) {
            throw new InvalidModelException("MXNet params " + source + " hold " + count + " arrays but " + Long.toUnsignedString(names)
                    + " names");
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < names; i++) {
            long len = r.u64("the length of name " + i);
            if (len < 0 || len > r.remaining()) {
                throw new InvalidModelException("MXNet params " + source + ": name " + i + " is " + Long.toUnsignedString(len)
                        + " bytes long, past the end of the file");
            }
            byte[] b = new byte[(int) len];
            r.buf.get(b);
            out.put(new String(b, StandardCharsets.UTF_8), arrays.get(i));
        }
        if (names == 0) {
            for (int i = 0; i < count; i++) {
                out.put(String.valueOf(i), arrays.get(i));
            }
        }
        return out;
    }

    private static Tensor readArray(Reader r, int index) {
        String what = "array " + index;
        int magic = r.i32(what + "'s header");
        int[] shape;
        if (magic == V2_MAGIC || magic == V3_MAGIC) {
            int stype = r.i32(what + "'s storage type");
            if (stype != 0) {
                throw new InvalidModelException("MXNet params " + r.source + ": " + what + " is stored sparse (storage type "
                        + stype + "), which Infero does not read");
            }
            shape = r.shape64(what, magic == V3_MAGIC);
            if (magic == V3_MAGIC && shape != null && shape.length == 0) {
                shape = new int[] {1}; // numpy semantics: rank 0 is a scalar, not an empty array
            }
        } else if (magic == V1_MAGIC) {
            shape = r.shape64(what, false);
        } else {
            // Legacy arrays start with ndim, then uint32 dimensions.
            if (magic < 0 || magic > MAX_RANK) {
                throw new InvalidModelException("MXNet params " + r.source + ": " + what + " has a corrupt header (0x"
                        + Integer.toHexString(magic) + " is neither an NDArray magic nor a rank)");
            }
            shape = new int[magic];
            for (int d = 0; d < magic; d++) {
                long v = r.i32(what + "'s dimension " + d) & 0xFFFFFFFFL;
                if (v > Integer.MAX_VALUE) {
                    throw new InvalidModelException("MXNet params " + r.source + ": " + what + " has dimension " + v + ", too large");
                }
                shape[d] = (int) v;
            }
        }
        if (shape == null || shape.length == 0) {
            return null;
        }
        int devType = r.i32(what + "'s context");
        r.i32(what + "'s device id");
        if (devType < 1 || devType > 6) {
            throw new InvalidModelException("MXNet params " + r.source + ": " + what + " has a corrupt context (device type "
                    + devType + ")");
        }
        int type = r.i32(what + "'s type flag");
        int width = switch (type) {
            case 0, 4 -> 4;   // float32, int32
            case 1, 6 -> 8;   // float64, int64
            case 2 -> 2;      // float16
            case 3, 5, 7 -> 1; // uint8, int8, bool
            default -> throw new InvalidModelException("MXNet params " + r.source + ": " + what + " has unknown type flag " + type);
        };
        long elements = 1;
        for (int d : shape) {
            elements *= d;
            if (elements * width > r.remaining()) {
                throw new InvalidModelException("MXNet params " + r.source + ": " + what + " of shape " + Arrays.toString(shape)
                        + " needs more bytes than the " + r.remaining() + " left in the file (truncated?)");
            }
        }
        int n = (int) elements;
        float[] data = new float[n];
        ByteBuffer b = r.buf;
        for (int i = 0; i < n; i++) {
            data[i] = switch (type) {
                case 0 -> b.getFloat();
                case 1 -> (float) b.getDouble();
                case 2 -> Float.float16ToFloat(b.getShort());
                case 3 -> b.get() & 0xFF;
                case 4 -> b.getInt();
                case 5 -> b.get();
                case 6 -> b.getLong();
                default -> b.get() != 0 ? 1 : 0;
            };
        }
        return Tensor.of(data, shape);
    }

    /** Bounds-checked little-endian reads naming what is read. */
    private static final class Reader {
        final ByteBuffer buf;
        final String source;

        Reader(ByteBuffer buf, String source) {
            this.buf = buf;
            this.source = source;
        }

        long remaining() {
            return buf.remaining();
        }

        private void need(int n, String what) {
            if (buf.remaining() < n) {
                throw new InvalidModelException("MXNet params " + source + " are truncated: the file ends in " + what);
            }
        }

        long u64(String what) {
            need(8, what);
            return buf.getLong();
        }

        int i32(String what) {
            need(4, what);
            return buf.getInt();
        }

        /** ndim (uint32; int32 with -1 = unknown in V3) then int64 dims; null for an unknown shape. */
        int[] shape64(String what, boolean v3) {
            int ndim = i32(what + "'s rank");
            if (v3 && ndim == -1) {
                return null;
            }
            if (ndim < 0 || ndim > MAX_RANK) {
                throw new InvalidModelException("MXNet params " + source + ": " + what + " has a corrupt rank " + (ndim & 0xFFFFFFFFL));
            }
            int[] shape = new int[ndim];
            for (int d = 0; d < ndim; d++) {
                long v = u64(what + "'s dimension " + d);
                if (v < 0 || v > Integer.MAX_VALUE) {
                    throw new InvalidModelException("MXNet params " + source + ": " + what + " has a corrupt dimension " + v);
                }
                shape[d] = (int) v;
            }
            return shape;
        }
    }
}
