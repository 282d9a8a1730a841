package dev.infero.benchmarks;

import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.WindowKernel;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * FP32 max and average pooling layers ({@link WindowKernel}) on one thread, timed by the calling thread's CPU time,
 * each implementation (Vector API, generated AVX-512, generated AVX2) alternated round by round in one JVM. Prints
 * per layer and implementation the median and best time of a call in µs and the input read per µs (GB/s). Shapes
 * {@code C:HxW:k:s:pad[:ceil][:avg|:avgx]} (square window, {@code avgx}: exclude pad); the defaults are SqueezeNet's
 * three max pools (3×3/2 ceil), ResNet's stem pool, VGG-style 2×2/2, YOLOX's SPP (5, 9, 13 at stride 1), an inception
 * 3×3/1 branch pool, average pools of our own and ResNet-50's global 7×7 average pool. Usage:
 * {@code java -cp <benchmarks classpath> dev.infero.benchmarks.PoolCpuTime [-Drounds=11]
 * [-Dimpl=vector,jit_avx512,jit_avx2] [shape ...]}.
 */
public final class PoolCpuTime {
    private static final String[] DEFAULT_SHAPES = {"64:111x111:3:2:0:ceil", "128:55x55:3:2:0:ceil",
        "256:27x27:3:2:0:ceil", "64:112x112:3:2:1", "64:112x112:2:2:0", "128:13x13:5:1:2", "128:13x13:9:1:4",
        "128:13x13:13:1:6", "192:28x28:3:1:1", "64:56x56:3:1:1:avg", "64:56x56:3:2:1:avgx", "256:14x14:2:2:0:avg",
        "2048:7x7:7:1:0:avg"};

    public static void main(String[] args) {
        int rounds = Integer.getInteger("rounds", 11);
        String[] impls = WindowKernelTiming.impls();
        String[] shapes = args.length > 0 ? args : DEFAULT_SHAPES;
        List<WindowKernelTiming.Layer> layers = WindowKernelTiming.layers(shapes, PoolCpuTime::layer);
        WindowKernelTiming.Result result = WindowKernelTiming.time(layers, impls, rounds);
        for (int s = 0; s < shapes.length; s++) {
            StringBuilder sb = new StringBuilder(String.format("%-24s", shapes[s]));
            for (int i = 0; i < impls.length; i++) {
                long median = result.median(s, i);
                sb.append(String.format("  %s %-11s %7.1f us (best %7.1f, %5.1f GB/s)", impls[i],
                        result.kernels()[s][i].implementation(), median / 1e3, result.best(s, i) / 1e3,
                        4.0 * layers.get(s).in().length / median));
            }
            System.out.println(sb);
        }
    }

    private static WindowKernelTiming.Layer layer(WindowKernelTiming.Spec s, Random r) {
        List<String> f = Arrays.asList(s.fields());
        int pad = Integer.parseInt(s.fields()[4]);
        boolean ceil = f.contains("ceil");
        boolean avg = f.contains("avg") || f.contains("avgx");
        boolean exclude = f.contains("avgx");
        int oh = size(s.h(), s.k(), s.stride(), pad, ceil);
        int ow = size(s.w(), s.k(), s.stride(), pad, ceil);
        ConvGeometry g = new ConvGeometry(1, s.c(), s.h(), s.w(), s.c(), oh, ow, s.k(), s.k(), s.stride(), s.stride(),
                1, 1, pad, pad, s.c());
        return new WindowKernelTiming.Layer(s.text(), WindowKernelTiming.random(r, s.c() * s.h() * s.w()),
                new float[s.c() * oh * ow], isa -> avg ? WindowKernel.avgPool(g, exclude, pad, pad, isa)
                        : WindowKernel.maxPool(g, isa));
    }

    /** The pooled size, ceil rounding never starting a window in the end padding. */
    private static int size(int in, int k, int stride, int pad, boolean ceil) {
        int span = in + 2 * pad - k;
        int out = (ceil ? (span + stride - 1) / stride : span / stride) + 1;
        if (ceil && (out - 1) * stride >= in + pad) {
            out--;
        }
        return out;
    }
}
