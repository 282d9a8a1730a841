package dev.infero.cpu.jit;

import dev.infero.cpu.jit.Asm.Gp;
import dev.infero.cpu.jit.Asm.Mask;
import dev.infero.cpu.jit.Asm.Mem;
import dev.infero.cpu.jit.Asm.Operand;
import dev.infero.cpu.jit.Asm.Vec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An x86-64 assembler for the instructions Infero's generated kernels use: general-purpose (64-bit operands unless
 * the method name ends in {@code 32}), VEX (AVX, AVX2, FMA3, AVX-VNNI) and EVEX (AVX-512F/BW/VL/DQ, AVX512_VNNI,
 * opmasks with merge or zero masking, embedded broadcast, compressed disp8*N displacements). Operand order is Intel's
 * (destination first), operands come from {@link Asm}. Vector instructions whose operands all fit VEX (no zmm, no
 * register above 15, no mask, no broadcast) are VEX-encoded, as GNU {@code as} does; the rest EVEX. The encodings are
 * checked against GNU {@code as} by the golden-byte test ({@code scripts/jit-golden.sh}).
 *
 * <p>Labels: {@link #newLabel()}, {@link #bind(Label)}, jumps to a label before or after its binding; backward jumps
 * take the short form when the distance allows, forward ones the 32-bit form. {@link #code()} resolves them. Not
 * thread-safe; one assembler per generated function.
 */
public final class Assembler {
    /** Condition codes of {@code jcc}. */
    public enum Cond {
        O(0), NO(1), B(2), AE(3), E(4), NE(5), BE(6), A(7), S(8), NS(9), P(10), NP(11), L(12), GE(13), LE(14), G(15);

        final int code;

        Cond(int code) {
            this.code = code;
        }
    }

    /** A position in the code, bound once; jumps may refer to it before it is bound. */
    public static final class Label {
        private int pos = -1;

        public boolean isBound() {
            return pos >= 0;
        }

        /** Offset of the bound label in the code. */
        public int position() {
            return pos;
        }
    }

    private record Fixup(Label label, int field, int end) {
    }

    /** Predicates of {@code vcmpps}. */
    public static final int CMP_EQ_OQ = 0, CMP_LT_OS = 1, CMP_LE_OS = 2, CMP_NEQ_UQ = 4, CMP_NLT_US = 5,
            CMP_NLE_US = 6, CMP_GT_OS = 14, CMP_GE_OS = 13, CMP_UNORD_Q = 3, CMP_ORD_Q = 7;

    private static final int PP_NONE = 0, PP_66 = 1, PP_F3 = 2, PP_F2 = 3;
    private static final int MAP_0F = 1, MAP_0F38 = 2, MAP_0F3A = 3;

    private byte[] buf = new byte[256];
    private int size;
    private final List<Fixup> fixups = new ArrayList<>();

    /** Bytes emitted so far. */
    public int size() {
        return size;
    }

    /** The machine code, every jump resolved. Throws if a label a jump refers to was never bound. */
    public byte[] code() {
        for (Fixup f : fixups) {
            if (!f.label.isBound()) {
                throw new IllegalStateException("jump to a label that was never bound");
            }
            int rel = f.label.pos - f.end;
            buf[f.field] = (byte) rel;
            buf[f.field + 1] = (byte) (rel >> 8);
            buf[f.field + 2] = (byte) (rel >> 16);
            buf[f.field + 3] = (byte) (rel >> 24);
        }
        return Arrays.copyOf(buf, size);
    }

    // ---------------------------------------------------------------- raw bytes

    /** Appends one byte. */
    public void db(int b) {
        if (size == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        buf[size++] = (byte) b;
    }

    private void d32(int v) {
        db(v);
        db(v >> 8);
        db(v >> 16);
        db(v >> 24);
    }

    private static boolean fits8(long v) {
        return v >= -128 && v <= 127;
    }

    private static boolean fits32(long v) {
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE;
    }

    // ---------------------------------------------------------------- ModRM / SIB

    private static int rmExt(Operand rm) {
        return switch (rm) {
            case Gp g -> g.id() >> 3 & 1;
            case Vec v -> v.id() >> 3 & 1;
            case Mem m -> m.base().id() >> 3 & 1;
        };
    }

    private static int indexExt(Operand rm) {
        return switch (rm) {
            case Gp g -> 0;
            case Vec v -> v.id() >> 4 & 1;
            case Mem m -> m.index() == null ? 0 : m.index().id() >> 3 & 1;
        };
    }

    /** ModRM (+ SIB + displacement) for {@code reg} and {@code rm}; {@code n}: disp8 scale (1 except EVEX). */
    private void modrm(int reg, Operand rm, int n) {
        if (!(rm instanceof Mem m)) {
            int id = rm instanceof Gp g ? g.id() : ((Vec) rm).id();
            db(0xC0 | (reg & 7) << 3 | (id & 7));
            return;
        }
        int base = m.base().id() & 7;
        int disp = m.disp();
        int mod;
        if (disp == 0 && base != 5) {
            mod = 0;
        } else if (disp % n == 0 && fits8(disp / n)) {
            mod = 1;
        } else {
            mod = 2;
        }
        if (m.index() != null || base == 4) {
            db(mod << 6 | (reg & 7) << 3 | 4);
            int idx = m.index() == null ? 4 : m.index().id() & 7;
            int ss = Integer.numberOfTrailingZeros(m.scale());
            db(ss << 6 | idx << 3 | base);
        } else {
            db(mod << 6 | (reg & 7) << 3 | base);
        }
        if (mod == 1) {
            db(disp / n);
        } else if (mod == 2) {
            d32(disp);
        }
    }

    // ---------------------------------------------------------------- general purpose

    /** REX prefix (when needed or {@code w}), opcode bytes, ModRM for a register {@code reg} and r/m {@code rm}. */
    private void legacy(boolean w, int reg, Operand rm, int... opcode) {
        int rex = (w ? 8 : 0) | (reg >> 3 & 1) << 2 | indexExt(rm) << 1 | rmExt(rm);
        if (rm instanceof Mem m && m.index() != null) {
            rex = (rex & ~2) | (m.index().id() >> 3 & 1) << 1;
        }
        if (rex != 0) {
            db(0x40 | rex);
        }
        for (int op : opcode) {
            db(op);
        }
        modrm(reg, rm, 1);
    }

    public void mov(Gp dst, Gp src) {
        legacy(true, src.id(), dst, 0x89);
    }

    /** {@code mov dst, imm}: the sign-extended 32-bit form when it fits, else {@code movabs}. */
    public void mov(Gp dst, long imm) {
        if (fits32(imm)) {
            legacy(true, 0, dst, 0xC7);
            d32((int) imm);
        } else {
            db(0x48 | dst.id() >> 3);
            db(0xB8 | dst.id() & 7);
            d32((int) imm);
            d32((int) (imm >>> 32));
        }
    }

    /** 64-bit load. */
    public void mov(Gp dst, Mem src) {
        legacy(true, dst.id(), src, 0x8B);
    }

    /** 64-bit store. */
    public void mov(Mem dst, Gp src) {
        legacy(true, src.id(), dst, 0x89);
    }

    /** 32-bit load ({@code mov r32, DWORD PTR [..]}, zero-extending into the whole register). */
    public void mov32(Gp dst, Mem src) {
        legacy(false, dst.id(), src, 0x8B);
    }

    /** 32-bit store of the low half of {@code src}. */
    public void mov32(Mem dst, Gp src) {
        legacy(false, src.id(), dst, 0x89);
    }

    /** {@code mov r32, imm32} (zero-extends). */
    public void mov32(Gp dst, int imm) {
        if ((dst.id() & 8) != 0) {
            db(0x41);
        }
        db(0xB8 | dst.id() & 7);
        d32(imm);
    }

    /** {@code mov r32, r32} (zero-extends). */
    public void mov32(Gp dst, Gp src) {
        legacy(false, src.id(), dst, 0x89);
    }

    private void alu(int ext, int regOp, Gp dst, Operand src) {
        if (src instanceof Gp s) {
            legacy(true, s.id(), dst, regOp);
        } else {
            legacy(true, dst.id(), src, regOp + 2);
        }
    }

    private void aluImm(int ext, Gp dst, int imm) {
        if (fits8(imm)) {
            legacy(true, ext, dst, 0x83);
            db(imm);
        } else if (dst.id() == 0) {
            db(0x48);
            db(ext << 3 | 5);
            d32(imm);
        } else {
            legacy(true, ext, dst, 0x81);
            d32(imm);
        }
    }

    /** {@code add dst, src} (register or memory). */
    public void add(Gp dst, Operand src) {
        alu(0, 0x01, dst, src);
    }

    public void add(Gp dst, int imm) {
        aluImm(0, dst, imm);
    }

    public void or(Gp dst, Operand src) {
        alu(1, 0x09, dst, src);
    }

    public void and(Gp dst, Operand src) {
        alu(4, 0x21, dst, src);
    }

    public void and(Gp dst, int imm) {
        aluImm(4, dst, imm);
    }

    public void sub(Gp dst, Operand src) {
        alu(5, 0x29, dst, src);
    }

    public void sub(Gp dst, int imm) {
        aluImm(5, dst, imm);
    }

    public void xor(Gp dst, Operand src) {
        alu(6, 0x31, dst, src);
    }

    /** {@code xor r32, r32}: the usual way to zero a register. */
    public void xor32(Gp dst, Gp src) {
        legacy(false, src.id(), dst, 0x31);
    }

    public void cmp(Gp dst, Operand src) {
        alu(7, 0x39, dst, src);
    }

    public void cmp(Gp dst, int imm) {
        aluImm(7, dst, imm);
    }

    public void test(Gp a, Gp b) {
        legacy(true, b.id(), a, 0x85);
    }

    /** {@code imul dst, src} (register or memory). */
    public void imul(Gp dst, Operand src) {
        legacy(true, dst.id(), src, 0x0F, 0xAF);
    }

    /** {@code imul dst, src, imm}. */
    public void imul(Gp dst, Operand src, int imm) {
        if (fits8(imm)) {
            legacy(true, dst.id(), src, 0x6B);
            db(imm);
        } else {
            legacy(true, dst.id(), src, 0x69);
            d32(imm);
        }
    }

    public void lea(Gp dst, Mem src) {
        legacy(true, dst.id(), src, 0x8D);
    }

    /**
     * Moves each float pointer of {@code pointers} on by {@code index} elements ({@code lea p, [p + index·4]}): an
     * array argument and its element offset made one address, as the kernels' prologues do.
     */
    public void offsetFloats(Gp index, Gp... pointers) {
        for (Gp p : pointers) {
            lea(p, Asm.mem(p, index, 4, 0));
        }
    }

    /** As above with the element offset read from {@code index} (a stack argument) into {@code tmp} first. */
    public void offsetFloats(Mem index, Gp tmp, Gp... pointers) {
        mov(tmp, index);
        offsetFloats(tmp, pointers);
    }

    public void inc(Gp r) {
        legacy(true, 0, r, 0xFF);
    }

    public void dec(Gp r) {
        legacy(true, 1, r, 0xFF);
    }

    public void neg(Gp r) {
        legacy(true, 3, r, 0xF7);
    }

    public void shl(Gp r, int bits) {
        legacy(true, 4, r, 0xC1);
        db(bits);
    }

    public void shr(Gp r, int bits) {
        legacy(true, 5, r, 0xC1);
        db(bits);
    }

    public void sar(Gp r, int bits) {
        legacy(true, 7, r, 0xC1);
        db(bits);
    }

    public void push(Gp r) {
        if (r.ext()) {
            db(0x41);
        }
        db(0x50 | r.id() & 7);
    }

    public void pop(Gp r) {
        if (r.ext()) {
            db(0x41);
        }
        db(0x58 | r.id() & 7);
    }

    public void ret() {
        db(0xC3);
    }

    public void nop() {
        db(0x90);
    }

    public void cpuid() {
        db(0x0F);
        db(0xA2);
    }

    /** {@code xgetbv}: reads XCR[ecx] into edx:eax. */
    public void xgetbv() {
        db(0x0F);
        db(0x01);
        db(0xD0);
    }

    /** Clears the upper halves of the vector registers: due before returning to code that may use SSE. */
    public void vzeroupper() {
        db(0xC5);
        db(0xF8);
        db(0x77);
    }

    /** Pads with {@code nop}s to a multiple of {@code alignment} bytes (loop heads). */
    public void align(int alignment) {
        while (size % alignment != 0) {
            nop();
        }
    }

    // ---------------------------------------------------------------- labels and jumps

    public Label newLabel() {
        return new Label();
    }

    /** Binds {@code label} to the current position. */
    public void bind(Label label) {
        if (label.isBound()) {
            throw new IllegalStateException("label bound twice");
        }
        label.pos = size;
    }

    public void jcc(Cond cond, Label target) {
        if (target.isBound() && fits8(target.pos - (size + 2))) {
            db(0x70 | cond.code);
            db(target.pos - (size + 1));
            return;
        }
        db(0x0F);
        db(0x80 | cond.code);
        rel32(target);
    }

    public void jmp(Label target) {
        if (target.isBound() && fits8(target.pos - (size + 2))) {
            db(0xEB);
            db(target.pos - (size + 1));
            return;
        }
        db(0xE9);
        rel32(target);
    }

    private void rel32(Label target) {
        int field = size;
        d32(0);
        if (target.isBound()) {
            int rel = target.pos - size;
            buf[field] = (byte) rel;
            buf[field + 1] = (byte) (rel >> 8);
            buf[field + 2] = (byte) (rel >> 16);
            buf[field + 3] = (byte) (rel >> 24);
        } else {
            fixups.add(new Fixup(target, field, size));
        }
    }

    // ---------------------------------------------------------------- VEX / EVEX

    /** Whether this instruction needs EVEX: zmm, a register above 15, a mask, zeroing or a broadcast. */
    private static boolean needsEvex(Vec dst, Vec src1, Operand rm) {
        boolean evex = dst != null && (dst.bits() == 512 || dst.id() >= 16 || dst.mask() != 0 || dst.zeroing());
        evex |= src1 != null && (src1.bits() == 512 || src1.id() >= 16);
        evex |= rm instanceof Vec v && (v.bits() == 512 || v.id() >= 16);
        evex |= rm instanceof Mem m && (m.broadcast() || m.mask() != 0);
        return evex;
    }

    private static int ll(int bits) {
        return bits == 512 ? 2 : bits == 256 ? 1 : 0;
    }

    /**
     * A VEX-encoded instruction: {@code reg} in ModRM.reg, {@code vvvv} the extra source (0 when unused), {@code rm}
     * the r/m operand, {@code l} the vector length bit.
     */
    void vex(int pp, int map, boolean w, int l, int reg, int vvvv, Operand rm, int opcode) {
        int r = reg >> 3 & 1;
        int x = rm instanceof Mem m && m.index() != null ? m.index().id() >> 3 & 1 : 0;
        int b = rmExt(rm);
        if (rm instanceof Vec v && v.id() >= 16 || reg >= 16 || vvvv >= 16) {
            throw new IllegalArgumentException("VEX cannot encode registers above 15");
        }
        if (map == MAP_0F && !w && x == 0 && b == 0) {
            db(0xC5);
            db((r ^ 1) << 7 | (~vvvv & 15) << 3 | l << 2 | pp);
        } else {
            db(0xC4);
            db((r ^ 1) << 7 | (x ^ 1) << 6 | (b ^ 1) << 5 | map);
            db((w ? 1 : 0) << 7 | (~vvvv & 15) << 3 | l << 2 | pp);
        }
        db(opcode);
        modrm(reg, rm, 1);
    }

    /**
     * An EVEX-encoded instruction. {@code n}: the disp8 scale of a memory operand (its tuple type's N for this vector
     * length and broadcast), {@code aaa} the opmask, {@code z} zeroing.
     */
    void evex(int pp, int map, boolean w, int bits, int reg, int vvvv, Operand rm, int opcode, int aaa, boolean z,
              int n) {
        boolean bcst = rm instanceof Mem m && m.broadcast();
        int r = reg >> 3 & 1;
        int r2 = reg >> 4 & 1;
        int x = indexExt(rm);
        int b = rmExt(rm);
        db(0x62);
        db((r ^ 1) << 7 | (x ^ 1) << 6 | (b ^ 1) << 5 | (r2 ^ 1) << 4 | map);
        db((w ? 1 : 0) << 7 | (~vvvv & 15) << 3 | 4 | pp);
        db((z ? 1 : 0) << 7 | ll(bits) << 5 | (bcst ? 1 : 0) << 4 | ((vvvv >> 4 & 1) ^ 1) << 3 | aaa);
        db(opcode);
        modrm(reg, rm, n);
    }

    /** Full-vector tuple (FV): disp8 scale is the vector length, or the element size with a broadcast. */
    private static int fullN(int bits, Operand rm, int elementBytes) {
        return rm instanceof Mem m && m.broadcast() ? elementBytes : bits / 8;
    }

    /**
     * A three-operand vector instruction {@code dst = op(src1, rm)} on packed 32-bit elements: VEX when the
     * operands allow, EVEX otherwise (or always with {@code evexOnly}).
     */
    private void v3(int pp, int map, boolean w, int opcode, Vec dst, Vec src1, Operand rm, boolean evexOnly,
                    int elementBytes) {
        int s1 = src1 == null ? 0 : src1.id();
        checkWidth(dst, src1, rm);
        if (evexOnly || needsEvex(dst, src1, rm)) {
            evex(pp, map, w, dst.bits(), dst.id(), s1, rm, opcode, dst.mask(), dst.zeroing(),
                    fullN(dst.bits(), rm, elementBytes));
        } else {
            vex(pp, map, w, dst.bits() == 256 ? 1 : 0, dst.id(), s1, rm, opcode);
        }
    }

    private static void checkWidth(Vec dst, Vec src1, Operand rm) {
        if (src1 != null && src1.bits() != dst.bits() || rm instanceof Vec v && v.bits() != dst.bits()) {
            throw new IllegalArgumentException("operands of different widths: " + dst.name());
        }
    }

    // ---------------------------------------------------------------- moves and broadcasts

    /** Load (or register copy): {@code dst{k}{z} = src}. */
    public void vmovups(Vec dst, Operand src) {
        if (src instanceof Vec v && !needsEvex(dst, null, v) && v.id() >= 8 && dst.id() < 8) {
            // As GNU as: the store form keeps the short 2-byte VEX prefix.
            vex(PP_NONE, MAP_0F, false, dst.bits() == 256 ? 1 : 0, v.id(), 0, dst, 0x11);
            return;
        }
        v3(PP_NONE, MAP_0F, false, 0x10, dst, null, src, false, 4);
    }

    /** Store {@code src} to {@code dst} (under {@code dst}'s opmask, if any). */
    public void vmovups(Mem dst, Vec src) {
        if (dst.mask() != 0 || needsEvex(src, null, dst)) {
            evex(PP_NONE, MAP_0F, false, src.bits(), src.id(), 0, dst, 0x11, dst.mask(), false, src.bits() / 8);
        } else {
            vex(PP_NONE, MAP_0F, false, src.bits() == 256 ? 1 : 0, src.id(), 0, dst, 0x11);
        }
    }

    /** Masked load of 32-bit elements as integers (EVEX), {@code vmovdqu32}. */
    public void vmovdqu32(Vec dst, Operand src) {
        evex(PP_F3, MAP_0F, false, dst.bits(), dst.id(), 0, src, 0x6F, dst.mask(), dst.zeroing(), dst.bits() / 8);
    }

    /** Store of 32-bit elements, {@code vmovdqu32} (under {@code dst}'s opmask, if any). */
    public void vmovdqu32(Mem dst, Vec src) {
        evex(PP_F3, MAP_0F, false, src.bits(), src.id(), 0, dst, 0x7F, dst.mask(), false, src.bits() / 8);
    }

    /** Byte-granular load, {@code vmovdqu8} (AVX-512BW; masks select bytes). */
    public void vmovdqu8(Vec dst, Operand src) {
        evex(PP_F2, MAP_0F, false, dst.bits(), dst.id(), 0, src, 0x6F, dst.mask(), dst.zeroing(), dst.bits() / 8);
    }

    /** Byte-granular store, {@code vmovdqu8} (under {@code dst}'s opmask, if any). */
    public void vmovdqu8(Mem dst, Vec src) {
        evex(PP_F2, MAP_0F, false, src.bits(), src.id(), 0, dst, 0x7F, dst.mask(), false, src.bits() / 8);
    }

    /** Broadcast of one float from memory or from lane 0 of an xmm register. */
    public void vbroadcastss(Vec dst, Operand src) {
        if (src instanceof Vec v && v.bits() != 128) {
            throw new IllegalArgumentException("vbroadcastss reads an xmm register");
        }
        if (needsEvex(dst, null, src instanceof Vec v ? Asm.xmm(v.id()) : src)) {
            evex(PP_66, MAP_0F38, false, dst.bits(), dst.id(), 0, src, 0x18, dst.mask(), dst.zeroing(), 4);
        } else {
            vex(PP_66, MAP_0F38, false, dst.bits() == 256 ? 1 : 0, dst.id(), 0, src, 0x18);
        }
    }

    /** Broadcast of one 32-bit integer from memory or from lane 0 of an xmm register. */
    public void vpbroadcastd(Vec dst, Operand src) {
        if (src instanceof Gp g) {
            evex(PP_66, MAP_0F38, false, dst.bits(), dst.id(), 0, g, 0x7C, dst.mask(), dst.zeroing(), 4);
            return;
        }
        if (needsEvex(dst, null, src instanceof Vec v ? Asm.xmm(v.id()) : src)) {
            evex(PP_66, MAP_0F38, false, dst.bits(), dst.id(), 0, src, 0x58, dst.mask(), dst.zeroing(), 4);
        } else {
            vex(PP_66, MAP_0F38, false, dst.bits() == 256 ? 1 : 0, dst.id(), 0, src, 0x58);
        }
    }

    // ---------------------------------------------------------------- float arithmetic

    /** {@code dst += src1 * src2} (fused). */
    public void vfmadd231ps(Vec dst, Vec src1, Operand src2) {
        v3(PP_66, MAP_0F38, false, 0xB8, dst, src1, src2, false, 4);
    }

    /** {@code dst = dst * src1 + src2} (fused). */
    public void vfmadd213ps(Vec dst, Vec src1, Operand src2) {
        v3(PP_66, MAP_0F38, false, 0xA8, dst, src1, src2, false, 4);
    }

    public void vaddps(Vec dst, Vec src1, Operand src2) {
        v3(PP_NONE, MAP_0F, false, 0x58, dst, src1, src2, false, 4);
    }

    public void vsubps(Vec dst, Vec src1, Operand src2) {
        v3(PP_NONE, MAP_0F, false, 0x5C, dst, src1, src2, false, 4);
    }

    public void vmulps(Vec dst, Vec src1, Operand src2) {
        v3(PP_NONE, MAP_0F, false, 0x59, dst, src1, src2, false, 4);
    }

    public void vdivps(Vec dst, Vec src1, Operand src2) {
        v3(PP_NONE, MAP_0F, false, 0x5E, dst, src1, src2, false, 4);
    }

    public void vmaxps(Vec dst, Vec src1, Operand src2) {
        v3(PP_NONE, MAP_0F, false, 0x5F, dst, src1, src2, false, 4);
    }

    public void vminps(Vec dst, Vec src1, Operand src2) {
        v3(PP_NONE, MAP_0F, false, 0x5D, dst, src1, src2, false, 4);
    }

    /** Bitwise xor of floats (EVEX form needs AVX-512DQ; {@link #vpxord} is the AVX-512F equivalent). */
    public void vxorps(Vec dst, Vec src1, Operand src2) {
        v3(PP_NONE, MAP_0F, false, 0x57, dst, src1, src2, false, 4);
    }

    /** AVX/AVX2 integer xor (VEX only). */
    public void vpxor(Vec dst, Vec src1, Operand src2) {
        vex(PP_66, MAP_0F, false, dst.bits() == 256 ? 1 : 0, dst.id(), src1.id(), src2, 0xEF);
    }

    /** AVX-512F xor of 32-bit elements (EVEX only). */
    public void vpxord(Vec dst, Vec src1, Operand src2) {
        v3(PP_66, MAP_0F, false, 0xEF, dst, src1, src2, true, 4);
    }

    /**
     * AVX-512 compare into an opmask: bit i of {@code dst} is {@code src1[i] pred src2[i]} (see the {@code CMP_}
     * constants).
     */
    public void vcmpps(Mask dst, Vec src1, Operand src2, int predicate) {
        evex(PP_NONE, MAP_0F, false, src1.bits(), dst.id(), src1.id(), src2, 0xC2, 0, false,
                fullN(src1.bits(), src2, 4));
        db(predicate);
    }

    /** AVX compare into a vector of all-ones / all-zeros lanes. */
    public void vcmpps(Vec dst, Vec src1, Operand src2, int predicate) {
        vex(PP_NONE, MAP_0F, false, dst.bits() == 256 ? 1 : 0, dst.id(), src1.id(), src2, 0xC2);
        db(predicate);
    }

    /** AVX {@code dst = mask lane sign set ? src2 : src1}. */
    public void vblendvps(Vec dst, Vec src1, Operand src2, Vec mask) {
        vex(PP_66, MAP_0F3A, false, dst.bits() == 256 ? 1 : 0, dst.id(), src1.id(), src2, 0x4A);
        db(mask.id() << 4);
    }

    /** AVX masked load: lanes whose {@code mask} sign bit is clear read as zero (and fault-free). */
    public void vmaskmovps(Vec dst, Vec mask, Mem src) {
        vex(PP_66, MAP_0F38, false, dst.bits() == 256 ? 1 : 0, dst.id(), mask.id(), src, 0x2C);
    }

    /** AVX masked store of the lanes whose {@code mask} sign bit is set. */
    public void vmaskmovps(Mem dst, Vec mask, Vec src) {
        vex(PP_66, MAP_0F38, false, src.bits() == 256 ? 1 : 0, src.id(), mask.id(), dst, 0x2E);
    }

    /**
     * AVX-512 two-table permute: lane i of {@code dst} becomes lane {@code idx[i] mod 2N} of the concatenation
     * {@code dst : table2} (N lanes each; {@code dst} is the first table and is overwritten).
     */
    public void vpermt2ps(Vec dst, Vec idx, Operand table2) {
        v3(PP_66, MAP_0F38, false, 0x7F, dst, idx, table2, true, 4);
    }

    /** AVX {@code vshufps}: per 128-bit lane, two floats of {@code src1} then two of {@code src2}, chosen by {@code imm}. */
    public void vshufps(Vec dst, Vec src1, Operand src2, int imm) {
        vex(PP_NONE, MAP_0F, false, dst.bits() == 256 ? 1 : 0, dst.id(), src1.id(), src2, 0xC6);
        db(imm);
    }

    /** AVX2 {@code vpermpd ymm, ymm/m256, imm}: the four 64-bit lanes of {@code src} in the order {@code imm} gives. */
    public void vpermpd(Vec dst, Operand src, int imm) {
        vex(PP_66, MAP_0F3A, true, 1, dst.id(), 0, src, 0x01);
        db(imm);
    }

    // ---------------------------------------------------------------- integer (INT8 kernels)

    /** Shift of each 32-bit lane of {@code src} left by {@code imm} bits into {@code dst}. */
    public void vpslld(Vec dst, Vec src, int imm) {
        if (needsEvex(dst, null, src)) {
            evex(PP_66, MAP_0F, false, dst.bits(), 6, dst.id(), src, 0x72, dst.mask(), dst.zeroing(), dst.bits() / 8);
        } else {
            vex(PP_66, MAP_0F, false, dst.bits() == 256 ? 1 : 0, 6, dst.id(), src, 0x72);
        }
        db(imm);
    }

    public void vpaddd(Vec dst, Vec src1, Operand src2) {
        v3(PP_66, MAP_0F, false, 0xFE, dst, src1, src2, false, 4);
    }

    /** Signed 32-bit maximum per lane (ReLU on float bits: a clear sign bit wins over 0). */
    public void vpmaxsd(Vec dst, Vec src1, Operand src2) {
        v3(PP_66, MAP_0F38, false, 0x3D, dst, src1, src2, false, 4);
    }

    /** Signed 32-bit minimum per lane. */
    public void vpminsd(Vec dst, Vec src1, Operand src2) {
        v3(PP_66, MAP_0F38, false, 0x39, dst, src1, src2, false, 4);
    }

    /** AVX512_VNNI: {@code dst.i32 += Σ4 u8(src1) · s8(src2)} (always EVEX; see {@link #vpdpbusdVex}). */
    public void vpdpbusd(Vec dst, Vec src1, Operand src2) {
        v3(PP_66, MAP_0F38, false, 0x50, dst, src1, src2, true, 4);
    }

    /** AVX-VNNI (VEX-encoded) {@code vpdpbusd}, for CPUs with AVX-VNNI but without AVX-512. */
    public void vpdpbusdVex(Vec dst, Vec src1, Operand src2) {
        vex(PP_66, MAP_0F38, false, dst.bits() == 256 ? 1 : 0, dst.id(), src1.id(), src2, 0x50);
    }

    /** AVX512_VNNI: {@code dst.i32 += Σ2 s16(src1) · s16(src2)} (always EVEX). */
    public void vpdpwssd(Vec dst, Vec src1, Operand src2) {
        v3(PP_66, MAP_0F38, false, 0x52, dst, src1, src2, true, 4);
    }

    /** AVX-VNNI (VEX-encoded) {@code vpdpwssd}. */
    public void vpdpwssdVex(Vec dst, Vec src1, Operand src2) {
        vex(PP_66, MAP_0F38, false, dst.bits() == 256 ? 1 : 0, dst.id(), src1.id(), src2, 0x52);
    }

    /** {@code dst.i16 = sat(u8(src1)·s8(src2) pairs summed)}. */
    public void vpmaddubsw(Vec dst, Vec src1, Operand src2) {
        if (src2 instanceof Mem m && m.broadcast()) {
            throw new IllegalArgumentException("vpmaddubsw has no broadcast form");
        }
        v3(PP_66, MAP_0F38, false, 0x04, dst, src1, src2, false, 1);
    }

    /** {@code dst.i32 = s16 pairs of src1·src2 summed}. */
    public void vpmaddwd(Vec dst, Vec src1, Operand src2) {
        if (src2 instanceof Mem m && m.broadcast()) {
            throw new IllegalArgumentException("vpmaddwd has no broadcast form");
        }
        v3(PP_66, MAP_0F, false, 0xF5, dst, src1, src2, false, 1);
    }

    /** Converts int32 lanes to float. */
    public void vcvtdq2ps(Vec dst, Operand src) {
        v3(PP_NONE, MAP_0F, false, 0x5B, dst, null, src, false, 4);
    }

    /** Converts float lanes to int32 (current rounding mode: nearest-even). */
    public void vcvtps2dq(Vec dst, Operand src) {
        v3(PP_66, MAP_0F, false, 0x5B, dst, null, src, false, 4);
    }

    private void pmovDown(int opcode, Operand dst, Vec src) {
        int dstMask = dst instanceof Vec v ? v.mask() : ((Mem) dst).mask();
        boolean z = dst instanceof Vec v && v.zeroing();
        evex(PP_F3, MAP_0F38, false, src.bits(), src.id(), 0, dst, opcode, dstMask, z, src.bits() / 32);
    }

    /** int32 lanes to unsigned bytes with saturation; {@code dst} an xmm register or memory (a quarter of src). */
    public void vpmovusdb(Operand dst, Vec src) {
        pmovDown(0x11, dst, src);
    }

    /** int32 lanes to signed bytes with saturation. */
    public void vpmovsdb(Operand dst, Vec src) {
        pmovDown(0x21, dst, src);
    }

    /** int32 lanes to bytes, truncating. */
    public void vpmovdb(Operand dst, Vec src) {
        pmovDown(0x31, dst, src);
    }

    // ---------------------------------------------------------------- opmasks

    /** {@code kmovw k, r32}: the low 16 bits of {@code src}. */
    public void kmovw(Mask dst, Gp src) {
        vex(PP_NONE, MAP_0F, false, 0, dst.id(), 0, src, 0x92);
    }

    /** {@code kmovd k, r32}. */
    public void kmovd(Mask dst, Gp src) {
        vex(PP_F2, MAP_0F, false, 0, dst.id(), 0, src, 0x92);
    }

    /** {@code kmovq k, r64}. */
    public void kmovq(Mask dst, Gp src) {
        vex(PP_F2, MAP_0F, true, 0, dst.id(), 0, src, 0x92);
    }

    /** {@code kmovw r32, k}. */
    public void kmovw(Gp dst, Mask src) {
        vex(PP_NONE, MAP_0F, false, 0, dst.id(), 0, new Gp(src.id()), 0x93);
    }

    // ---------------------------------------------------------------- prefetch

    public void prefetcht0(Mem m) {
        legacy(false, 1, m, 0x0F, 0x18);
    }

    public void prefetcht1(Mem m) {
        legacy(false, 2, m, 0x0F, 0x18);
    }

    public void prefetcht2(Mem m) {
        legacy(false, 3, m, 0x0F, 0x18);
    }

    public void prefetchnta(Mem m) {
        legacy(false, 0, m, 0x0F, 0x18);
    }
}
