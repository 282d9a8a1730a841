package dev.infero.tflite;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Bounds checks of a {@code .tflite} flatbuffer before the generated accessors read it. flatbuffers-java trusts every
 * offset (a corrupt file throws {@link IndexOutOfBoundsException} from deep inside an accessor, or reads garbage as
 * a length), and its 2.0.8 runtime has no verifier, so this walks every table, vector and string the frontend reads,
 * as FlatBuffers' C++ {@code Verifier} does: a table's vtable and object lie inside the buffer, each field the schema
 * gives lies inside its object, and each vector's length times its element size stays inside the buffer. Errors name
 * the file and the element path ({@code subgraphs[0].tensors[12].shape}).
 */
final class FlatBufferVerifier {
    /** Nesting guard: TFLite tables nest a few levels deep; anything deeper is corrupt. */
    private static final int MAX_TABLES = 10_000_000;

    private final ByteBuffer bb;
    private final int size;
    private final String file;
    private int tables;

    FlatBufferVerifier(ByteBuffer bb, String file) {
        this.bb = bb.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.size = bb.limit();
        this.file = file;
    }

    InferoException error(String where, String what) {
        return new InvalidModelException(file + " is not a valid TensorFlow Lite model (corrupt or truncated flatbuffer): "
                + where + ": " + what);
    }

    /** Checks the table at {@code pos} (its vtable and object inside the buffer) and returns {@code pos}. */
    int table(int pos, String where) {
        if (++tables > MAX_TABLES) {
            throw error(where, "more tables than any model has");
        }
        if (pos < 0 || (pos & 3) != 0 || (long) pos + 4 > size) {
            throw error(where, "table offset " + pos + " is outside the " + size + "-byte file or misaligned");
        }
        long vtable = (long) pos - bb.getInt(pos);
        if (vtable < 0 || (vtable & 1) != 0 || vtable + 4 > size) {
            throw error(where, "vtable offset " + vtable + " is outside the file");
        }
        int vtLen = Short.toUnsignedInt(bb.getShort((int) vtable));
        int objLen = Short.toUnsignedInt(bb.getShort((int) vtable + 2));
        if (vtLen < 4 || (vtLen & 1) != 0 || vtable + vtLen > size) {
            throw error(where, "vtable of " + vtLen + " bytes does not fit the file");
        }
        if (objLen < 4 || (long) pos + objLen > size) {
            throw error(where, "table of " + objLen + " bytes at " + pos + " does not fit the file");
        }
        return pos;
    }

    /** Offset of field {@code index} (0-based, the schema's id) inside the table, or 0 when absent. */
    private int fieldOffset(int table, int index) {
        int vtable = table - bb.getInt(table);
        int vtLen = Short.toUnsignedInt(bb.getShort(vtable));
        int entry = 4 + 2 * index;
        return entry + 2 <= vtLen ? Short.toUnsignedInt(bb.getShort(vtable + entry)) : 0;
    }

    private int objectSize(int table) {
        int vtable = table - bb.getInt(table);
        return Short.toUnsignedInt(bb.getShort(vtable + 2));
    }

    /** Checks a scalar field of {@code bytes} bytes lies inside its table's object. */
    void scalar(int table, int index, int bytes, String where) {
        int off = fieldOffset(table, index);
        if (off != 0 && off + bytes > objectSize(table)) {
            throw error(where, "field at offset " + off + " runs past its " + objectSize(table) + "-byte table");
        }
    }

    /** The position an offset field points to, checked to be inside the buffer; -1 when the field is absent. */
    private int reference(int table, int index, String where) {
        int off = fieldOffset(table, index);
        if (off == 0) {
            return -1;
        }
        if (off + 4 > objectSize(table)) {
            throw error(where, "offset field runs past its table");
        }
        int at = table + off;
        long target = at + Integer.toUnsignedLong(bb.getInt(at));
        if (target + 4 > size) {
            throw error(where, "offset " + target + " is outside the " + size + "-byte file");
        }
        return (int) target;
    }

    /** A sub-table field: its checked position, or -1 when absent. */
    int subTable(int table, int index, String where) {
        int target = reference(table, index, where);
        return target < 0 ? -1 : table(target, where);
    }

