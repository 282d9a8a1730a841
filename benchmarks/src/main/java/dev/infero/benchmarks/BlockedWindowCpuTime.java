package dev.infero.benchmarks;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.BlockedDepthwise;
import dev.infero.cpu.kernels.BlockedPool;
import dev.infero.cpu.kernels.BlockedReorder;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.cpu.kernels.PostOps;
import dev.infero.cpu.kernels.WindowKernel;
import dev.infero.cpu.parallel.WorkerPool;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The channel-blocked (nChw16c) depthwise convolution and pooling against their NCHW kernels ({@link WindowKernel},
 * generated code for the same ISA), and the reorders against a plain copy of the same bytes: one thread, each pair
 * alternated round by round in one JVM, timed by the calling thread's CPU time (after 0.4 s of warm-up per case, a measurement is the
 * mean of enough calls for about 5 ms per side; 3 more warm-up rounds). Prints per case the median time of a call of each side in ms, the ratio
 * blocked / NCHW, and each side's GB/s (activation bytes read and written over the median time).
 *
 * <p>Cases: {@code dw:C:HxW:k:s[:pad]} (depthwise, padding k/2 unless given, bias + ReLU fused), {@code max:C:HxW:k:s:pad},
 * {@code avg:C:HxW:k:s:pad}, {@code gap:C:HxW} (global average), {@code to:C:HxW} and {@code from:C:HxW} (reorders;
 * their reference is {@code System.arraycopy} of the blocked image's size). Usage: {@code java -cp <benchmarks
 * classpath> dev.infero.benchmarks.BlockedWindowCpuTime [-Drounds=11] [-Disa=avx512|avx2] [case ...]}.
 */
public final class BlockedWindowCpuTime {
    private static final String[] DEFAULT = {"dw:32:240x320:3:2", "dw:32:240x320:3:1", "dw:64:120x160:3:1",
        "dw:64:120x160:3:2", "dw:128:60x80:3:1", "dw:256:15x20:3:1", "dw:144:56x56:3:1", "dw:576:14x14:3:1",
        "dw:240:28x28:5:1", "max:64:112x112:3:2:1", "max:64:112x112:2:2:0", "gap:2048:7x7", "to:64:112x112",
        "from:64:112x112", "to:32:240x320", "from:32:240x320"};

    /** One case: the NCHW side and the blocked side, each a call; bytes moved by one call. */
    private record Case(String name, Runnable nchw, Runnable blocked, long bytes) {
    }

    public static void main(String[] args) {
        int rounds = Integer.getInteger("rounds", 11);
        String isaName = System.getProperty("isa");
        Jit.Isa isa = isaName == null ? Jit.isa() : Jit.Isa.valueOf(isaName.toUpperCase(java.util.Locale.ROOT));
        String[] specs = args.length > 0 ? args : DEFAULT;
        Random r = new Random(1);
        try (WorkerPool pool = new WorkerPool(1, "bench")) {
            List<Case> cases = new ArrayList<>();
            for (String spec : specs) {
                cases.add(build(spec, isa, pool, r));
            }
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long[][][] times = new long[cases.size()][2][rounds];
            int[] reps = new int[cases.size()];
            for (int s = 0; s < cases.size(); s++) {
                Case c = cases.get(s);
                // Warm up (C2 compiles the Vector API loops), then calibrate to about 10 ms per measurement.
                long t = mx.getCurrentThreadCpuTime();
                int calls = 0;
                while (mx.getCurrentThreadCpuTime() - t < 400_000_000L || calls < 200) {
                    c.nchw().run();
                    c.blocked().run();
                    calls++;
                }
                long once = Math.max(1, (mx.getCurrentThreadCpuTime() - t) / calls);
                reps[s] = (int) Math.max(1, Math.min(5000, 10_000_000 / once));
            }
            for (int round = -3; round < rounds; round++) {
                for (int s = 0; s < cases.size(); s++) {
                    for (int side = 0; side < 2; side++) {
                        Runnable run = side == 0 ? cases.get(s).nchw() : cases.get(s).blocked();
                        long t = mx.getCurrentThreadCpuTime();
                        for (int i = 0; i < reps[s]; i++) {
                            run.run();
                        }
                        if (round >= 0) {
                            times[s][side][round] = (mx.getCurrentThreadCpuTime() - t) / reps[s];
                        }
                    }
                }
            }
            System.out.printf("%-24s %10s %10s %7s %9s %9s%n", "case (" + isa + ")", "NCHW ms", "blocked ms", "ratio",
                    "NCHW GB/s", "blk GB/s");
            for (int s = 0; s < cases.size(); s++) {
                Arrays.sort(times[s][0]);
                Arrays.sort(times[s][1]);
                double a = times[s][0][rounds / 2] / 1e6;
                double b = times[s][1][rounds / 2] / 1e6;
                long bytes = cases.get(s).bytes();
                System.out.printf("%-24s %10.4f %10.4f %7.2f %9.1f %9.1f%n", cases.get(s).name(), a, b, b / a,
                        bytes / (a * 1e6), bytes / (b * 1e6));
            }
        }
    }

