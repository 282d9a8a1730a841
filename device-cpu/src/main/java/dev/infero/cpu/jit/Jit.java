package dev.infero.cpu.jit;

import java.util.Locale;

/**
 * The JIT switch: which instruction set generated kernels target, if any. On by default on x86-64 Linux CPUs with
 * AVX2 and FMA; {@code INFERO_JIT=off} (environment) or {@code -Dinfero.jit=false} turns it off (the Vector API
 * kernels run); {@code -Dinfero.jit.isa=avx2} (or {@code INFERO_JIT_ISA=avx2}) makes an AVX-512 machine generate its
 * AVX2 kernels, {@code avx512} insists on AVX-512 (off where the CPU lacks it). Read when a model is compiled: a
 * compiled model keeps the kernels it was built with.
 */
public final class Jit {
    /** The instruction sets kernels are generated for. */
    public enum Isa {
        /** 32 zmm registers of 16 floats, opmasks. */
        AVX512("avx512", 512, 32),
        /** 16 ymm registers of 8 floats, FMA3. */
        AVX2("avx2", 256, 16);

        private final String label;
        private final int bits;
        private final int registers;

        Isa(String label, int bits, int registers) {
            this.label = label;
            this.bits = bits;
            this.registers = registers;
        }

        /** As in exec types: {@code avx512}, {@code avx2}. */
        public String label() {
            return label;
        }

        /** Vector width in bits. */
        public int bits() {
            return bits;
        }

        /** Floats per vector register. */
        public int lanes() {
            return bits / 32;
        }

        /** Bytes per vector register. */
        public int vectorBytes() {
            return bits / 8;
        }

        /** Whether its code is EVEX-encoded (opmasks, broadcasts from memory inside the instruction). */
        public boolean evex() {
            return this == AVX512;
        }

        /** Vector registers. */
        public int registers() {
            return registers;
        }

        /** Whether this machine runs code for this ISA. */
        public boolean supported() {
            CpuFeatures f = CpuFeatures.host();
            return this == AVX512 ? f.hasAvx512() && f.hasAvx2() : f.hasAvx2();
        }
    }

    private Jit() {
    }

    /** Whether the JIT is switched on (it may still be unavailable: see {@link #isa()}). */
    public static boolean enabled() {
        String prop = System.getProperty("infero.jit");
        if (prop != null) {
            return !isOff(prop);
        }
        String env = System.getenv("INFERO_JIT");
        return env == null || !isOff(env);
    }

    private static boolean isOff(String v) {
        String s = v.trim().toLowerCase(Locale.ROOT);
        return s.equals("off") || s.equals("false") || s.equals("0") || s.equals("no");
    }

    /**
     * The ISA kernels are generated for now, or {@code null} when the JIT is off, unsupported on this platform, or
     * the ISA asked for is not available.
     */
    public static Isa isa() {
        if (!enabled() || !CpuFeatures.platformSupported()) {
            return null;
        }
        String wanted = System.getProperty("infero.jit.isa");
        if (wanted == null) {
            wanted = System.getenv("INFERO_JIT_ISA");
        }
        if (wanted != null && !wanted.isBlank()) {
            String w = wanted.trim().toLowerCase(Locale.ROOT);
            Isa isa = switch (w) {
                case "avx512", "avx512_core", "avx-512" -> Isa.AVX512;
                case "avx2" -> Isa.AVX2;
                default -> throw new dev.infero.core.InferoException("infero.jit.isa: unknown instruction set '" + wanted
                        + "' (avx512 or avx2)");
            };
            return isa.supported() ? isa : null;
        }
        return Isa.AVX512.supported() ? Isa.AVX512 : Isa.AVX2.supported() ? Isa.AVX2 : null;
    }

    /**
     * The ISA for one family of generated kernels, e.g. {@code depthwise}: {@link #isa()}, unless
     * {@code -Dinfero.jit.<family>=off} switches that family alone off (its Vector API kernel runs), for A/B
     * measurements of one kernel inside whole models.
     */
    public static Isa isa(String family) {
        return switchedOff(family) ? null : isa();
    }

    /**
     * Whether {@code -Dinfero.jit.<family>=off} switches one part of the generated code off, whatever ISA a kernel
     * was given (for parts chosen inside kernels built for an explicit ISA, e.g. {@code convpost}).
     */
    public static boolean switchedOff(String family) {
        String v = System.getProperty("infero.jit." + family);
        return v != null && isOff(v);
    }

    /** For reports: the ISA used now, e.g. {@code avx512}, or why none is ({@code off}, {@code unsupported}). */
    public static String describe() {
        if (!enabled()) {
            return "off";
        }
        Isa isa = isa();
        return isa == null ? "unsupported" : isa.label();
    }
}