    /** A vector field of {@code elementBytes}-byte elements: its length after checking it fits, or -1 when absent. */
    int vector(int table, int index, int elementBytes, String where) {
        int target = reference(table, index, where);
        if (target < 0) {
            return -1;
        }
        return vectorAt(target, elementBytes, where);
    }

    private int vectorAt(int target, int elementBytes, String where) {
        if ((target & 3) != 0) {
            throw error(where, "vector at " + target + " is misaligned");
        }
        long length = Integer.toUnsignedLong(bb.getInt(target));
        if (target + 4 + length * elementBytes > size) {
            throw error(where, "vector of " + length + " elements of " + elementBytes + " bytes at " + target
                    + " runs past the end of the " + size + "-byte file");
        }
        return (int) length;
    }

    /** A string field: checks its bytes and terminating zero lie inside the buffer. */
    void string(int table, int index, String where) {
        int target = reference(table, index, where);
        if (target >= 0) {
            int length = vectorAt(target, 1, where);
            if ((long) target + 4 + length + 1 > size) {
                throw error(where, "string runs past the end of the file");
            }
            try {
                java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .decode(bb.duplicate().position(target + 4).limit(target + 4 + length));
            } catch (java.nio.charset.CharacterCodingException e) {
                throw error(where, "string is not valid UTF-8");
            }
        }
    }

