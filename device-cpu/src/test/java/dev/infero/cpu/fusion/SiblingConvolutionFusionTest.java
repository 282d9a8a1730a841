package dev.infero.cpu.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.CpuDevice;
import dev.infero.cpu.NchwPlan;
import dev.infero.cpu.TwoRuns;
import dev.infero.cpu.kernels.ConvGeometry;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.RandomData;
import dev.infero.testing.TensorAssert;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Sibling convolutions run as one ({@link SiblingConvolutionFusion}) compute what the plan with each convolution on
 * its own computes ({@code -Dinfero.cpu.siblingFusion=off}), on random graphs: 2 to 5 convolutions of one value with
 * a common random window (1×1, 3×3, strided, dilated, padded) and random output channels, each with its own bias,
 * BatchNorm or per-channel Multiply and an activation (ReLU, clamp, PReLU per channel, leaky ReLU, SiLU written
 * out, sigmoid, none) that is mostly the same for all and now and then differs for one (mixes of none, ReLU, leaky
 * ReLU and PReLU run as PReLU per channel); now and then a residual Add, a depthwise sibling or a
 * max pooling of the same value (none of which are fused); outputs read by one Concat in order (written straight
 * into it), in another order, by other steps, as model outputs or several of these; batch 1 and 2, one and two
 * threads, each request run twice (buffers reused), the JIT on and off. An INT8 model's siblings (their input a
 * FakeQuantize) are left to the INT8 patterns.
 */
@ExtendWith(NchwPlan.class)
class SiblingConvolutionFusionTest {

    private static final int GRAPHS = 48;
    private static final String SWITCH = "infero.cpu.siblingFusion";

    private static WindowGeometry window(int stride, int dilation, int pad) {
        return new WindowGeometry(new long[] {stride, stride}, new long[] {dilation, dilation},
                new long[] {pad, pad}, new long[] {pad, pad}, AutoPad.EXPLICIT, false);
    }

