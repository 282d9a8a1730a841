package dev.infero.core.types;

import java.util.Locale;

/**
 * Element types of tensors, named as in OpenVINO IR ({@code f32}, {@code i64}, ...). Each type has one Java storage
 * class: floating types wider than 16 bits use {@code float[]}/{@code double[]}, 16-bit floats keep their raw bits in
 * {@code short[]}, integers use the Java array of their width (unsigned values are stored two's-complement), and
 * {@code boolean} uses one byte per element (0 or 1).
 */
public enum ElementType {
    F32("f32", "FP32", 32, Storage.FLOAT, true, true),
    F64("f64", "FP64", 64, Storage.DOUBLE, true, true),
    F16("f16", "FP16", 16, Storage.SHORT, true, true),
    BF16("bf16", "BF16", 16, Storage.SHORT, true, true),
    I8("i8", "I8", 8, Storage.BYTE, false, true),
    U8("u8", "U8", 8, Storage.BYTE, false, false),
    I16("i16", "I16", 16, Storage.SHORT, false, true),
    U16("u16", "U16", 16, Storage.SHORT, false, false),
    I32("i32", "I32", 32, Storage.INT, false, true),
    U32("u32", "U32", 32, Storage.INT, false, false),
    I64("i64", "I64", 64, Storage.LONG, false, true),
    U64("u64", "U64", 64, Storage.LONG, false, false),
    BOOLEAN("boolean", "BOOL", 8, Storage.BYTE, false, false),
    /** 8-bit float E4M3 without infinities (ONNX FLOAT8E4M3FN, OpenVINO f8e4m3); see {@link MiniFloat}. */
    F8E4M3("f8e4m3", "F8E4M3", 8, Storage.BYTE, true, true),
    /** 8-bit float E4M3 without infinities or negative zero (ONNX FLOAT8E4M3FNUZ). */
    F8E4M3FNUZ("f8e4m3fnuz", "F8E4M3FNUZ", 8, Storage.BYTE, true, true),
    /** 8-bit float E5M2 (ONNX FLOAT8E5M2, OpenVINO f8e5m2). */
    F8E5M2("f8e5m2", "F8E5M2", 8, Storage.BYTE, true, true),
    /** 8-bit float E5M2 without infinities or negative zero (ONNX FLOAT8E5M2FNUZ). */
    F8E5M2FNUZ("f8e5m2fnuz", "F8E5M2FNUZ", 8, Storage.BYTE, true, true),
    /** 4-bit float E2M1 (ONNX FLOAT4E2M1, OpenVINO f4e2m1), one value per byte in memory, packed in pairs in files. */
    F4E2M1("f4e2m1", "F4E2M1", 4, Storage.BYTE, true, true),
    /** 4-bit signed integer, one value per byte in memory, packed in pairs (low nibble first) in files. */
    I4("i4", "I4", 4, Storage.BYTE, false, true),
    /** 4-bit unsigned integer, one value per byte in memory, packed in pairs (low nibble first) in files. */
    U4("u4", "U4", 4, Storage.BYTE, false, false),
    /** 2-bit signed integer, one value per byte in memory, packed four to a byte (lowest bits first) in files. */
    I2("i2", "I2", 2, Storage.BYTE, false, true),
    /** 2-bit unsigned integer, one value per byte in memory, packed four to a byte (lowest bits first) in files. */
    U2("u2", "U2", 2, Storage.BYTE, false, false),
    /** 8-bit power-of-two scale (ONNX FLOAT8E8M0, OpenVINO f8e8m0, the OCP MX scale type); see {@link E8M0}. */
    F8E8M0("f8e8m0", "F8E8M0", 8, Storage.BYTE, true, false);

    /** The Java array class that holds a tensor's elements. */
    public enum Storage { FLOAT, DOUBLE, SHORT, BYTE, INT, LONG }

    private final String irName;
    private final String precision;
    private final int bits;
    private final Storage storage;
    private final boolean floating;
    private final boolean signed;

    ElementType(String irName, String precision, int bits, Storage storage, boolean floating, boolean signed) {
        this.irName = irName;
        this.precision = precision;
        this.bits = bits;
        this.storage = storage;
        this.floating = floating;
        this.signed = signed;
    }

    /** Lower-case name used in IR {@code element_type} attributes: {@code f32}, {@code i64}, {@code boolean}. */
    public String irName() {
        return irName;
    }

    /** Upper-case legacy name used in IR port {@code precision}: {@code FP32}, {@code I64}, {@code BOOL}. */
    public String precision() {
        return precision;
    }

    public int bits() {
        return bits;
    }

    /** Bytes one element takes in memory (4-bit types take a byte each; files pack them, see {@link #packedBytes}). */
    public int bytes() {
        return Math.max(1, bits / 8);
    }

    /** Bytes {@code count} elements take packed, as in ONNX raw data and IR {@code .bin} files. */
    public long packedBytes(long count) {
        return (count * bits + 7) / 8;
    }

    /** The 8- or 4-bit float format of this type, or {@code null} for other types. */
    public MiniFloat miniFloat() {
        return switch (this) {
            case F8E4M3 -> MiniFloat.E4M3FN;
            case F8E4M3FNUZ -> MiniFloat.E4M3FNUZ;
            case F8E5M2 -> MiniFloat.E5M2;
            case F8E5M2FNUZ -> MiniFloat.E5M2FNUZ;
            case F4E2M1 -> MiniFloat.E2M1;
            default -> null;
        };
    }

    public Storage storage() {
        return storage;
    }

    public boolean isFloating() {
        return floating;
    }

    public boolean isInteger() {
        return !floating && this != BOOLEAN;
    }

    public boolean isSigned() {
        return signed;
    }

    public static ElementType fromIrName(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        for (ElementType t : values()) {
            if (t.irName.equals(lower) || t.precision.equalsIgnoreCase(name)) {
                return t;
            }
        }
        if (lower.equals("bool")) {
            return BOOLEAN;
        }
        throw new IllegalArgumentException("unknown element type '" + name + "'");
    }

    @Override
    public String toString() {
        return irName;
    }

    /**
     * {@code type} when it is i32 or i64, the two element types an index output may have (ShapeOf, NonZero, TopK...);
     * otherwise an error naming the attribute: "{@code what} must be i32 or i64, not TYPE".
     */
    public static ElementType requireIndexType(String what, ElementType type) {
        if (type != I32 && type != I64) {
            throw new IllegalArgumentException(what + " must be i32 or i64, not " + type);
        }
        return type;
    }
}
