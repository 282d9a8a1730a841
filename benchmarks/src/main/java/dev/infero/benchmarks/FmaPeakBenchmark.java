package dev.infero.benchmarks;

import static dev.infero.cpu.jit.Asm.*;

import dev.infero.cpu.jit.Assembler;
import dev.infero.cpu.jit.CodeBuffer;
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
 * The single-core FMA peak, measured: a generated loop of {@value #ITERATIONS} iterations × 12 independent
 * {@code vfmadd231ps} (zmm for avx512, ymm for avx2) into separate accumulators, so FLOPs = iterations · 12 · 2 ·
 * lanes. The reference for {@link JitGemmBenchmark}'s share of the peak.
 */
public class FmaPeakBenchmark extends MicroBenchmark {
    public static final int ITERATIONS = 1_000_000;
    private static final MethodHandle LOOP = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG), Linker.Option.critical(false));

    @Param({"avx512", "avx2"})
    public String isa;

    private CodeBuffer code;

    @Setup(Level.Trial)
    public void setup() {
        Jit.Isa target = isa.equals("avx2") ? Jit.Isa.AVX2 : Jit.Isa.AVX512;
        if (!target.supported()) {
            throw new IllegalStateException(isa + " is not supported on this CPU");
        }
        code = CodeBuffer.of(loop(target));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        code.close();
    }

    @Benchmark
    public void fma() throws Throwable {
        LOOP.invokeExact(code.entry(), (long) ITERATIONS);
    }

    /** {@code void loop(long n)}: n iterations of 12 FMAs into independent accumulators. */
    static byte[] loop(Jit.Isa isa) {
        Assembler a = new Assembler();
        for (int i = 0; i < 14; i++) {
            a.vxorps(vec(i, isa.bits()), vec(i, isa.bits()), vec(i, isa.bits()));
        }
        Assembler.Label loop = a.newLabel();
        a.align(16);
        a.bind(loop);
        for (int i = 0; i < 12; i++) {
            a.vfmadd231ps(vec(i, isa.bits()), vec(12, isa.bits()), vec(13, isa.bits()));
        }
        a.dec(RDI);
        a.jcc(Assembler.Cond.NE, loop);
        a.vzeroupper();
        a.ret();
        return a.code();
    }
}
