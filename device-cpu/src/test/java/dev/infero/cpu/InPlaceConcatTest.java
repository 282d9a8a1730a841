package dev.infero.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.Executable;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.jit.KernelCache;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.RandomData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * In-place Concat ({@link InPlaceConcat}) computes exactly what the plan with copying Concats computes
 * ({@code -Dinfero.cpu.concatInPlace=off}), on random graphs of 1×1, 3×3 and residual convolutions, max pooling,
 * element-wise ops and channel Concats: producers shared by several Concats and other readers, Concats of Concats,
 * Concats read by several steps, model outputs that are Concat inputs, inputs read after the Concat, the model input
 * itself as a Concat input, height Concats (not contiguous per input) and batch 2; each request run twice (buffers
 * reused) and with one and two threads.
 */
@ExtendWith(NchwPlan.class)
class InPlaceConcatTest {

    private static final int GRAPHS = 60;

    private static WindowGeometry window(int pad) {
        return new WindowGeometry(new long[] {1, 1}, new long[] {1, 1}, new long[] {pad, pad},
                new long[] {pad, pad}, AutoPad.EXPLICIT, false);
    }

    /** The random graph of {@code seed}: values all of one spatial size, joined by Concats along channels. */
    private static Graph graph(long seed, int batch) {
        Random r = new Random(seed);
        GraphBuilder b = new GraphBuilder("concat" + seed);
        int h = 3 + r.nextInt(9);
        int w = 3 + r.nextInt(22); // 16 and wider: the direct kernel for few input channels too
        Value x = b.input("x", ElementType.F32, batch, 2 + r.nextInt(6), h, w);
        List<Value> pool = new ArrayList<>(List.of(x));
        List<Value> concats = new ArrayList<>();
        int ops = 6 + r.nextInt(10);
        for (int i = 0; i < ops; i++) {
            Value v = pool.get(r.nextInt(pool.size()));
            int c = v.shape().dim(1);
            Value y;
            switch (r.nextInt(9)) {
                case 0, 1 -> y = conv(b, r, v, c, 1 + r.nextInt(12), 1, r.nextBoolean());
                case 2 -> y = conv(b, r, v, c, 1 + r.nextInt(12), 3, r.nextBoolean());
                case 3 -> {
                    // A 1×1 convolution with a residual Add of a value of its shape (fused: not writable at an offset).
                    Value res = conv(b, r, v, c, c, 1, false);
                    y = b.op(new Add(), conv(b, r, v, c, c, 1, false), res);
                }
                case 4 -> {
                    int k = r.nextBoolean() ? 3 : 5;
                    y = b.op(new MaxPool(new long[] {k, k}, window(k / 2), false), v);
                }
                case 5 -> y = r.nextBoolean() ? b.op(new Relu(), v) : b.op(new Add(), b.op(new GroupConvolution(
                        window(1)), v, b.constant(RandomData.tensor(r, c, 1, 1, 3, 3))),
                        b.constant(RandomData.tensor(r, 1, c, 1, 1)));
                case 6 -> {
                    // A block as in fire modules, SPP and CSP: branches of one value, each read only by the Concat
                    // (a 1×1, a 3×3, a max pooling, a depthwise convolution, the value itself first or not).
                    List<Value> branches = new ArrayList<>();
                    if (r.nextBoolean()) {
                        branches.add(v);
                    }
                    for (int j = 1 + r.nextInt(3); j > 0; j--) {
                        branches.add(switch (r.nextInt(4)) {
                            case 0 -> conv(b, r, v, c, 1 + r.nextInt(20), 1, r.nextBoolean());
                            case 1 -> conv(b, r, v, c, 1 + r.nextInt(20), 3, r.nextBoolean());
                            case 2 -> b.op(new MaxPool(new long[] {5, 5}, window(2), false), v);
                            default -> b.op(new GroupConvolution(window(1)), v,
                                    b.constant(RandomData.tensor(r, c, 1, 1, 3, 3)));
                        });
                    }
                    if (branches.size() < 2) {
                        branches.add(conv(b, r, v, c, 4, 1, false));
                    }
                    y = b.op(new Concat(1), branches.toArray(Value[]::new));
                    concats.add(y);
                }
                default -> {
                    int n = 2 + r.nextInt(3);
                    Value[] in = new Value[n];
                    for (int j = 0; j < n; j++) {
                        // Now and then a Concat output again (Concat of Concat), or the same value twice.
                        in[j] = !concats.isEmpty() && r.nextInt(4) == 0 ? concats.get(r.nextInt(concats.size()))
                                : pool.get(r.nextInt(pool.size()));
                    }
                    boolean height = r.nextInt(6) == 0;
                    if (height) {
                        // Along the height: only values with the first one's channels.
                        for (int j = 1; j < n; j++) {
                            if (in[j].shape().dim(1) != in[0].shape().dim(1)) {
                                in[j] = in[0];
                            }
                        }
                        Value cat = b.op(new Concat(2), in);
                        // Back to the common height through a 1×1 convolution of a max pooling would change sizes:
                        // keep it as a model output only.
                        b.output(cat);
                        continue;
                    }
                    y = b.op(new Concat(1), in);
                    concats.add(y);
                }
            }
            pool.add(y);
        }
        // The last value, and now and then another one (a Concat input, or a Concat), are model outputs.
        b.output(pool.get(pool.size() - 1));
        for (int k = r.nextInt(3); k > 0; k--) {
            b.output(pool.get(1 + r.nextInt(pool.size() - 1)));
        }
        // Every Concat is read by a convolution too (a reader after the Concat keeps its array alive).
        for (Value cat : concats) {
            if (r.nextBoolean()) {
                b.output(conv(b, r, cat, cat.shape().dim(1), 3, 1, false));
            }
        }
        return b.graph();
    }

