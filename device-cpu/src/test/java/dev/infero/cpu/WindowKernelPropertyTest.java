package dev.infero.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Depthwise convolution, max pooling and average pooling on the window kernel agree with the ops' reference
 * evaluation on random shapes: odd widths 1..40, asymmetric padding, strides 1..3, dilations, ceil mode, batch > 1,
 * one and two threads.
 */
@ExtendWith(NchwPlan.class)
class WindowKernelPropertyTest {

    private static final int CASES = 120;

    private enum Kind { DEPTHWISE, MAX, AVG_INCLUDE_PAD, AVG_EXCLUDE_PAD }

    @Test
    void depthwiseConvolutionMatchesTheReference() {
        runCases(Kind.DEPTHWISE, 1);
    }

    @Test
    void maxPoolingMatchesTheReference() {
        runCases(Kind.MAX, 2);
    }

    /** 2×2 stride-2 max pooling has a path of its own when unpadded; odd sizes and ceil mode included. */
    @Test
    void halvingMaxPoolingMatchesTheReference() {
        Random r = new Random(5);
        for (int i = 0; i < CASES; i++) {
            int[] shape = {1 + r.nextInt(2), 1 + r.nextInt(4), 2 + r.nextInt(40), 2 + r.nextInt(40)};
            boolean ceil = r.nextBoolean();
            WindowGeometry window = new WindowGeometry(new long[] {2, 2}, new long[] {1, 1}, new long[] {0, 0},
                    new long[] {0, 0}, AutoPad.EXPLICIT, ceil);
            check(Kind.MAX, window, shape, 2, 2, 1 + r.nextInt(2), r,
                    "2x2/2 max case " + i + ": " + java.util.Arrays.toString(shape) + " ceil " + ceil);
        }
    }

    /**
     * 3×3 max pooling at horizontal stride 2 runs separably from the input (SqueezeNet's, ceil-rounded OMZ IRs'): odd
     * and even widths below and above a vector, any vertical stride, padding, ceil mode.
     */
    @Test
    void separableMaxPoolingMatchesTheReference() {
        Random r = new Random(6);
        for (int i = 0; i < CASES; i++) {
            int[] shape = {1 + r.nextInt(2), 1 + r.nextInt(4), 3 + r.nextInt(60), 3 + r.nextInt(60)};
            boolean ceil = r.nextBoolean();
            long sh = 1 + r.nextInt(2);
            long[] begin = {r.nextInt(2), r.nextInt(2)};
            long[] end = {r.nextInt(2), r.nextInt(2)};
            WindowGeometry window = new WindowGeometry(new long[] {sh, 2}, new long[] {1, 1}, begin, end,
                    AutoPad.EXPLICIT, ceil);
            check(Kind.MAX, window, shape, 3, 3, 1 + r.nextInt(2), r, "3x3/2 max case " + i + ": "
                    + java.util.Arrays.toString(shape) + " stride " + sh + "x2 pads " + java.util.Arrays.toString(begin)
                    + java.util.Arrays.toString(end) + " ceil " + ceil);
        }
    }

