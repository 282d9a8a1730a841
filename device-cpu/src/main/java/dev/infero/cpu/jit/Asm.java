package dev.infero.cpu.jit;

/**
 * Operands of the {@link Assembler}: general-purpose registers, vector registers (xmm/ymm/zmm, optionally with an
 * opmask and zeroing for the destination), opmask registers and memory operands {@code [base + index*scale + disp]}
 * (optionally with an opmask for stores and an embedded broadcast for EVEX sources).
 */
public final class Asm {
    private Asm() {
    }

    /** Something an instruction may take as its r/m operand: a register or memory. */
    public sealed interface Operand permits Gp, Vec, Mem {
    }

    /** A 64-bit general-purpose register, {@code id} 0–15 in the hardware numbering (rax = 0 … r15 = 15). */
    public record Gp(int id) implements Operand {
        public Gp {
            if (id < 0 || id > 15) {
                throw new IllegalArgumentException("no general-purpose register " + id);
            }
        }

        boolean ext() {
            return id >= 8;
        }
    }

    /**
     * A vector register: {@code bits} 128 (xmm), 256 (ymm) or 512 (zmm), {@code id} 0–31 (16–31 need EVEX). As a
     * destination it may carry an opmask ({@code k1}–{@code k7}) and zeroing ({@link #k(Mask)}, {@link #z()}).
     */
    public record Vec(int id, int bits, int mask, boolean zeroing) implements Operand {
        public Vec {
            if (id < 0 || id > 31 || (bits != 128 && bits != 256 && bits != 512) || mask < 0 || mask > 7) {
                throw new IllegalArgumentException("no vector register " + id + "/" + bits + " mask " + mask);
            }
        }

        /** This register written under opmask {@code k} (merge masking unless {@link #z()}). */
        public Vec k(Mask k) {
            if (k.id() == 0) {
                throw new IllegalArgumentException("k0 cannot be a write mask");
            }
            return new Vec(id, bits, k.id(), zeroing);
        }

        /** Zero masking: lanes off in the opmask are zeroed rather than left alone. */
        public Vec z() {
            return new Vec(id, bits, mask, true);
        }

        /** The same register without mask or zeroing. */
        public Vec plain() {
            return new Vec(id, bits, 0, false);
        }

        public String name() {
            return (bits == 512 ? "zmm" : bits == 256 ? "ymm" : "xmm") + id;
        }
    }

    /** An opmask register k0–k7. */
    public record Mask(int id) {
        public Mask {
            if (id < 0 || id > 7) {
                throw new IllegalArgumentException("no opmask register " + id);
            }
        }
    }

    /**
     * {@code [base + index*scale + disp]}; {@code index} may be {@code null}. {@code broadcast}: EVEX embedded
     * broadcast of one element ({@code {1toN}}); {@code mask}: the opmask of a masked store.
     */
    public record Mem(Gp base, Gp index, int scale, int disp, boolean broadcast, int mask) implements Operand {
        public Mem {
            if (base == null) {
                throw new IllegalArgumentException("memory operand needs a base register");
            }
            if (index != null && index.id() == 4) {
                throw new IllegalArgumentException("rsp cannot be an index register");
            }
            if (scale != 1 && scale != 2 && scale != 4 && scale != 8) {
                throw new IllegalArgumentException("scale " + scale);
            }
        }

        /** This operand as an embedded broadcast source ({@code {1to16}} for 32-bit elements in a zmm operation). */
        public Mem bcst() {
            return new Mem(base, index, scale, disp, true, mask);
        }

        /** This operand as the destination of a store under opmask {@code k}. */
        public Mem k(Mask k) {
            return new Mem(base, index, scale, disp, broadcast, k.id());
        }

        /** The same address {@code bytes} further on. */
        public Mem plus(int bytes) {
            return new Mem(base, index, scale, disp + bytes, broadcast, mask);
        }
    }

    public static final Gp RAX = new Gp(0), RCX = new Gp(1), RDX = new Gp(2), RBX = new Gp(3), RSP = new Gp(4),
            RBP = new Gp(5), RSI = new Gp(6), RDI = new Gp(7), R8 = new Gp(8), R9 = new Gp(9), R10 = new Gp(10),
            R11 = new Gp(11), R12 = new Gp(12), R13 = new Gp(13), R14 = new Gp(14), R15 = new Gp(15);

    /** The general-purpose register numbered {@code id} (0 = rax … 15 = r15). */
    public static Gp gp(int id) {
        return new Gp(id);
    }

    public static Vec xmm(int id) {
        return new Vec(id, 128, 0, false);
    }

    public static Vec ymm(int id) {
        return new Vec(id, 256, 0, false);
    }

    public static Vec zmm(int id) {
        return new Vec(id, 512, 0, false);
    }

    /** The vector register {@code id} of width {@code bits}. */
    public static Vec vec(int id, int bits) {
        return new Vec(id, bits, 0, false);
    }

    public static Mask k(int id) {
        return new Mask(id);
    }

    public static Mem mem(Gp base) {
        return new Mem(base, null, 1, 0, false, 0);
    }

    public static Mem mem(Gp base, int disp) {
        return new Mem(base, null, 1, disp, false, 0);
    }

    public static Mem mem(Gp base, Gp index, int scale, int disp) {
        return new Mem(base, index, scale, disp, false, 0);
    }

    static final String[] GP_NAMES = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10",
            "r11", "r12", "r13", "r14", "r15"};
}
