package dev.infero.benchmarks;

import static dev.infero.cpu.jit.Asm.*;

import dev.infero.cpu.jit.Assembler;
import dev.infero.cpu.jit.CodeBuffer;
import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.MicroKernel;
import dev.infero.cpu.kernels.PackedGemm;
import dev.infero.cpu.kernels.PostOps;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The packed FP32 GEMM on one thread with each micro-kernel ({@code impl}: generated AVX-512 or AVX2 code, or the
 * Vector API), and the single-core FMA peak measured with a generated loop of independent FMAs
 * ({@link #fmaPeak}: {@value #PEAK_ITERATIONS} iterations × 12 FMAs of the ISA's vector width).
 * {@code benchmarks/run.sh JitGemmBenchmark} prints GFLOPS and the share of the peak.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class JitGemmBenchmark {
    /** Iterations of the peak loop. */
    public static final int PEAK_ITERATIONS = 1_000_000;
    private static final MethodHandle LOOP = Linker.nativeLinker().downcallHandle(
            FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG), Linker.Option.critical(false));

    /** M×N×K: a cache-resident kernel shape, then ResNet-like layers as the convolutions run them. */
    @Param({"96x256x256", "64x3136x576", "256x784x128", "512x196x2304", "24x12544x27"})
    public String shape;

    @Param({"jit_avx512", "jit_avx2", "vector"})
    public String impl;

    private int n;
    private float[] b;
    private float[] c;
    private float[] ws;
    private PackedGemm gemm;
    private CodeBuffer peak;

    @Setup(Level.Trial)
    public void setup() {
        String[] d = shape.split("x");
        int m = Integer.parseInt(d[0]);
        n = Integer.parseInt(d[1]);
        int k = Integer.parseInt(d[2]);
        Jit.Isa isa = switch (impl) {
            case "jit_avx512" -> Jit.Isa.AVX512;
            case "jit_avx2" -> Jit.Isa.AVX2;
            default -> null;
        };
        if (isa != null && !isa.supported()) {
            throw new IllegalStateException(impl + " is not supported on this CPU");
        }
        Random r = new Random(1);
        float[] a = new float[m * k];
        b = new float[k * n];
        c = new float[m * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextFloat();
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = r.nextFloat();
        }
        ws = new float[PackedGemm.workspaceSize()];
        gemm = new PackedGemm(m, k, a, 0, k, MicroKernel.of(isa));
        peak = CodeBuffer.of(fmaLoop(isa == null ? Jit.Isa.AVX512 : isa));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        peak.close();
    }

    @Benchmark
    public void gemm(Blackhole bh) {
        gemm.multiply(n, b, 0, n, c, 0, n, PostOps.NONE, null, 0, ws);
        bh.consume(c);
    }

    /** {@value #PEAK_ITERATIONS} × 12 independent FMAs: FLOPs = iterations · 12 · 2 · lanes. */
    @Benchmark
    public void fmaPeak() throws Throwable {
        LOOP.invokeExact(peak.entry(), (long) PEAK_ITERATIONS);
    }

    /** {@code void loop(long n)}: n iterations of 12 FMAs into independent accumulators. */
    static byte[] fmaLoop(Jit.Isa isa) {
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
