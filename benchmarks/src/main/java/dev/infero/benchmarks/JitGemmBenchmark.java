package dev.infero.benchmarks;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.MicroKernel;
import dev.infero.cpu.kernels.PackedGemm;
import dev.infero.cpu.kernels.PostOps;
import java.util.Random;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The packed FP32 GEMM on one thread with each micro-kernel ({@code impl}: generated AVX-512 or AVX2 code, or the
 * Vector API). {@code benchmarks/run.sh 'JitGemmBenchmark|FmaPeakBenchmark'} prints GFLOPS and the share of the
 * single-core FMA peak ({@link FmaPeakBenchmark}).
 */
public class JitGemmBenchmark extends MicroBenchmark {
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
    }

    @Benchmark
    public void gemm(Blackhole bh) {
        gemm.multiply(n, b, 0, n, c, 0, n, PostOps.NONE, null, 0, ws);
        bh.consume(c);
    }
}
