package dev.infero.cpu.jit;

import dev.infero.cpu.jit.Asm.Gp;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What this CPU can run, read with {@code cpuid} and {@code xgetbv} executed from generated code: a feature counts
 * only when the CPU reports it and the OS saves the registers it uses (XCR0: SSE/AVX state for AVX, opmask and
 * upper zmm state for AVX-512).
 *
 * @param vendor     {@code cpuid} leaf 0 vendor string, e.g. {@code AuthenticAMD}
 * @param brand      the processor brand string (leaves 0x80000002–4), trimmed
 */
public record CpuFeatures(String vendor, String brand, boolean avx2, boolean fma, boolean avx512f, boolean avx512bw,
                          boolean avx512vl, boolean avx512dq, boolean avx512vnni, boolean avxVnni,
                          boolean avx512bf16) {
    /** No x86 features (other architectures, or when the probe cannot run). */
    public static final CpuFeatures NONE = new CpuFeatures("", "", false, false, false, false, false, false, false,
            false, false);

    private static final class Holder {
        static final CpuFeatures HOST = probe();
    }

    /** This machine's features (probed once; {@link #NONE} off x86-64 Linux). */
    public static CpuFeatures host() {
        return Holder.HOST;
    }

    /** Whether the AVX-512 kernels can run: F, BW, VL and DQ. */
    public boolean hasAvx512() {
        return avx512f && avx512bw && avx512vl && avx512dq;
    }

    /** Whether the AVX2 kernels can run: AVX2 and FMA3. */
    public boolean hasAvx2() {
        return avx2 && fma;
    }

    /** Feature names as OpenVINO's CPU plugin lists them, e.g. {@code avx2 fma avx512f ... avx512_vnni}. */
    public List<String> names() {
        List<String> n = new ArrayList<>();
        String[] names = {"avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni", "avx_vnni",
                "avx512_bf16"};
        boolean[] has = {avx2, fma, avx512f, avx512bw, avx512vl, avx512dq, avx512vnni, avxVnni, avx512bf16};
        for (int i = 0; i < names.length; i++) {
            if (has[i]) {
                n.add(names[i]);
            }
        }
        return n;
    }

    /** Whether generated x86-64 code can run in this JVM at all: an x86-64 CPU under Linux. */
    public static boolean platformSupported() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        return (arch.equals("amd64") || arch.equals("x86_64")) && os.contains("linux");
    }

    private static CpuFeatures probe() {
        if (!platformSupported()) {
            return NONE;
        }
        Gp out = Asm.RDX;
        // void cpuid(int leaf, int subleaf, int* out): eax, ebx, ecx, edx to out[0..3]; rbx is callee-saved.
        Assembler a = new Assembler();
        a.push(Asm.RBX);
        a.mov(Asm.R8, out);
        a.mov32(Asm.RAX, Asm.RDI);
        a.mov32(Asm.RCX, Asm.RSI);
        a.cpuid();
        a.mov32(Asm.mem(Asm.R8), Asm.RAX);
        a.mov32(Asm.mem(Asm.R8, 4), Asm.RBX);
        a.mov32(Asm.mem(Asm.R8, 8), Asm.RCX);
        a.mov32(Asm.mem(Asm.R8, 12), Asm.RDX);
        a.pop(Asm.RBX);
        a.ret();
        // long xgetbv0(void): XCR0.
        Assembler x = new Assembler();
        x.xor32(Asm.RCX, Asm.RCX);
        x.xgetbv();
        x.shl(Asm.RDX, 32);
        x.or(Asm.RAX, Asm.RDX);
        x.ret();
        Linker linker = Linker.nativeLinker();
        MethodHandle cpuidCall = linker.downcallHandle(FunctionDescriptor.ofVoid(ValueLayout.JAVA_INT,
                ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
        MethodHandle xgetbvCall = linker.downcallHandle(FunctionDescriptor.of(ValueLayout.JAVA_LONG));
        try (CodeBuffer code = CodeBuffer.of(new byte[][] {a.code(), x.code()}); Arena arena = Arena.ofConfined()) {
            MemorySegment regs = arena.allocate(16, 4);
            int[] leaf0 = cpuid(cpuidCall, code.entry(0), regs, 0, 0);
            String vendor = chars(leaf0[1], leaf0[3], leaf0[2]);
            int max = leaf0[0];
            int[] l1 = cpuid(cpuidCall, code.entry(0), regs, 1, 0);
            int[] l7 = max >= 7 ? cpuid(cpuidCall, code.entry(0), regs, 7, 0) : new int[4];
            int[] l71 = max >= 7 ? cpuid(cpuidCall, code.entry(0), regs, 7, 1) : new int[4];
            boolean osxsave = (l1[2] >> 27 & 1) != 0;
            long xcr0 = osxsave ? (long) xgetbvCall.invokeExact(code.entry(1)) : 0;
            boolean avxState = (xcr0 & 6) == 6;
            boolean zmmState = avxState && (xcr0 & 0xE0) == 0xE0;
            boolean avx = avxState && (l1[2] >> 28 & 1) != 0;
            boolean fma = avx && (l1[2] >> 12 & 1) != 0;
            boolean avx2 = avx && (l7[1] >> 5 & 1) != 0;
            boolean f = zmmState && (l7[1] >> 16 & 1) != 0;
            boolean dq = f && (l7[1] >> 17 & 1) != 0;
            boolean bw = f && (l7[1] >> 30 & 1) != 0;
            boolean vl = f && (l7[1] >> 31 & 1) != 0;
            boolean vnni = f && (l7[2] >> 11 & 1) != 0;
            boolean avxVnni = avx2 && (l71[0] >> 4 & 1) != 0;
            boolean bf16 = f && (l71[0] >> 5 & 1) != 0;
            StringBuilder brand = new StringBuilder();
            int[] ext = cpuid(cpuidCall, code.entry(0), regs, 0x80000000, 0);
            if (Integer.compareUnsigned(ext[0], 0x80000004) >= 0) {
                for (int leaf = 0x80000002; leaf <= 0x80000004; leaf++) {
                    int[] r = cpuid(cpuidCall, code.entry(0), regs, leaf, 0);
                    brand.append(chars(r[0], r[1], r[2], r[3]));
                }
            }
            return new CpuFeatures(vendor, brand.toString().replace("\0", "").trim(), avx2, fma, f, bw, vl, dq,
                    vnni, avxVnni, bf16);
        } catch (Throwable e) {
            return NONE;
        }
    }

    private static int[] cpuid(MethodHandle call, MemorySegment entry, MemorySegment regs, int leaf, int sub)
            throws Throwable {
        call.invokeExact(entry, leaf, sub, regs);
        return new int[] {regs.get(ValueLayout.JAVA_INT, 0), regs.get(ValueLayout.JAVA_INT, 4),
                regs.get(ValueLayout.JAVA_INT, 8), regs.get(ValueLayout.JAVA_INT, 12)};
    }

    private static String chars(int... words) {
        StringBuilder sb = new StringBuilder();
        for (int w : words) {
            for (int i = 0; i < 4; i++) {
                sb.append((char) (w >> (8 * i) & 0xFF));
            }
        }
        return sb.toString();
    }
}