    /** A vector of tables: the checked position of each element (empty when the field is absent). */
    int[] tables(int table, int index, String where) {
        int length = vector(table, index, 4, where);
        if (length <= 0) {
            return new int[0];
        }
        int start = reference(table, index, where) + 4;
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            int at = start + 4 * i;
            long target = at + Integer.toUnsignedLong(bb.getInt(at));
            if (target + 4 > size) {
                throw error(where + "[" + i + "]", "offset " + target + " is outside the " + size + "-byte file");
            }
            out[i] = table((int) target, where + "[" + i + "]");
        }
        return out;
    }

    /** The root table of a size-unprefixed buffer. */
    int root() {
        if (size < 8) {
            throw error("header", "the file has " + size + " bytes, fewer than a flatbuffer's 8-byte header");
        }
        long root = Integer.toUnsignedLong(bb.getInt(0));
        if (root + 4 > size) {
            throw error("header", "root table offset " + root + " is outside the " + size + "-byte file");
        }
        return table((int) root, "model");
    }

    // ---- TFLite's schema, as far as the frontend reads it (field ids as in tflite_schema.fbs) ----

    /** Verifies the model: operator codes, subgraphs with tensors and operators, buffers. */
    void verifyModel() {
        int model = root();
        scalar(model, 0, 4, "model.version");
        int[] codes = tables(model, 1, "operator_codes");
        for (int i = 0; i < codes.length; i++) {
            String w = "operator_codes[" + i + "]";
            scalar(codes[i], 0, 1, w + ".deprecated_builtin_code");
            string(codes[i], 1, w + ".custom_code");
            scalar(codes[i], 2, 4, w + ".version");
            scalar(codes[i], 3, 4, w + ".builtin_code");
        }
        int[] subgraphs = tables(model, 2, "subgraphs");
        for (int s = 0; s < subgraphs.length; s++) {
            verifySubGraph(subgraphs[s], "subgraphs[" + s + "]");
        }
        string(model, 3, "description");
        int[] buffers = tables(model, 4, "buffers");
        for (int i = 0; i < buffers.length; i++) {
            String w = "buffers[" + i + "]";
            vector(buffers[i], 0, 1, w + ".data");
            scalar(buffers[i], 1, 8, w + ".offset");
            scalar(buffers[i], 2, 8, w + ".size");
        }
    }

    private void verifySubGraph(int sg, String w) {
        int[] tensors = tables(sg, 0, w + ".tensors");
        for (int t = 0; t < tensors.length; t++) {
            verifyTensor(tensors[t], w + ".tensors[" + t + "]");
        }
        vector(sg, 1, 4, w + ".inputs");
        vector(sg, 2, 4, w + ".outputs");
        int[] ops = tables(sg, 3, w + ".operators");
        for (int o = 0; o < ops.length; o++) {
            String ow = w + ".operators[" + o + "]";
            scalar(ops[o], 0, 4, ow + ".opcode_index");
            vector(ops[o], 1, 4, ow + ".inputs");
            vector(ops[o], 2, 4, ow + ".outputs");
            scalar(ops[o], 3, 1, ow + ".builtin_options_type");
            int options = subTable(ops[o], 4, ow + ".builtin_options");
            if (options >= 0) {
                verifyOptions(options, fieldOffset(ops[o], 3) == 0 ? 0
                        : Byte.toUnsignedInt(bb.get(ops[o] + fieldOffset(ops[o], 3))), ow + ".builtin_options");
            }
            vector(ops[o], 5, 1, ow + ".custom_options");
            scalar(ops[o], 6, 1, ow + ".custom_options_format");
            vector(ops[o], 7, 1, ow + ".mutating_variable_inputs");
            vector(ops[o], 8, 4, ow + ".intermediates");
        }
        string(sg, 4, w + ".name");
    }

    private void verifyTensor(int t, String w) {
        vector(t, 0, 4, w + ".shape");
        scalar(t, 1, 1, w + ".type");
        scalar(t, 2, 4, w + ".buffer");
        string(t, 3, w + ".name");
        int q = subTable(t, 4, w + ".quantization");
        if (q >= 0) {
            vector(q, 0, 4, w + ".quantization.min");
            vector(q, 1, 4, w + ".quantization.max");
            vector(q, 2, 4, w + ".quantization.scale");
            vector(q, 3, 8, w + ".quantization.zero_point");
            scalar(q, 4, 1, w + ".quantization.details_type");
            subTable(q, 5, w + ".quantization.details");
            scalar(q, 6, 4, w + ".quantization.quantized_dimension");
        }
        scalar(t, 5, 1, w + ".is_variable");
        subTable(t, 6, w + ".sparsity");
        vector(t, 7, 4, w + ".shape_signature");
        scalar(t, 8, 1, w + ".has_rank");
    }

    /**
     * Field sizes of each BuiltinOptions table the frontend reads, by union type (1 = bool/byte, 4 = int/float,
     * -4 = vector of ints); options the frontend does not read are checked as tables only.
     */
    private static int[] optionFields(int type) {
        return switch (type) {
            case 1 -> new int[] {1, 4, 4, 1, 4, 4, 1}; // Conv2DOptions
            case 2 -> new int[] {1, 4, 4, 4, 1, 4, 4}; // DepthwiseConv2DOptions
            case 5 -> new int[] {1, 4, 4, 4, 4, 1}; // Pool2DOptions
            case 8 -> new int[] {1, 1, 1, 1, 1}; // FullyConnectedOptions
            case 9, 75 -> new int[] {4}; // SoftmaxOptions, LeakyReluOptions
            case 10 -> new int[] {4, 1}; // ConcatenationOptions
            case 11, 28 -> new int[] {1, 1}; // AddOptions, SubOptions
            case 15 -> new int[] {4, 4, 1, 1}; // ResizeBilinearOptions
            case 74 -> new int[] {1, 1}; // ResizeNearestNeighborOptions
            case 17, 30 -> new int[] {-4}; // ReshapeOptions, SqueezeOptions
            case 19, 94, 35, 79 -> new int[] {4}; // SpaceToDepth, DepthToSpace, Split, SplitV
            case 21, 29 -> new int[] {1}; // MulOptions, DivOptions
            case 23 -> new int[] {4, 4}; // GatherOptions
            case 27 -> new int[] {1}; // ReducerOptions
            case 32 -> new int[] {4, 4, 4, 4, 4, 1}; // StridedSliceOptions
            case 37 -> new int[] {1, 1}; // CastOptions
            case 49 -> new int[] {1, 4, 4, 1, 1}; // TransposeConvOptions
            case 55, 77 -> new int[] {1}; // ShapeOptions, MirrorPadOptions
            case 59, 64 -> new int[] {4, 4}; // PackOptions, UnpackOptions
            default -> new int[0];
        };
    }

    private void verifyOptions(int table, int type, String w) {
        int[] fields = optionFields(type);
        for (int i = 0; i < fields.length; i++) {
            if (fields[i] < 0) {
                vector(table, i, -fields[i], w + ".field" + i);
            } else {
                scalar(table, i, fields[i], w + ".field" + i);
            }
        }
    }
}