    /** The random graph of {@code seed}; {@code int8} puts a FakeQuantize before the siblings. */
    private static Graph graph(long seed, int batch, boolean int8) {
        Random r = new Random(seed);
        GraphBuilder b = new GraphBuilder("siblings" + seed);
        int c = 1 + r.nextInt(24);
        int h = 5 + r.nextInt(13);
        int w = 5 + r.nextInt(20);
        Value x = b.input("x", ElementType.F32, batch, c, h, w);
        // Now and then the siblings read the model input itself; else a step's output (a 1×1 convolution).
        Value v = r.nextInt(4) == 0 ? x : b.op(new Relu(), conv(b, r, x, c, c, 1, window(1, 1, 0)));
        if (int8) {
            Value lo = b.constant(Tensor.of(new float[] {0f}, 1, 1, 1, 1));
            Value hi = b.constant(Tensor.of(new float[] {2f}, 1, 1, 1, 1));
            v = b.op(new FakeQuantize(256), v, lo, hi, lo, hi);
        }
        int k = r.nextInt(3) == 0 ? 1 : 3;
        int stride = r.nextInt(4) == 0 ? 2 : 1;
        int dilation = k == 3 && r.nextInt(5) == 0 ? 2 : 1;
        int pad = k == 1 ? r.nextInt(5) == 0 ? 1 : 0 : r.nextInt(4) == 0 ? 0 : dilation;
        WindowGeometry win = window(stride, dilation, pad);
        int activation = r.nextInt(7);
        int count = 2 + r.nextInt(4);
        List<Value> outs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int cout = 1 + r.nextInt(r.nextBoolean() ? 8 : 40);
            Value y = conv(b, r, v, c, cout, k, win);
            y = switch (r.nextInt(4)) {
                case 0 -> y;
                case 1 -> b.op(new Add(), y, b.constant(RandomData.tensor(r, 1, cout, 1, 1)));
                case 2 -> b.op(new BatchNormInference(1e-5), y, b.constant(RandomData.tensor(r, cout)),
                        b.constant(RandomData.tensor(r, cout)), b.constant(RandomData.tensor(r, cout)),
                        b.constant(positive(r, cout)));
                default -> b.op(new Add(), b.op(new Multiply(), y, b.constant(RandomData.tensor(r, 1, cout, 1, 1))),
                        b.constant(RandomData.tensor(r, 1, cout, 1, 1)));
            };
            if (i > 0 && r.nextInt(8) == 0 && cout == outs.get(0).shape().dim(1)) {
                y = b.op(new Add(), y, outs.get(0)); // a residual: left out
            }
            y = activate(b, r, y, i > 0 && r.nextInt(4) == 0 ? r.nextInt(7) : activation, cout);
            outs.add(y);
        }
        if (r.nextInt(4) == 0) {
            outs.add(b.op(new GroupConvolution(window(1, 1, 1)), v, b.constant(RandomData.tensor(r, c, 1, 1, 3, 3))));
        }
        if (r.nextInt(4) == 0) {
            outs.add(b.op(new MaxPool(new long[] {3, 3}, window(1, 1, 1), false), v));
        }
        int same = outs.get(0).shape().dim(2) * 1000 + outs.get(0).shape().dim(3);
        List<Value> sameSize = outs.stream().filter(o -> o.shape().dim(2) * 1000 + o.shape().dim(3) == same).toList();
        switch (r.nextInt(4)) {
            case 0 -> {
                // One Concat of the outputs in order, read by a 1×1 convolution: written in place when it can.
                Value cat = b.op(new Concat(1), sameSize.toArray(Value[]::new));
                b.output(conv(b, r, cat, cat.shape().dim(1), 3, 1, window(1, 1, 0)));
            }
            case 1 -> {
                List<Value> shuffled = new ArrayList<>(sameSize);
                Collections.shuffle(shuffled, r);
                b.output(b.op(new Concat(1), shuffled.toArray(Value[]::new)));
                b.output(b.op(new Relu(), sameSize.get(0)));
            }
            case 2 -> {
                for (Value o : outs) {
                    b.output(r.nextBoolean() ? o : b.op(new Relu(), o));
                }
            }
            default -> {
                // A Concat of the outputs after a value of their size (a depthwise convolution with their window):
                // the siblings write at an offset.
                List<Value> in = new ArrayList<>(List.of(b.op(new GroupConvolution(win), v,
                        b.constant(RandomData.tensor(r, c, 1, 1, k, k)))));
                in.addAll(sameSize);
                b.output(b.op(new Concat(1), in.toArray(Value[]::new)));
            }
        }
        return b.graph();
    }

    private static Tensor positive(Random r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.5f + r.nextFloat();
        }
        return Tensor.of(v, n);
    }

    private static Value conv(GraphBuilder b, Random r, Value x, int in, int out, int k, WindowGeometry win) {
        return b.op(new Convolution(win), x, b.constant(RandomData.tensor(r, out, in, k, k)));
    }

    private static Value activate(GraphBuilder b, Random r, Value y, int kind, int channels) {
        return switch (kind) {
            case 0 -> y;
            case 1 -> b.op(new Relu(), y);
            case 2 -> b.op(new Clamp(-0.5, 0.75), y);
            case 3 -> b.op(new PRelu(), y, b.constant(RandomData.tensor(r, 1, channels, 1, 1)));
            case 4 -> b.op(new Multiply(), y, b.op(new Sigmoid(), y));
            case 5 -> b.op(new PRelu(), y, b.constant(Tensor.of(new float[] {0.125f}, 1)));
            default -> b.op(new Sigmoid(), y);
        };
    }

    @Test
    void siblingsComputeWhatSeparateConvolutionsCompute() {
        int fused = 0;
        int inConcat = 0;
        for (long seed = 0; seed < GRAPHS; seed++) {
            int[] counts = compare(seed, seed % 5 == 4 ? 2 : 1, 1 + (int) (seed % 2), false);
            fused += counts[0];
            inConcat += counts[1];
        }
        assertTrue(fused >= GRAPHS / 2, "graphs with siblings run as one: " + fused);
        assertTrue(inConcat >= 3, "graphs whose siblings write into their Concat: " + inConcat);
    }

    @Test
    void withTheJitOffToo() {
        System.setProperty("infero.jit", "off");
        try {
            int fused = 0;
            for (long seed = 100; seed < 100 + GRAPHS / 2; seed++) {
                fused += compare(seed, 1, 1 + (int) (seed % 2), false)[0];
            }
            assertTrue(fused >= GRAPHS / 4, "graphs with siblings run as one: " + fused);
        } finally {
            System.clearProperty("infero.jit");
        }
    }

    /**
     * The cost rule on the layers it was measured on: YuNet's 1×1 heads (small copies), Inception 3a's 1×1 branch and
     * reduces (copies below the input passes saved), a 3×3 class/box pair (the unfolded input is 9 times deeper), and
     * siblings writing into their Concat are fused; ResNet-50's first projection beside conv1 and YOLOX-nano's CSP
     * 1×1 pair on 52² (outputs as wide as the input, large copies) are not.
     */
    @Test
    void fusesWhereOneProductPays() {
        assertTrue(SiblingConvolutionFusion.pays(geometry(64, 40, 40, 1), new int[] {1, 4, 1, 10}, false));
        assertTrue(SiblingConvolutionFusion.pays(geometry(192, 28, 28, 1), new int[] {64, 96, 16}, false));
        assertTrue(SiblingConvolutionFusion.pays(geometry(96, 40, 40, 3), new int[] {96, 96}, false));
        assertTrue(SiblingConvolutionFusion.pays(geometry(64, 56, 56, 1), new int[] {64, 256}, true));
        assertFalse(SiblingConvolutionFusion.pays(geometry(64, 56, 56, 1), new int[] {64, 256}, false));
        assertFalse(SiblingConvolutionFusion.pays(geometry(64, 52, 52, 1), new int[] {32, 32}, false));
    }

    private static ConvGeometry geometry(int in, int h, int w, int k) {
        return new ConvGeometry(1, in, h, w, 0, h, w, k, k, 1, 1, 1, 1, k / 2, k / 2, 1);
    }

    @Test
    void int8SiblingsAreLeftToTheInt8Patterns() {
        for (long seed = 200; seed < 210; seed++) {
            assertEquals(0, compare(seed, 1, 1, true)[0], "graph " + seed);
        }
    }

    /**
     * Runs graph {@code seed} with siblings fused and not; asserts the outputs agree; returns {whether some step runs
     * siblings, whether a Concat takes them in place with no copy}.
     */
    private static int[] compare(long seed, int batch, int threads, boolean int8) {
        Graph g = graph(seed, batch, int8);
        Tensor x = RandomData.tensor(new Random(seed + 1000), g.parameters().get(0).output(0).shape().toArray());
        Tensor[] expected;
        System.setProperty(SWITCH, "off");
        try {
            expected = run(graph(seed, batch, int8), x, threads, null);
        } finally {
            System.clearProperty(SWITCH);
        }
        List<ProfilingInfo> rows = new ArrayList<>();
        Tensor[] actual = run(g, x, threads, rows);
        assertEquals(expected.length, actual.length);
        for (int o = 0; o < expected.length; o++) {
            TensorAssert.assertClose(expected[o], actual[o], 1e-4, 1e-4);
        }
        boolean siblings = rows.stream().anyMatch(p -> p.execType().contains("+siblings"));
        boolean inPlace = rows.stream().anyMatch(p -> p.execType().startsWith("concat_inplace"));
        boolean wholeConcat = siblings && inPlace && rows.stream().noneMatch(p -> p.execType().startsWith("concat_copy"));
        return new int[] {siblings ? 1 : 0, wholeConcat ? 1 : 0};
    }

    /** Outputs of the second of two runs of one request (the second on reused buffers). */
    private static Tensor[] run(Graph g, Tensor x, int threads, List<ProfilingInfo> rows) {
        return TwoRuns.outputs(new CpuDevice().compile(g,
                Map.of("INFERENCE_NUM_THREADS", Integer.toString(threads))), g, x, rows);
    }
}
