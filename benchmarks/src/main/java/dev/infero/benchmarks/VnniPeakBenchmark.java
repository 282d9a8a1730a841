package dev.infero.benchmarks;

import static dev.infero.cpu.jit.Asm.*;

import dev.infero.cpu.jit.Assembler;
import dev.infero.cpu.jit.CodeBuffer;
import dev.infero.cpu.jit.CpuFeatures;
import dev.infero.cpu.jit.Jit;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The single-core INT8 dot-product peak, measured as {@link FmaPeakBenchmark} measures the FMA peak: a generated loop
 * of {@value #ITERATIONS} iterations × 12 independent dot-product instructions into separate accumulators.
 * Ops = iterations · 12 · 2 · MACs per instruction: {@code vnni512} ({@code vpdpbusd zmm}, 64 u8×s8 MACs),
 * {@code vnni512b} (the same with an embedded-broadcast memory operand {@code {1to16}}, as the INT8 tiles use it),
 * {@code avxvnni} (VEX {@code vpdpbusd ymm}, 32 MACs), {@code maddwd512} / {@code maddwd256} ({@code vpmaddwd} then
 * {@code vpaddd}, 32 / 16 s16 MACs: the AVX2 tiles' pair), {@code fma512} (16 FMAs, for the ratio).
 * {@link #main} alternates the loops in one JVM and prints the minimum thread CPU time of each (robust on a loaded
 * machine) and each rate against the zmm FMA rate.
 */
public class VnniPeakBenchmark extends MicroBenchmark {
    public static final int ITERATIONS = 1_000_000;
    private static final MethodHandle LOOP = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG), Linker.Option.critical(false));
    /** Loop kinds and their multiply-adds per instruction (per pair for the maddwd kinds). */
    static final String[] KINDS = {"fma512", "vnni512", "vnni512b", "avxvnni", "maddwd512", "maddwd256"};
    static final int[] MACS = {16, 64, 64, 32, 32, 16};

    @Param({"vnni512", "vnni512b", "avxvnni", "maddwd512", "fma512"})
    public String kind;

    private CodeBuffer code;
    private final long[] scratch = new long[64];
    private java.lang.foreign.MemorySegment data;

    @Setup(Level.Trial)
    public void setup() {
        code = CodeBuffer.of(loop(kind));
        data = java.lang.foreign.Arena.ofAuto().allocate(256, 64);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        code.close();
    }

    @Benchmark
    public void peak() throws Throwable {
        LOOP.invokeExact(code.entry(), (long) ITERATIONS, data.address());
    }

    /** {@code void loop(long n, void* data)}: n iterations of 12 independent instructions of {@code kind}. */
    static byte[] loop(String kind) {
        boolean ymm = kind.equals("avxvnni") || kind.equals("maddwd256");
        if (!Jit.Isa.AVX512.supported() && !ymm) {
            throw new IllegalStateException(kind + " needs AVX-512");
        }
        if (kind.startsWith("vnni") && !CpuFeatures.host().avx512vnni()) {
            throw new IllegalStateException("no AVX512_VNNI here");
        }
        int bits = ymm ? 256 : 512;
        Assembler a = new Assembler();
        for (int i = 0; i < 16; i++) {
            a.vxorps(vec(i, bits), vec(i, bits), vec(i, bits));
        }
        Assembler.Label loop = a.newLabel();
        a.align(16);
        a.bind(loop);
        for (int i = 0; i < 12; i++) {
            Vec acc = vec(i, bits);
            switch (kind) {
                case "fma512" -> a.vfmadd231ps(acc, vec(12, bits), vec(13, bits));
                case "vnni512" -> a.vpdpbusd(acc, vec(12, bits), vec(13, bits));
                case "vnni512b" -> a.vpdpbusd(acc, vec(12, bits), mem(RSI, 4 * (i % 6)).bcst());
                case "avxvnni" -> a.vpdpbusdVex(acc, vec(12, bits), vec(13, bits));
                default -> {
                    // vpmaddwd into a temporary, vpaddd into the accumulator (two temporaries alternate).
                    Vec t = vec(14 + (i & 1), bits);
                    a.vpmaddwd(t, vec(12, bits), vec(13, bits));
                    a.vpaddd(acc, acc, t);
                }
            }
        }
        a.dec(RDI);
        a.jcc(Assembler.Cond.NE, loop);
        a.vzeroupper();
        a.ret();
        return a.code();
    }

    /** Usage: {@code VnniPeakBenchmark [rounds]}: minimum thread CPU time of each loop kind, alternating. */
    public static void main(String[] args) throws Throwable {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        var mx = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        var mem = java.lang.foreign.Arena.ofAuto().allocate(256, 64);
        CodeBuffer[] codes = new CodeBuffer[KINDS.length];
        for (int k = 0; k < KINDS.length; k++) {
            try {
                codes[k] = CodeBuffer.of(loop(KINDS[k]));
            } catch (IllegalStateException e) {
                System.out.println(KINDS[k] + ": " + e.getMessage());
            }
        }
        long n = 200_000;
        long[] best = new long[KINDS.length];
        java.util.Arrays.fill(best, Long.MAX_VALUE);
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < KINDS.length; k++) {
                if (codes[k] == null) {
                    continue;
                }
                long c0 = mx.getCurrentThreadCpuTime();
                LOOP.invokeExact(codes[k].entry(), n, mem.address());
                long t = mx.getCurrentThreadCpuTime() - c0;
                if (r >= 5) {
                    best[k] = Math.min(best[k], t);
                }
            }
        }
        double fma = 2.0 * n * 12 * MACS[0] / best[0];
        for (int k = 0; k < KINDS.length; k++) {
            if (codes[k] == null) {
                continue;
            }
            double ops = 2.0 * n * 12 * MACS[k] / best[k];
            double perCycleTime = (double) best[k] / (n * 12);
            System.out.printf("%-10s min cpu %8.1f us  %7.1f Gops/s  %.2fx the zmm FMA rate  %.3f ns/instr%n", KINDS[k],
                    best[k] / 1e3, ops, ops / fma, perCycleTime);
        }
    }
}