    /**
     * Max pooling at stride 1 over windows of 16 taps or more runs by doubling spans (SPP's and SPPF's 5×5, 9×9,
     * 13×13 with "same" padding): square and oblong windows up to 13, pads up to half the window, ceil mode, planes
     * narrower and wider than a vector, batch 2, one and two threads.
     */
    @Test
    void largeWindowMaxPoolingMatchesTheReference() {
        Random r = new Random(7);
        int[] sizes = {4, 5, 6, 9, 13};
        for (int i = 0; i < CASES; i++) {
            int kh = i % 4 == 0 ? 1 + r.nextInt(13) : sizes[r.nextInt(sizes.length)];
            int kw = i % 4 == 0 ? Math.max(1, (16 + kh - 1) / kh + r.nextInt(4)) : i % 3 == 0 ? kh
                    : sizes[r.nextInt(sizes.length)];
            if (kh * kw < 16) {
                continue;
            }
            long[] begin = {r.nextInt(kh / 2 + 1), r.nextInt(kw / 2 + 1)};
            long[] end = {r.nextInt(kh / 2 + 1), r.nextInt(kw / 2 + 1)};
            int h = Math.max(1, kh - (int) (begin[0] + end[0])) + r.nextInt(30);
            int w = Math.max(1, kw - (int) (begin[1] + end[1])) + r.nextInt(30);
            int[] shape = {1 + r.nextInt(2), 1 + r.nextInt(4), h, w};
            boolean ceil = r.nextBoolean();
            WindowGeometry window = new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, begin, end,
                    AutoPad.EXPLICIT, ceil);
            check(Kind.MAX, window, shape, kh, kw, 1 + r.nextInt(2), r, "large max case " + i + ": "
                    + java.util.Arrays.toString(shape) + " k" + kh + "x" + kw + " pads "
                    + java.util.Arrays.toString(begin) + java.util.Arrays.toString(end) + " ceil " + ceil);
        }
    }

    @Test
    void averagePoolingMatchesTheReference() {
        runCases(Kind.AVG_INCLUDE_PAD, 3);
        runCases(Kind.AVG_EXCLUDE_PAD, 4);
    }

    private static void runCases(Kind kind, long seed) {
        Random r = new Random(seed);
        for (int i = 0; i < CASES; i++) {
            int n = 1 + r.nextInt(2);
            int c = 1 + r.nextInt(5);
            int h = 1 + r.nextInt(40);
            int w = 1 + r.nextInt(40);
            // Every third depthwise case is 3×3, which has a kernel of its own.
            boolean threeByThree = kind == Kind.DEPTHWISE && i % 3 == 0;
            int kh = threeByThree ? 3 : 1 + r.nextInt(5);
            int kw = threeByThree ? 3 : 1 + r.nextInt(5);
            int sh = 1 + r.nextInt(3);
            int sw = 1 + r.nextInt(3);
            int dh = kind == Kind.DEPTHWISE || kind == Kind.MAX ? 1 + r.nextInt(2) : 1;
            int dw = kind == Kind.DEPTHWISE || kind == Kind.MAX ? 1 + r.nextInt(2) : 1;
            // Pooling pads must stay below the kernel size, so that no window lies entirely in the padding.
            int[] pads = new int[4];
            for (int p = 0; p < 4; p++) {
                int limit = kind == Kind.DEPTHWISE ? 3 : ((p % 2 == 0 ? kh : kw) + 1) / 2;
                pads[p] = r.nextInt(limit);
            }
            boolean ceil = kind != Kind.DEPTHWISE && r.nextBoolean();
            if ((h + pads[0] + pads[2] - (kh - 1) * dh - 1) < 0 || (w + pads[1] + pads[3] - (kw - 1) * dw - 1) < 0) {
                continue;
            }
            String label = kind + " case " + i + ": n" + n + " c" + c + " " + h + "x" + w + " k" + kh + "x" + kw + " s"
                    + sh + "x" + sw + " d" + dh + "x" + dw + " pads " + java.util.Arrays.toString(pads) + " ceil "
                    + ceil;
            WindowGeometry window = new WindowGeometry(new long[] {sh, sw}, new long[] {dh, dw},
                    new long[] {pads[0], pads[1]}, new long[] {pads[2], pads[3]}, AutoPad.EXPLICIT, ceil);
            check(kind, window, new int[] {n, c, h, w}, kh, kw, 1 + r.nextInt(2), r, label);
        }
    }

    private static void check(Kind kind, WindowGeometry window, int[] shape, int kh, int kw, int threads, Random r,
                              String label) {
        Tensor x = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < x.size(); i++) {
            x.floats()[i] = r.nextFloat() * 2 - 1;
        }
        Graph g = new Graph("window");
        Value in = g.addParameter("x", ElementType.F32, PartialShape.of(shape)).output(0);
        Op op;
        Tensor[] opInputs;
        Value y;
        String expectedExec;
        if (kind == Kind.DEPTHWISE) {
            float[] wts = new float[shape[1] * kh * kw];
            for (int i = 0; i < wts.length; i++) {
                wts[i] = r.nextFloat() * 2 - 1;
            }
            Tensor weights = Tensor.of(wts, shape[1], 1, 1, kh, kw);
            op = new GroupConvolution(window);
            opInputs = new Tensor[] {x, weights};
            y = g.value(op, "dw", in, g.addConstant("w", weights).output(0));
            expectedExec = "depthwise_";
        } else {
            long[] kernel = {kh, kw};
            op = kind == Kind.MAX ? new MaxPool(kernel, window, false)
                    : new AvgPool(kernel, window, kind == Kind.AVG_EXCLUDE_PAD);
            opInputs = new Tensor[] {x};
            y = g.value(op, "pool", in);
            expectedExec = kind == Kind.MAX ? "max_pool_" : "avg_pool_";
        }
        g.addResult("y", y);
        Tensor expected = Tensor.allocate(ElementType.F32, y.shape().toArray());
        op.evaluate(opInputs, new Tensor[] {expected});

        try (var compiled = new CpuDevice().compile(g, Map.of("INFERENCE_NUM_THREADS", Integer.toString(threads)))) {
            ExecutionRequest request = compiled.newRequest();
            request.setProfiling(true);
            request.setInput(0, x);
            request.run();
            String exec = request.profilingInfo().get(0).execType();
            assertTrue(exec.startsWith(expectedExec), label + ": ran on " + exec);
            float[] actual = request.output(0).toFloatArray();
            float[] want = expected.floats();
            assertEquals(want.length, actual.length, label);
            for (int i = 0; i < want.length; i++) {
                // Max pooling is exact; sums may associate differently from the reference.
                float tolerance = kind == Kind.MAX ? 0f : 1e-5f * (1 + Math.abs(want[i])) * kh * kw;
                assertEquals(want[i], actual[i], tolerance, label + " at " + i);
            }
        }
    }
}
