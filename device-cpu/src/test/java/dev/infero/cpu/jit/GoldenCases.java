package dev.infero.cpu.jit;

import static dev.infero.cpu.jit.Asm.*;

import dev.infero.cpu.jit.Asm.Gp;
import dev.infero.cpu.jit.Asm.Mem;
import dev.infero.cpu.jit.Asm.Vec;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The assembler's golden-byte cases: each one instruction as GNU {@code as} reads it (Intel syntax) and the
 * {@link Assembler} calls that should produce the same bytes. {@code main} prints the texts for
 * {@code scripts/jit-golden.sh}, which assembles them with binutils into {@code src/test/resources/jit/golden.txt}.
 */
final class GoldenCases {
    record Case(String text, Consumer<Assembler> emit) {
    }

    private static final String[] GP32 = {"eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi", "r8d", "r9d",
            "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};
    private static final int[] GPS = {0, 1, 3, 4, 5, 7, 8, 12, 13, 15};
    private static final Mem[] MEMS = {mem(RAX), mem(RSP), mem(RBP), mem(R12), mem(R13), mem(RAX, 8),
            mem(RSP, 8), mem(RBP, -8), mem(R13, 0x100), mem(RBX, 128), mem(RCX, -129), mem(RAX, RCX, 4, 0),
            mem(RAX, R9, 8, 0x40), mem(R12, RBP, 2, -0x1000), mem(RSP, RAX, 1, 127), mem(R15, R14, 4, 0x7fff0),
            mem(RDI, 64), mem(RSI, 4096), mem(RDX, -64), mem(R8, R11, 8, 192), mem(RBP, R13, 1, 0),
            mem(R13, RBP, 1, 0)};
    private static final int[][] VREGS = {{0, 1, 2}, {3, 8, 15}, {9, 0, 11}, {16, 17, 31}, {31, 20, 5}, {7, 24, 13},
            {12, 4, 30}, {15, 15, 15}};

    private GoldenCases() {
    }

    static String name(Gp g) {
        return GP_NAMES[g.id()];
    }

    static String text(Mem m, String size) {
        StringBuilder sb = new StringBuilder(size.isEmpty() ? "" : size + " PTR ").append('[').append(name(m.base()));
        if (m.index() != null) {
            sb.append('+').append(name(m.index())).append('*').append(m.scale());
        }
        if (m.disp() != 0) {
            sb.append(m.disp() > 0 ? "+" : "-").append(Math.abs(m.disp()));
        }
        sb.append(']');
        if (m.broadcast()) {
            sb.append("{1to16}");
        }
        if (m.mask() != 0) {
            sb.append("{k").append(m.mask()).append('}');
        }
        return sb.toString();
    }

    static String vname(Vec v) {
        return v.name() + (v.mask() != 0 ? "{k" + v.mask() + "}" : "") + (v.zeroing() ? "{z}" : "");
    }

    static String word(int bits) {
        return bits == 512 ? "ZMMWORD" : bits == 256 ? "YMMWORD" : "XMMWORD";
    }

    interface V3 {
        void emit(Assembler a, Vec d, Vec s1, Asm.Operand s2);
    }

    static List<Case> all() {
        List<Case> c = new ArrayList<>();
        // General purpose, register forms.
        String[] ops = {"mov", "add", "sub", "cmp", "and", "or", "xor", "test", "imul"};
        for (String op : ops) {
            for (int d : GPS) {
                for (int s : GPS) {
                    Gp dst = gp(d);
                    Gp src = gp(s);
                    c.add(new Case(op + " " + name(dst) + ", " + name(src), a -> {
                        switch (op) {
                            case "mov" -> a.mov(dst, src);
                            case "add" -> a.add(dst, src);
                            case "sub" -> a.sub(dst, src);
                            case "cmp" -> a.cmp(dst, src);
                            case "and" -> a.and(dst, src);
                            case "or" -> a.or(dst, src);
                            case "xor" -> a.xor(dst, src);
                            case "test" -> a.test(dst, src);
                            default -> a.imul(dst, src);
                        }
                    }));
                }
            }
        }
        for (int d : GPS) {
            Gp r = gp(d);
            for (int imm : new int[] {0, 1, -1, 127, -128, 128, 200, -129, 0x12345, -0x100000}) {
                c.add(new Case("add " + name(r) + ", " + imm, a -> a.add(r, imm)));
                c.add(new Case("sub " + name(r) + ", " + imm, a -> a.sub(r, imm)));
                c.add(new Case("cmp " + name(r) + ", " + imm, a -> a.cmp(r, imm)));
                c.add(new Case("and " + name(r) + ", " + imm, a -> a.and(r, imm)));
                c.add(new Case("imul " + name(r) + ", " + name(gp(d ^ 9)) + ", " + imm, a -> a.imul(r, gp(d ^ 9), imm)));
            }
            for (long imm : new long[] {0, 5, -1, 0x7fffffffL, -0x80000000L, 0x80000000L, 0x123456789abcL,
                    Long.MIN_VALUE}) {
                c.add(new Case("mov " + name(r) + ", " + imm, a -> a.mov(r, imm)));
            }
            c.add(new Case("mov " + GP32[d] + ", 1065353216", a -> a.mov32(r, 0x3f800000)));
            c.add(new Case("mov " + GP32[d] + ", " + GP32[d ^ 9], a -> a.mov32(r, gp(d ^ 9))));
            c.add(new Case("xor " + GP32[d] + ", " + GP32[d], a -> a.xor32(r, r)));
            c.add(new Case("inc " + name(r), a -> a.inc(r)));
            c.add(new Case("dec " + name(r), a -> a.dec(r)));
            c.add(new Case("neg " + name(r), a -> a.neg(r)));
            c.add(new Case("shl " + name(r) + ", 2", a -> a.shl(r, 2)));
            c.add(new Case("shr " + name(r) + ", 32", a -> a.shr(r, 32)));
            c.add(new Case("sar " + name(r) + ", 7", a -> a.sar(r, 7)));
            c.add(new Case("push " + name(r), a -> a.push(r)));
            c.add(new Case("pop " + name(r), a -> a.pop(r)));
        }
        for (Mem m : MEMS) {
            for (int d : new int[] {0, 5, 9, 12}) {
                Gp r = gp(d);
                c.add(new Case("mov " + name(r) + ", " + text(m, "QWORD"), a -> a.mov(r, m)));
                c.add(new Case("mov " + text(m, "QWORD") + ", " + name(r), a -> a.mov(m, r)));
                c.add(new Case("mov " + GP32[d] + ", " + text(m, "DWORD"), a -> a.mov32(r, m)));
                c.add(new Case("mov " + text(m, "DWORD") + ", " + GP32[d], a -> a.mov32(m, r)));
                c.add(new Case("lea " + name(r) + ", " + text(m, ""), a -> a.lea(r, m)));
                c.add(new Case("add " + name(r) + ", " + text(m, "QWORD"), a -> a.add(r, m)));
                c.add(new Case("sub " + name(r) + ", " + text(m, "QWORD"), a -> a.sub(r, m)));
                c.add(new Case("cmp " + name(r) + ", " + text(m, "QWORD"), a -> a.cmp(r, m)));
                c.add(new Case("imul " + name(r) + ", " + text(m, "QWORD"), a -> a.imul(r, m)));
            }
            c.add(new Case("prefetcht0 " + text(m, "BYTE"), a -> a.prefetcht0(m)));
            c.add(new Case("prefetcht1 " + text(m, "BYTE"), a -> a.prefetcht1(m)));
            c.add(new Case("prefetcht2 " + text(m, "BYTE"), a -> a.prefetcht2(m)));
            c.add(new Case("prefetchnta " + text(m, "BYTE"), a -> a.prefetchnta(m)));
        }
        c.add(new Case("ret", Assembler::ret));
        c.add(new Case("cpuid", Assembler::cpuid));
        c.add(new Case("xgetbv", Assembler::xgetbv));
        c.add(new Case("vzeroupper", Assembler::vzeroupper));

        // Three-operand vector instructions: register and memory forms, masks, broadcasts.
        record Op(String name, V3 emit, boolean evexOnly, boolean bcst, boolean vex) {
        }
        List<Op> v3 = List.of(
                new Op("vfmadd231ps", Assembler::vfmadd231ps, false, true, true),
                new Op("vfmadd213ps", Assembler::vfmadd213ps, false, true, true),
                new Op("vaddps", Assembler::vaddps, false, true, true),
                new Op("vsubps", Assembler::vsubps, false, true, true),
                new Op("vmulps", Assembler::vmulps, false, true, true),
                new Op("vdivps", Assembler::vdivps, false, true, true),
                new Op("vmaxps", Assembler::vmaxps, false, true, true),
                new Op("vminps", Assembler::vminps, false, true, true),
                new Op("vxorps", Assembler::vxorps, false, true, true),
                new Op("vpaddd", Assembler::vpaddd, false, true, true),
                new Op("vpmaxsd", Assembler::vpmaxsd, false, true, true),
                new Op("vpminsd", Assembler::vpminsd, false, true, true),
                new Op("vpxord", Assembler::vpxord, true, true, false),
                new Op("vpdpbusd", Assembler::vpdpbusd, true, true, false),
                new Op("vpdpwssd", Assembler::vpdpwssd, true, true, false),
                new Op("vpmaddubsw", Assembler::vpmaddubsw, false, false, true),
                new Op("vpmaddwd", Assembler::vpmaddwd, false, false, true));
        for (Op op : v3) {
            for (int bits : new int[] {128, 256, 512}) {
                for (int[] r : VREGS) {
                    boolean high = r[0] >= 16 || r[1] >= 16 || r[2] >= 16;
                    if (!op.evexOnly && bits < 512 && high && false) {
                        continue;
                    }
                    Vec d = vec(r[0], bits);
                    Vec s1 = vec(r[1], bits);
                    Vec s2 = vec(r[2], bits);
                    c.add(new Case(op.name + " " + d.name() + ", " + s1.name() + ", " + s2.name(),
                            a -> op.emit.emit(a, d, s1, s2)));
                }
                for (Mem m : MEMS) {
                    Vec d = vec(m.disp() & 31, bits);
                    Vec s1 = vec(m.base().id() + 3, bits);
                    c.add(new Case(op.name + " " + d.name() + ", " + s1.name() + ", " + text(m, word(bits)),
                            a -> op.emit.emit(a, d, s1, m)));
                    if (op.bcst) {
                        Mem b = m.bcst();
                        String t = text(m, "DWORD") + "{1to" + bits / 32 + "}";
                        c.add(new Case(op.name + " " + d.name() + ", " + s1.name() + ", " + t,
                                a -> op.emit.emit(a, d, s1, b)));
                    }
                }
                Vec dk = vec(2, bits).k(k(1));
                Vec dz = vec(17, bits).k(k(7)).z();
                c.add(new Case(op.name + " " + vname(dk) + ", " + vec(3, bits).name() + ", " + vec(4, bits).name(),
                        a -> op.emit.emit(a, dk, vec(3, bits), vec(4, bits))));
                c.add(new Case(op.name + " " + vname(dz) + ", " + vec(3, bits).name() + ", "
                        + text(mem(RAX, 256), word(bits)), a -> op.emit.emit(a, dz, vec(3, bits), mem(RAX, 256))));
            }
            if (op.name.equals("vpdpbusd") || op.name.equals("vpdpwssd")) {
                for (int[] r : new int[][] {{0, 1, 2}, {8, 9, 15}}) {
                    Vec d = ymm(r[0]);
                    Vec s1 = ymm(r[1]);
                    Vec s2 = ymm(r[2]);
                    boolean busd = op.name.equals("vpdpbusd");
                    c.add(new Case("{vex} " + op.name + " " + d.name() + ", " + s1.name() + ", " + s2.name(),
                            a -> {
                                if (busd) {
                                    a.vpdpbusdVex(d, s1, s2);
                                } else {
                                    a.vpdpwssdVex(d, s1, s2);
                                }
                            }));
                    Mem m = mem(R13, RAX, 4, 96);
                    c.add(new Case("{vex} " + op.name + " " + d.name() + ", " + s1.name() + ", " + text(m, "YMMWORD"),
                            a -> {
                                if (busd) {
                                    a.vpdpbusdVex(d, s1, m);
                                } else {
                                    a.vpdpwssdVex(d, s1, m);
                                }
                            }));
                }
            }
        }
        for (int bits : new int[] {128, 256, 512}) {
            for (Mem m : MEMS) {
                Vec d = vec((m.disp() & 31) ^ 9, bits);
                c.add(new Case("vmovups " + d.name() + ", " + text(m, word(bits)), a -> a.vmovups(d, m)));
                c.add(new Case("vmovups " + text(m, word(bits)) + ", " + d.name(), a -> a.vmovups(m, d)));
                c.add(new Case("vbroadcastss " + d.name() + ", " + text(m, "DWORD"), a -> a.vbroadcastss(d, m)));
                c.add(new Case("vpbroadcastd " + d.name() + ", " + text(m, "DWORD"), a -> a.vpbroadcastd(d, m)));
                c.add(new Case("vcvtdq2ps " + d.name() + ", " + text(m, word(bits)), a -> a.vcvtdq2ps(d, m)));
                c.add(new Case("vcvtps2dq " + d.name() + ", " + text(m, word(bits)), a -> a.vcvtps2dq(d, m)));
                c.add(new Case("vmovdqu32 " + d.name() + ", " + text(m, word(bits)), a -> a.vmovdqu32(d, m)));
                c.add(new Case("vmovdqu8 " + text(m, word(bits)) + ", " + d.name(), a -> a.vmovdqu8(m, d)));
            }
            for (int[] r : VREGS) {
                Vec d = vec(r[0], bits);
                Vec s = vec(r[1], bits);
                c.add(new Case("vmovups " + d.name() + ", " + s.name(), a -> a.vmovups(d, s)));
                c.add(new Case("vbroadcastss " + d.name() + ", " + xmm(r[1]).name(), a -> a.vbroadcastss(d, xmm(r[1]))));
                c.add(new Case("vpbroadcastd " + d.name() + ", " + xmm(r[1]).name(), a -> a.vpbroadcastd(d, xmm(r[1]))));
                c.add(new Case("vpbroadcastd " + d.name() + ", " + GP32[r[2] & 15], a -> a.vpbroadcastd(d, gp(r[2] & 15))));
                c.add(new Case("vcvtdq2ps " + d.name() + ", " + s.name(), a -> a.vcvtdq2ps(d, s)));
                c.add(new Case("vcvtps2dq " + d.name() + ", " + s.name(), a -> a.vcvtps2dq(d, s)));
                c.add(new Case("vcmpps k" + (r[0] & 7) + ", " + d.name() + ", " + s.name() + ", 1",
                        a -> a.vcmpps(k(r[0] & 7), d, s, Assembler.CMP_LT_OS)));
                if (bits > 128) {
                    Vec q = xmm(r[2]);
                    String qtext = bits == 512 ? q.name() : q.name();
                    c.add(new Case("vpmovusdb " + qtext + ", " + d.name(), a -> a.vpmovusdb(q, d)));
                    c.add(new Case("vpmovsdb " + qtext + ", " + d.name(), a -> a.vpmovsdb(q, d)));
                    c.add(new Case("vpmovdb " + qtext + ", " + d.name(), a -> a.vpmovdb(q, d)));
                }
            }
            Vec mk = vec(5, bits).k(k(3)).z();
            c.add(new Case("vmovups " + vname(mk) + ", " + text(mem(RDI, RCX, 4, 128), word(bits)),
                    a -> a.vmovups(mk, mem(RDI, RCX, 4, 128))));
            Mem st = mem(RDX, 64 * 3).k(k(2));
            c.add(new Case("vmovups " + text(st, word(bits)) + ", " + vec(21, bits).name(),
                    a -> a.vmovups(st, vec(21, bits))));
            c.add(new Case("vbroadcastss " + vname(mk) + ", " + text(mem(RSI, 12), "DWORD"),
                    a -> a.vbroadcastss(mk, mem(RSI, 12))));
            c.add(new Case("vcmpps k2, " + vec(3, bits).name() + ", " + text(mem(RAX, 4), "DWORD") + "{1to" + bits / 32
                    + "}, 14", a -> a.vcmpps(k(2), vec(3, bits), mem(RAX, 4).bcst(), Assembler.CMP_GT_OS)));
            // A whole vector from memory (BlockedConvKernel's per-lane post-op tables).
            c.add(new Case("vcmpps k2, " + vec(19, bits).name() + ", " + text(mem(RSI, 64 * 5), word(bits)) + ", 1",
                    a -> a.vcmpps(k(2), vec(19, bits), mem(RSI, 64 * 5), Assembler.CMP_LT_OS)));
            if (bits > 128) {
                int q = bits / 32;
                Mem pm = mem(R9, RAX, 1, q * 3);
                String qw = bits == 512 ? "XMMWORD" : "QWORD";
                c.add(new Case("vpmovusdb " + text(pm, qw) + ", " + vec(4, bits).name(), a -> a.vpmovusdb(pm, vec(4, bits))));
                Mem pmk = pm.k(k(5));
                c.add(new Case("vpmovsdb " + text(pmk, qw) + ", " + vec(20, bits).name(), a -> a.vpmovsdb(pmk, vec(20, bits))));
            }
        }
        // AVX-only forms.
        for (int[] r : new int[][] {{0, 1, 2, 3}, {8, 9, 15, 4}, {5, 12, 7, 14}}) {
            Vec d = ymm(r[0]);
            Vec s1 = ymm(r[1]);
            Vec s2 = ymm(r[2]);
            Vec m = ymm(r[3]);
            c.add(new Case("vcmpps " + d.name() + ", " + s1.name() + ", " + s2.name() + ", 1",
                    a -> a.vcmpps(d, s1, s2, Assembler.CMP_LT_OS)));
            c.add(new Case("vblendvps " + d.name() + ", " + s1.name() + ", " + s2.name() + ", " + m.name(),
                    a -> a.vblendvps(d, s1, s2, m)));
            c.add(new Case("vpxor " + d.name() + ", " + s1.name() + ", " + s2.name(), a -> a.vpxor(d, s1, s2)));
            Mem mm = mem(gp(r[0]), gp(r[2] == 4 ? 5 : r[2]), 4, r[3] * 32);
            c.add(new Case("vmaskmovps " + d.name() + ", " + m.name() + ", " + text(mm, "YMMWORD"),
                    a -> a.vmaskmovps(d, m, mm)));
            c.add(new Case("vmaskmovps " + text(mm, "YMMWORD") + ", " + m.name() + ", " + d.name(),
                    a -> a.vmaskmovps(mm, m, d)));
            c.add(new Case("vshufps " + d.name() + ", " + s1.name() + ", " + s2.name() + ", 136",
                    a -> a.vshufps(d, s1, s2, 0x88)));
            c.add(new Case("vshufps " + d.name() + ", " + s1.name() + ", " + text(mm, "YMMWORD") + ", 221",
                    a -> a.vshufps(d, s1, mm, 0xDD)));
            c.add(new Case("vpermpd " + d.name() + ", " + s1.name() + ", 216", a -> a.vpermpd(d, s1, 0xD8)));
            c.add(new Case("vpermpd " + d.name() + ", " + text(mm, "YMMWORD") + ", 27", a -> a.vpermpd(d, mm, 0x1B)));
        }
        // Shifts by an immediate (VEX for ymm0-15, EVEX for zmm and registers 16-31).
        for (int[] r : VREGS) {
            for (int bits : new int[] {256, 512}) {
                Vec d = vec(r[0], bits);
                Vec s1 = vec(r[1], bits);
                c.add(new Case("vpslld " + d.name() + ", " + s1.name() + ", 23", a -> a.vpslld(d, s1, 23)));
            }
        }
        // AVX-512 two-table permutes.
        for (int[] r : VREGS) {
            Vec d = zmm(r[0]);
            Vec i = zmm(r[1]);
            Vec t = zmm(r[2]);
            Mem mm = mem(gp(r[0] % 16 == 4 ? 5 : r[0] % 16), 64 * r[1]);
            c.add(new Case("vpermt2ps " + d.name() + ", " + i.name() + ", " + t.name(), a -> a.vpermt2ps(d, i, t)));
            c.add(new Case("vpermt2ps " + d.name() + ", " + i.name() + ", " + text(mm, "ZMMWORD"),
                    a -> a.vpermt2ps(d, i, mm)));
            Vec dk = d.k(k(3)).z();
            c.add(new Case("vpermt2ps " + vname(dk) + ", " + i.name() + ", " + t.name(), a -> a.vpermt2ps(dk, i, t)));
        }
        for (int kr = 1; kr < 8; kr += 3) {
            for (int g : new int[] {0, 3, 9, 14}) {
                int kk = kr;
                c.add(new Case("kmovw k" + kr + ", " + GP32[g], a -> a.kmovw(k(kk), gp(g))));
                c.add(new Case("kmovd k" + kr + ", " + GP32[g], a -> a.kmovd(k(kk), gp(g))));
                c.add(new Case("kmovq k" + kr + ", " + GP_NAMES[g], a -> a.kmovq(k(kk), gp(g))));
                c.add(new Case("kmovw " + GP32[g] + ", k" + kr, a -> a.kmovw(gp(g), k(kk))));
            }
        }
        return c;
    }

    public static void main(String[] args) {
        for (Case c : all()) {
            System.out.println(c.text());
        }
    }
}
