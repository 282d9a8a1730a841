package dev.infero.benchmarks;

import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.WindowKernel;
import java.util.List;
import java.util.Random;

/**
 * FP32 depthwise convolution layers ({@link WindowKernel}, bias fused) on one thread, timed by the calling thread's
 * CPU time, each implementation (Vector API, generated AVX-512, generated AVX2) alternated round by round in one JVM.
 * Prints per layer and implementation the median and best time of a call in µs. Shapes {@code C:HxW:k:s} (padding
 * k/2, square kernel); the defaults are the depthwise layers of YOLOX-nano (416×416) and YuNet (320×320) and a few
 * of our own (5×5, 7×7, dilation 2 with {@code :d2}). Usage: {@code java -cp <benchmarks classpath>
 * dev.infero.benchmarks.DepthwiseCpuTime [-Drounds=11] [-Dimpl=vector,jit_avx512,jit_avx2] [shape ...]}.
 */
public final class DepthwiseCpuTime {
    private static final String[] DEFAULT_SHAPES = {"16:208x208:3:2", "16:104x104:3:1", "32:104x104:3:2",
        "32:52x52:3:1", "64:52x52:3:1", "64:52x52:3:2", "64:26x26:3:1", "128:26x26:3:2", "64:13x13:3:1",
        "128:13x13:3:1", "16:160x160:3:1", "32:80x80:3:1", "64:40x40:3:1", "64:10x10:3:1", "10:40x40:3:1",
        "24:56x56:5:1", "48:28x28:5:2", "32:35x35:7:1", "32:33x33:3:1:d2"};

    public static void main(String[] args) {
        int rounds = Integer.getInteger("rounds", 11);
        String[] impls = WindowKernelTiming.impls();
        String[] shapes = args.length > 0 ? args : DEFAULT_SHAPES;
        List<WindowKernelTiming.Layer> layers = WindowKernelTiming.layers(shapes, DepthwiseCpuTime::layer);
        WindowKernelTiming.Result result = WindowKernelTiming.time(layers, impls, rounds);
        for (int s = 0; s < shapes.length; s++) {
            StringBuilder sb = new StringBuilder(String.format("%-18s", shapes[s]));
            for (int i = 0; i < impls.length; i++) {
                sb.append(String.format("  %s %7.1f us (best %7.1f)", impls[i], result.median(s, i) / 1e3,
                        result.best(s, i) / 1e3));
            }
            System.out.println(sb);
        }
    }

    private static WindowKernelTiming.Layer layer(WindowKernelTiming.Spec s, Random r) {
        String[] f = s.fields();
        int d = f.length > 4 ? Integer.parseInt(f[4].substring(1)) : 1;
        int k = s.k();
        int pad = d * (k / 2);
        int oh = (s.h() + 2 * pad - d * (k - 1) - 1) / s.stride() + 1;
        int ow = (s.w() + 2 * pad - d * (k - 1) - 1) / s.stride() + 1;
        ConvGeometry g = new ConvGeometry(1, s.c(), s.h(), s.w(), s.c(), oh, ow, k, k, s.stride(), s.stride(), d, d,
                pad, pad, s.c());
        float[] wts = WindowKernelTiming.random(r, s.c() * k * k);
        PostOps post = new PostOps(WindowKernelTiming.random(r, s.c()), false, PostOps.Activation.NONE, 0, 0);
        return new WindowKernelTiming.Layer(s.text(), WindowKernelTiming.random(r, s.c() * s.h() * s.w()),
                new float[s.c() * oh * ow], isa -> WindowKernel.depthwise(g, wts, post, isa));
    }
}