    private static Case build(String spec, Jit.Isa isa, WorkerPool pool, Random r) {
        String[] f = spec.split(":");
        String kind = f[0];
        int c = Integer.parseInt(f[1]);
        String[] hw = f[2].split("x");
        int h = Integer.parseInt(hw[0]);
        int w = Integer.parseInt(hw[1]);
        float[] in = WindowKernelTiming.random(r, c * h * w);
        float[] inB = new float[BlockedReorder.blockedSize(c, h, w)];
        BlockedReorder.toBlocked(in, 0, inB, 0, c, h, w);
        switch (kind) {
            case "to", "from" -> {
                float[] copy = new float[inB.length];
                Runnable blocked = kind.equals("to") ? () -> BlockedReorder.toBlocked(in, 0, inB, 0, c, h, w)
                        : () -> BlockedReorder.fromBlocked(inB, 0, in, 0, c, h, w);
                return new Case(spec, () -> System.arraycopy(inB, 0, copy, 0, copy.length), blocked,
                        BlockedReorder.bytes(c, h, w));
            }
            case "gap" -> {
                ConvGeometry g = new ConvGeometry(1, c, h, w, c, 1, 1, h, w, 1, 1, 1, 1, 0, 0, c);
                WindowKernel nchw = WindowKernel.avgPool(g, false, 0, 0, isa);
                BlockedPool blocked = BlockedPool.globalAverage(c, h, w);
                return pair(spec, g, nchw, null, blocked, in, inB, pool);
            }
            default -> {
            }
        }
        int k = Integer.parseInt(f[3]);
        int s = Integer.parseInt(f[4]);
        int pad = f.length > 5 ? Integer.parseInt(f[5]) : k / 2;
        int oh = (h + 2 * pad - k) / s + 1;
        int ow = (w + 2 * pad - k) / s + 1;
        ConvGeometry g = new ConvGeometry(1, c, h, w, c, oh, ow, k, k, s, s, 1, 1, pad, pad, c);
        if (kind.equals("dw")) {
            float[] wts = WindowKernelTiming.random(r, c * k * k);
            PostOps post = new PostOps(WindowKernelTiming.random(r, c), false, PostOps.Activation.RELU, 0, 0);
            return pair(spec, g, WindowKernel.depthwise(g, wts, post, isa), BlockedDepthwise.of(g, wts, post, isa),
                    null, in, inB, pool);
        }
        boolean max = kind.equals("max");
        int padBottom = (oh - 1) * s + k - h - pad;
        int padRight = (ow - 1) * s + k - w - pad;
        WindowKernel nchw = max ? WindowKernel.maxPool(g, isa) : WindowKernel.avgPool(g, false, padBottom, padRight, isa);
        BlockedPool blocked = max ? BlockedPool.max(g, isa) : BlockedPool.average(g, false, padBottom, padRight, isa);
        return pair(spec, g, nchw, null, blocked, in, inB, pool);
    }

    private static Case pair(String spec, ConvGeometry g, WindowKernel nchw, BlockedDepthwise dw, BlockedPool pool,
                             float[] in, float[] inB, WorkerPool workers) {
        int c = g.inChannels();
        float[] out = new float[c * g.outH() * g.outW()];
        float[] outB = new float[BlockedReorder.blockedSize(c, g.outH(), g.outW())];
        WindowKernel.Scratch scratch = nchw.newScratch(1);
        Runnable blocked;
        if (dw != null) {
            int items = dw.items();
            blocked = () -> {
                for (int i = 0; i < items; i++) {
                    dw.runItem(inB, 0, outB, 0, null, i);
                }
            };
        } else {
            int items = pool.items();
            blocked = () -> {
                for (int i = 0; i < items; i++) {
                    pool.runItem(inB, 0, outB, 0, i);
                }
            };
        }
        return new Case(spec + " " + (dw != null ? dw.implementation() : pool.implementation()),
                () -> nchw.run(in, out, null, scratch, workers), blocked, g.activationBytes());
    }
}
