package dev.infero.cpu.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.image.Interpolate;
import dev.infero.core.ops.eltwise.Exp;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.AvgPool;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.ops.reduce.ReduceMean;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.CpuDevice;
import dev.infero.cpu.TwoRuns;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.RandomData;
import dev.infero.testing.TensorAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The blocked layout ({@link NchwcTransform}) computes what the NCHW plan computes ({@code -Dinfero.cpu.blocked=off}),
 * on random CNN graphs: a stem reading 3 image planes or a model input of 16–32 channels, then blocks of 3×3 and 1×1
 * convolutions (stride 1 and 2, padding, BatchNorm or bias, ReLU / clamp / PReLU / SiLU written out / sigmoid),
 * depthwise convolutions, residual Adds, max and average pooling, branches joined by a channel Concat or an Add, and
 * now and then a layer of a channel count the blocked kernels do not take (24), which forces reorders back and forth;
 * intermediate values as extra model outputs; batch 1 and 2, one and two threads, each request run twice.
 */
class NchwcTransformTest {
    private static final int GRAPHS = 40;
    private static final String SWITCH = "infero.cpu.blocked";

    private static WindowGeometry window(int stride, int pad) {
        return new WindowGeometry(new long[] {stride, stride}, new long[] {1, 1}, new long[] {pad, pad},
                new long[] {pad, pad}, AutoPad.EXPLICIT, false);
    }

    static Graph graph(long seed, int batch) {
        Random r = new Random(seed);
        GraphBuilder b = new GraphBuilder("nchwc" + seed);
        int cin = switch (r.nextInt(3)) {
            case 0 -> 3;
            case 1 -> 16;
            default -> 32;
        };
        int h = 6 + r.nextInt(15);
        int w = 6 + r.nextInt(19);
        Value v = b.input("x", ElementType.F32, batch, cin, h, w);
        int c = cin;
        if (cin == 3) {
            c = 16 * (1 + r.nextInt(2));
            v = activate(b, r, affine(b, r, conv(b, r, v, cin, c, 3, window(r.nextInt(3) == 0 ? 2 : 1, 1)), c), c);
        }
        int blocks = 2 + r.nextInt(4);
        for (int i = 0; i < blocks; i++) {
            int kind = r.nextInt(11);
            switch (kind) {
                case 0 -> { // 3×3, maybe strided
                    int cout = r.nextInt(6) == 0 ? 24 : 16 * (1 + r.nextInt(3));
                    int stride = v.shape().dim(2) > 4 && r.nextInt(3) == 0 ? 2 : 1;
                    v = activate(b, r, affine(b, r, conv(b, r, v, c, cout, 3, window(stride, 1)), cout), cout);
                    c = cout;
                }
                case 1 -> { // 1×1 with a residual when the shape allows
                    Value y = affine(b, r, conv(b, r, v, c, c, 1, window(1, 0)), c);
                    y = b.op(new Add(), y, v);
                    v = activate(b, r, y, c);
                }
                case 2 -> { // depthwise
                    int stride = v.shape().dim(2) > 4 && r.nextBoolean() ? 2 : 1;
                    v = b.op(new GroupConvolution(window(stride, 1)), v, b.constant(scaled(RandomData.tensor(r, c, 1, 1, 3, 3), 9)));
                    v = activate(b, r, affine(b, r, v, c), c);
                }
                // Max pooling now and then as MaxPool-8 (its indices output unread, as OpenVINO IRs write it).
                case 3 -> v = v.shape().dim(2) > 3 && v.shape().dim(3) > 3
                        ? r.nextBoolean() ? b.op(new MaxPool(new long[] {3, 3}, window(2, 1), r.nextBoolean()), v)
                        : b.op(new AvgPool(new long[] {2, 2}, window(2, 0), r.nextBoolean()), v)
                        : b.op(new Relu(), v);
                case 4 -> { // two branches joined by a channel Concat
                    int c1 = 16;
                    int c2 = r.nextInt(5) == 0 ? 8 : 16;
                    Value a = b.op(new Relu(), conv(b, r, v, c, c1, 1, window(1, 0)));
                    Value d = b.op(new Relu(), conv(b, r, v, c, c2, 3, window(1, 1)));
                    v = b.op(new Concat(1), a, d);
                    c = c1 + c2;
                }
                case 5 -> { // two branches joined by an Add, then sigmoid
                    Value a = conv(b, r, v, c, c, 1, window(1, 0));
                    Value d = conv(b, r, v, c, c, 3, window(1, 1));
                    v = b.op(new Sigmoid(), b.op(new Add(), b.op(new Relu(), a), d));
                }
                case 6 -> b.output(b.op(new Relu(), v)); // an intermediate read by a model output too
                case 10 -> { // nearest upsampling by 2 (or to odd sizes), joined with a convolution of its output
                    int oh = r.nextBoolean() ? 2 * v.shape().dim(2) : v.shape().dim(2) + 3;
                    int ow = 2 * v.shape().dim(3);
                    var a = new Interpolate.Attributes("nearest", true, r.nextBoolean() ? "asymmetric" : "half_pixel",
                            "round_prefer_floor", false, -0.75, false, 0, "stretch");
                    v = b.op(new Interpolate(a), v, b.constant(Tensor.of(new long[] {oh, ow}, 2)),
                            b.constant(Tensor.of(new long[] {2, 3}, 2)));
                    Value d = b.op(new Relu(), conv(b, r, v, c, 16, 3, window(1, 1)));
                    v = b.op(new Concat(1), v, d);
                    c += 16;
                }
                case 8 -> { // squeeze and excitation: a gate per channel from the global mean
                    Value mean = b.op(new ReduceMean(true), v, b.constant(Tensor.vector(2, 3)));
                    int mid = 8;
                    Value squeeze = b.op(new Relu(), conv(b, r, mean, c, mid, 1, window(1, 0)));
                    Value gate = b.op(new Sigmoid(), conv(b, r, squeeze, mid, c, 1, window(1, 0)));
                    v = b.op(new Multiply(), v, gate);
                }
                case 9 -> { // per-channel constants after pooling (no convolution to fold them into)
                    v = b.op(new MaxPool(new long[] {2, 2}, window(1, 0), false), v);
                    v = b.op(new Add(), b.op(new Multiply(), v, b.constant(RandomData.tensor(r, 1, c, 1, 1))),
                            b.constant(RandomData.tensor(r, 1, c, 1, 1)));
                }
                default -> { // a 1×1 to 32
                    v = activate(b, r, conv(b, r, v, c, 32, 1, window(1, 0)), 32);
                    c = 32;
                }
            }
        }
        b.output(v);
        if (r.nextInt(3) == 0) {
            b.output(b.op(new ReduceMean(true), v, b.constant(Tensor.vector(-1, -2))));
        }
        return b.graph();
    }

