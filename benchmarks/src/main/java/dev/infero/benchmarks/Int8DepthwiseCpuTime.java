package dev.infero.benchmarks;

import dev.infero.cpu.jit.Jit;
import dev.infero.cpu.kernels.ActivationQuantizer;
import dev.infero.cpu.kernels.BlockedDepthwise;
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
 * INT8 models' depthwise convolution on codes ({@link WindowKernel#depthwiseOnCodes}, bias fused) on one thread, in
 * each of the forms the fusion builds, against the FP32 kernels of the same layer: one thread, every side alternated
 * round by round in one JVM, timed by the calling thread's CPU time (0.3 s of warm-up per case, each measurement the
 * mean of calls for about 5 ms, 3 more warm-up rounds). Prints per case the median time of a call in µs of:
 * <ul>
 *   <li>{@code f32} the FP32 NCHW depthwise ({@link WindowKernel#depthwise}, generated code), {@code blk} the FP32
 *       channel-blocked one ({@link BlockedDepthwise}, nChw16c);</li>
 *   <li>{@code fq/cq} float input quantized by the kernel (after a residual add) or codes the layer before wrote,
 *       writing u8 quads for the INT8 1×1 layer after it ({@link WindowKernel#writingQuads}), and {@code fc/cc} the
 *       same writing float codes ({@link WindowKernel#writingCodes}).</li>
 * </ul>
 * So {@code fq − cq} is the input quantization's cost, {@code fq − fc} that of the quads against float codes. Cases
 * {@code C:HxW:k:s} (padding k/2). Usage: {@code java -cp <benchmarks classpath>
 * dev.infero.benchmarks.Int8DepthwiseCpuTime [-Drounds=11] [-Disa=avx512|avx2] [case ...]}.
 */
public final class Int8DepthwiseCpuTime {
    /** MobileNet/EfficientNet/detector shapes, not only the shared models': 3×3 s1 and s2, 5×5, C 16…512, 8²…160². */
    private static final String[] DEFAULT = {"16:160x160:3:1", "32:112x112:3:1", "32:112x112:3:2", "96:56x56:3:2",
        "144:56x56:3:1", "64:40x40:3:1", "144:28x28:5:1", "240:28x28:5:2", "128:24x24:3:1", "192:14x14:3:1",
        "480:14x14:5:1", "256:12x12:3:1", "512:8x8:3:1", "576:10x10:3:1", "24:80x80:5:1", "128:16x16:3:2"};

    private static final String[] SIDES = {"f32", "blk", "fq", "cq", "fc", "cc"};

    public static void main(String[] args) {
        int rounds = Integer.getInteger("rounds", 11);
        String isaName = System.getProperty("isa");
        Jit.Isa isa = isaName == null ? Jit.isa() : Jit.Isa.valueOf(isaName.toUpperCase(java.util.Locale.ROOT));
        String[] specs = args.length > 0 ? args : DEFAULT;
        Random r = new Random(1);
        try (WorkerPool pool = new WorkerPool(1, "bench")) {
            List<Runnable[]> cases = new ArrayList<>();
            for (String spec : specs) {
                cases.add(build(spec, isa, pool, r));
            }
            ThreadMXBean mx = ManagementFactory.getThreadMXBean();
            long[][][] times = new long[cases.size()][SIDES.length][rounds];
            int[] reps = new int[cases.size()];
            for (int s = 0; s < cases.size(); s++) {
                Runnable[] c = cases.get(s);
                long t = mx.getCurrentThreadCpuTime();
                int calls = 0;
                while (mx.getCurrentThreadCpuTime() - t < 300_000_000L || calls < 100) {
                    for (Runnable side : c) {
                        if (side != null) {
                            side.run();
                        }
                    }
                    calls++;
                }
                long once = Math.max(1, (mx.getCurrentThreadCpuTime() - t) / calls / SIDES.length);
                reps[s] = (int) Math.max(1, Math.min(5000, 5_000_000 / once));
            }
            for (int round = -3; round < rounds; round++) {
                for (int s = 0; s < cases.size(); s++) {
                    for (int side = 0; side < SIDES.length; side++) {
                        Runnable run = cases.get(s)[side];
                        if (run == null) {
                            continue;
                        }
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
            StringBuilder head = new StringBuilder(String.format("%-18s", "µs (" + isa + ")"));
            for (String side : SIDES) {
                head.append(String.format(" %8s", side));
            }
            System.out.println(head.append("  fq/blk  cq/blk"));
            for (int s = 0; s < cases.size(); s++) {
                StringBuilder row = new StringBuilder(String.format("%-18s", specs[s]));
                double[] med = new double[SIDES.length];
                for (int side = 0; side < SIDES.length; side++) {
                    if (cases.get(s)[side] == null) {
                        row.append(String.format(" %8s", "-"));
                        continue;
                    }
                    Arrays.sort(times[s][side]);
                    med[side] = times[s][side][rounds / 2] / 1e3;
                    row.append(String.format(" %8.1f", med[side]));
                }
                System.out.println(row.append(String.format("  %6.2f  %6.2f", med[2] / med[1], med[3] / med[1])));
            }
        }
    }

    private static Runnable[] build(String spec, Jit.Isa isa, WorkerPool pool, Random r) {
        String[] f = spec.split(":");
        int c = Integer.parseInt(f[0]);
        String[] hw = f[1].split("x");
        int h = Integer.parseInt(hw[0]);
        int w = Integer.parseInt(hw[1]);
        int k = Integer.parseInt(f[2]);
        int s = Integer.parseInt(f[3]);
        int pad = k / 2;
        int oh = (h + 2 * pad - k) / s + 1;
        int ow = (w + 2 * pad - k) / s + 1;
        ConvGeometry g = new ConvGeometry(1, c, h, w, c, oh, ow, k, k, s, s, 1, 1, pad, pad, c);
        float[] in = WindowKernelTiming.random(r, c * h * w);
        float[] wts = WindowKernelTiming.random(r, c * k * k);
        PostOps post = new PostOps(WindowKernelTiming.random(r, c), false, PostOps.Activation.NONE, 0, 0);
        ActivationQuantizer[] inCodes = new ActivationQuantizer[c];
        ActivationQuantizer[] outCodes = new ActivationQuantizer[c];
        for (int i = 0; i < c; i++) {
            inCodes[i] = ActivationQuantizer.of(-128 * 0.01f, 127 * 0.01f, 256);
            outCodes[i] = ActivationQuantizer.of(-100 * 0.02f, 155 * 0.02f, 256);
        }
        float[] codes = new float[in.length];
        for (int i = 0; i < c; i++) {
            inCodes[i].quantize(in, i * h * w, codes, i * h * w, h * w);
        }
        float[] out = new float[c * oh * ow];
        float[] inB = new float[BlockedReorder.blockedSize(c, h, w)];
        BlockedReorder.toBlocked(in, 0, inB, 0, c, h, w);
        float[] outB = new float[BlockedReorder.blockedSize(c, oh, ow)];
        WindowKernel f32 = WindowKernel.depthwise(g, wts, post, isa);
        BlockedDepthwise blk = BlockedDepthwise.of(g, wts, post, isa);
        WindowKernel fc = WindowKernel.depthwiseOnCodes(g, wts, inCodes, post, isa).writingCodes(outCodes);
        WindowKernel cc = fc.readingCodes();
        WindowKernel fq = fc.canWriteQuads() ? fc.writingQuads() : null;
        WindowKernel cq = fq == null ? null : fq.readingCodes();
        int items = blk.items();
        return new Runnable[] {side(f32, in, out, pool), () -> {
            for (int i = 0; i < items; i++) {
                blk.runItem(inB, 0, outB, 0, null, i);
            }
        }, side(fq, in, out, pool), side(cq, codes, out, pool), side(fc, in, out, pool), side(cc, codes, out, pool)};
    }

    private static Runnable side(WindowKernel k, float[] in, float[] out, WorkerPool pool) {
        if (k == null) {
            return null;
        }
        WindowKernel.Scratch scratch = k.newScratch(1);
        return () -> k.run(in, out, null, scratch, pool);
    }
}