    private static Value conv(GraphBuilder b, Random r, Value x, int in, int out, int k, boolean relu) {
        Value y = b.op(new Convolution(window(k / 2)), x, b.constant(RandomData.tensor(r, out, in, k, k)));
        y = b.op(new Add(), y, b.constant(RandomData.tensor(r, 1, out, 1, 1)));
        return relu ? b.op(new Relu(), y) : y;
    }

    @Test
    void inPlaceConcatMatchesCopyingConcat() {
        int inPlace = 0;
        int partial = 0;
        int atZero = 0;
        int further = 0;
        for (long seed = 0; seed < GRAPHS; seed++) {
            int batch = seed % 7 == 6 ? 2 : 1;
            int threads = 1 + (int) (seed % 2);
            Graph g = graph(seed, batch);
            Tensor x = RandomData.tensor(new Random(seed + 1000),
                    g.parameters().get(0).output(0).shape().toArray());
            Tensor[] expected = run(graph(seed, batch), x, threads, false, null);
            List<ProfilingInfo> rows = new ArrayList<>();
            Tensor[] actual = run(g, x, threads, true, rows);
            assertEquals(expected.length, actual.length);
            for (int o = 0; o < expected.length; o++) {
                assertArrayEquals(expected[o].shape(), actual[o].shape(), "graph " + seed + " output " + o);
                float[] want = expected[o].toFloatArray();
                float[] got = actual[o].toFloatArray();
                assertArrayEquals(want, got, "graph " + seed + " output " + o + " (batch " + batch + ")");
            }
            long seedOf = seed;
            try (KernelCache cache = new KernelCache("views")) {
                ExecutionPlan plan = KernelCache.compiling(cache, () -> ExecutionPlan.of(graph(seedOf, batch)));
                for (int slot = 0; slot < plan.viewOf.length; slot++) {
                    if (plan.viewOf[slot] >= 0) {
                        atZero += plan.viewOffset[slot] == 0 ? 1 : 0;
                        further += plan.viewOffset[slot] > 0 ? 1 : 0;
                    }
                }
            }
            for (ProfilingInfo p : rows) {
                inPlace += p.execType().startsWith("concat_inplace") ? 1 : 0;
                partial += p.execType().startsWith("concat_copy") ? 1 : 0;
            }
        }
        assertTrue(atZero >= GRAPHS / 2 && further >= GRAPHS / 2 && inPlace >= GRAPHS / 4, "inputs in place at "
                + "offset 0: " + atZero + ", further in: " + further + "; Concats wholly in place: " + inPlace);
        assertTrue(partial > 0, "Concats copying (some of) their inputs: " + partial);
    }

    /**
     * As above with every 3×3 stride-1 convolution on Winograd F(2×2, 3×3) ({@code infero.cpu.winograd=force}), whose
     * output transform must write at the Concat input's offset too.
     */
    @Test
    void winogradLayersWriteInPlaceToo() {
        String key = "infero.cpu.winograd";
        System.setProperty(key, "force");
        try {
            int winograd = 0;
            for (long seed = 0; seed < GRAPHS; seed++) {
                int threads = 1 + (int) (seed % 2);
                Graph g = graph(seed, 1);
                Tensor x = RandomData.tensor(new Random(seed + 2000), g.parameters().get(0).output(0).shape().toArray());
                Tensor[] expected = run(graph(seed, 1), x, threads, false, null);
                List<ProfilingInfo> rows = new ArrayList<>();
                Tensor[] actual = run(g, x, threads, true, rows);
                for (int o = 0; o < expected.length; o++) {
                    assertArrayEquals(expected[o].toFloatArray(), actual[o].toFloatArray(), "graph " + seed + " output " + o);
                }
                // A step running sibling convolutions as one (exec type ...+siblingsN) counts as its N layers.
                winograd += rows.stream().filter(p -> p.execType().startsWith("winograd"))
                        .mapToInt(p -> p.execType().matches(".*\\+siblings\\d+$")
                                ? Integer.parseInt(p.execType().replaceAll(".*\\+siblings", "")) : 1).sum();
            }
            assertTrue(winograd >= GRAPHS, "Winograd layers: " + winograd);
        } finally {
            System.clearProperty(key);
        }
    }

    /** Outputs of two runs of one request (the second on reused buffers), with the Concat in place or copying. */
    private static Tensor[] run(Graph g, Tensor x, int threads, boolean inPlace, List<ProfilingInfo> rows) {
        String key = "infero.cpu.concatInPlace";
        Executable compiled;
        if (inPlace) {
            compiled = new CpuDevice().compile(g, Map.of("INFERENCE_NUM_THREADS", Integer.toString(threads)));
        } else {
            System.setProperty(key, "off");
            try {
                compiled = new CpuDevice().compile(g, Map.of("INFERENCE_NUM_THREADS", Integer.toString(threads)));
            } finally {
                System.clearProperty(key);
            }
        }
        return TwoRuns.outputs(compiled, g, x, rows);
    }
}