    /** A convolution with weights scaled as He's initialisation, so activations stay near 1 through the graph. */
    private static Value conv(GraphBuilder b, Random r, Value x, int in, int out, int k, WindowGeometry win) {
        return b.op(new Convolution(win), x, b.constant(scaled(RandomData.tensor(r, out, in, k, k), in * k * k)));
    }

    private static Tensor scaled(Tensor t, int fanIn) {
        float[] v = t.floats();
        float s = (float) Math.sqrt(2.0 / fanIn);
        for (int i = 0; i < v.length; i++) {
            v[i] *= s;
        }
        return t;
    }

    private static Value affine(GraphBuilder b, Random r, Value y, int c) {
        return switch (r.nextInt(3)) {
            case 0 -> b.op(new Add(), y, b.constant(RandomData.tensor(r, 1, c, 1, 1)));
            case 1 -> b.op(new BatchNormInference(1e-5), y, b.constant(RandomData.tensor(r, c)),
                    b.constant(RandomData.tensor(r, c)), b.constant(RandomData.tensor(r, c)),
                    b.constant(positive(r, c)));
            default -> y;
        };
    }

    private static Tensor positive(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.5f + r.nextFloat();
        }
        return Tensor.of(v, n);
    }

    private static Value activate(GraphBuilder b, Random r, Value y, int channels) {
        return switch (r.nextInt(6)) {
            case 0 -> y;
            case 1, 2 -> b.op(new Relu(), y);
            case 3 -> b.op(new Clamp(0, 6), y);
            case 4 -> b.op(new PRelu(), y, b.constant(RandomData.tensor(r, 1, channels, 1, 1)));
            default -> b.op(new Multiply(), y, b.op(new Sigmoid(), y));
        };
    }

    @Test
    void blockedOpsComputeWhatTheNchwPlanComputes() {
        int rewritten = 0;
        for (long seed = 0; seed < GRAPHS; seed++) {
            rewritten += compare(seed, seed % 5 == 4 ? 2 : 1, 1 + (int) (seed % 2), "all");
        }
        assertTrue(rewritten >= GRAPHS * 3 / 4, "graphs rewritten: " + rewritten);
    }

    /**
     * The layers the blocked kernels take, without the cost rule (none with the JIT off: the plan stays NCHW); and
     * the default, with it.
     */
    @Test
    void onTheBlockedKernels() {
        int rewritten = 0;
        for (long seed = 50; seed < 50 + GRAPHS; seed++) {
            rewritten += compare(seed, seed % 5 == 4 ? 2 : 1, 1 + (int) (seed % 2), "ungated");
            compare(seed, 1, 1 + (int) (seed % 2), "on");
        }
        if (dev.infero.cpu.jit.Jit.isa("blocked") != null) {
            assertTrue(rewritten >= GRAPHS * 3 / 4, "graphs rewritten: " + rewritten);
        } else {
            assertEquals(0, rewritten, "no blocked layer without the blocked kernels");
        }
    }

    /**
     * Every 3×3 stride-1 layer the blocked Winograd F(4×4, 3×3) fits on it ({@code -Dinfero.cpu.winograd=force}),
     * residuals, activations, batch 2 and two threads included, against the NCHW plan.
     */
    @Test
    void onTheBlockedWinograd() {
        System.setProperty("infero.cpu.winograd", "force");
        int taken = 0;
        try {
            for (long seed = 100; seed < 100 + GRAPHS; seed++) {
                List<ProfilingInfo> rows = new ArrayList<>();
                compare(seed, seed % 5 == 4 ? 2 : 1, 1 + (int) (seed % 2), "ungated", rows);
                taken += (int) rows.stream().filter(p -> p.execType().contains("winograd")).count();
            }
        } finally {
            System.clearProperty("infero.cpu.winograd");
        }
        if (dev.infero.cpu.jit.Jit.isa("blocked") != null) {
            assertTrue(taken >= GRAPHS / 2, "layers on the blocked Winograd: " + taken);
        }
    }

    /**
     * The cost rule: a short run of small layers between NCHW-only ops (a channel Pad on each side, as in
     * BlazeFace-style residuals) pays less than its two reorders and stays NCHW; a long chain of large layers is
     * blocked with one reorder at each end.
     */
    @Test
    void regionsMustPayForTheirReorders() {
        Random r = new Random(11);
        GraphBuilder small = new GraphBuilder("small");
        Value x = small.input("x", ElementType.F32, 1, 16, 16, 16);
        Value pad = small.op(new dev.infero.core.ops.movement.Pad(dev.infero.core.ops.movement.Pad.Mode.CONSTANT), x,
                small.constant(Tensor.of(new long[] {0, 0, 0, 0}, 4)),
                small.constant(Tensor.of(new long[] {0, 16, 0, 0}, 4)), small.constant(Tensor.scalar(0f)));
        Value y = small.op(new Relu(), conv(small, r, pad, 32, 32, 1, window(1, 0)));
        small.output(small.op(new dev.infero.core.ops.movement.Pad(dev.infero.core.ops.movement.Pad.Mode.CONSTANT),
                y, small.constant(Tensor.of(new long[] {0, 0, 0, 0}, 4)),
                small.constant(Tensor.of(new long[] {0, 16, 0, 0}, 4)), small.constant(Tensor.scalar(0f))));
        Graph g = small.graph();
        assertSame(g, NchwcTransform.apply(g, new CostOnly()));

        GraphBuilder large = new GraphBuilder("large");
        Value v = large.input("x", ElementType.F32, 1, 64, 56, 56);
        for (int i = 0; i < 4; i++) {
            v = large.op(new Relu(), conv(large, r, v, 64, 64, 3, window(1, 1)));
        }
        large.output(v);
        Graph blocked = NchwcTransform.apply(large.graph(), new CostOnly());
        assertEquals(4, blocked.nodes().stream().filter(n -> n.type().equals("Conv")).count());
        assertEquals(1, blocked.nodes().stream().filter(n -> n.type().equals("ReorderInput")).count());
        assertEquals(1, blocked.nodes().stream().filter(n -> n.type().equals("ReorderOutput")).count());
    }

    /** Every layer covered, the cost rule on: what the rule decides alone, whatever the machine's kernels. */
    private static final class CostOnly implements NchwcTransform.Support {
        @Override
        public boolean convolution(dev.infero.cpu.kernels.ConvGeometry g, float[] weights,
                                   dev.infero.cpu.kernels.PostOps post, boolean inputBlocked) {
            return true;
        }

        @Override
        public boolean pooling(dev.infero.cpu.blocked.NchwcPooling p) {
            return true;
        }
    }

    @Test
    void int8GraphsStayAsTheyAre() {
        GraphBuilder b = new GraphBuilder("int8");
        Value x = b.input("x", ElementType.F32, 1, 16, 8, 8);
        Value lo = b.constant(Tensor.of(new float[] {0f}, 1, 1, 1, 1));
        Value hi = b.constant(Tensor.of(new float[] {2f}, 1, 1, 1, 1));
        Value q = b.op(new FakeQuantize(256), x, lo, hi, lo, hi);
        b.output(b.op(new Convolution(window(1, 1)), q, b.constant(RandomData.tensor(new Random(1), 16, 16, 3, 3))));
        Graph g = b.graph();
        assertSame(g, NchwcTransform.apply(g, NchwcTransform.Support.ALL));
    }

    @Test
    void reordersOncePerValue() {
        // An Exp of a 24-channel value (padded lanes; Exp might not keep them finite) runs in NCHW between blocked
        // layers.
        GraphBuilder b = new GraphBuilder("boundary");
        Random r = new Random(7);
        Value x = b.input("x", ElementType.F32, 1, 16, 10, 12);
        Value a = b.op(new Relu(), conv(b, r, x, 16, 16, 3, window(1, 1)));
        Value odd = b.op(new Exp(), conv(b, r, a, 16, 24, 1, window(1, 0)));
        Value back = conv(b, r, odd, 24, 16, 1, window(1, 0));
        b.output(b.op(new Add(), back, a));
        b.output(a);
        b.output(odd);
        Graph g = NchwcTransform.apply(b.graph(), NchwcTransform.Support.ALL);
        Map<String, Long> types = new java.util.TreeMap<>();
        java.util.Set<Value> reordered = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Node n : g.nodes()) {
            types.merge(n.type(), 1L, Long::sum);
            if (n.type().startsWith("Reorder")) {
                assertTrue(reordered.add(n.input(0)), "reordered twice: " + n.input(0));
            }
        }
        // In: x and the Exp's output. Out: the 24-channel convolution's output (for the Exp), a and the sum (model
        // outputs). All three convolutions blocked, the last with a's blocked value as its residual.
        assertEquals(2L, types.get("ReorderInput"), types.toString());
        assertEquals(3L, types.get("ReorderOutput"), types.toString());
        assertEquals(3L, types.get("Conv"), types.toString());
        assertEquals(1L, types.get("Exp"), types.toString());
    }

    /** Runs graph {@code seed} in NCHW and with {@code mode}; asserts the outputs agree; returns 1 if it was rewritten. */
    static int compare(long seed, int batch, int threads, String mode) {
        return compare(seed, batch, threads, mode, new ArrayList<>());
    }

    /** As above, the blocked plan's per-layer rows added to {@code rows}. */
    static int compare(long seed, int batch, int threads, String mode, List<ProfilingInfo> rows) {
        Graph g = graph(seed, batch);
        Tensor x = RandomData.tensor(new Random(seed + 1000), g.parameters().get(0).output(0).shape().toArray());
        Tensor[] expected;
        System.setProperty(SWITCH, "off");
        try {
            expected = run(graph(seed, batch), x, threads, null);
        } finally {
            System.clearProperty(SWITCH);
        }
        Tensor[] actual;
        System.setProperty(SWITCH, mode);
        try {
            actual = run(g, x, threads, rows);
        } finally {
            System.clearProperty(SWITCH);
        }
        assertEquals(expected.length, actual.length);
        for (int o = 0; o < expected.length; o++) {
            TensorAssert.assertClose(expected[o], actual[o], 1e-4, 1e-4);
        }
        return rows.stream().anyMatch(p -> p.nodeName().endsWith("_reorder") || p.nodeType().equals("Conv")) ? 1 : 0;
    }

    private static Tensor[] run(Graph g, Tensor x, int threads, List<ProfilingInfo> rows) {
        return TwoRuns.outputs(new CpuDevice().compile(g,
                Map.of("INFERENCE_NUM_THREADS", Integer.toString(threads))), g, x, rows);
    }
}
