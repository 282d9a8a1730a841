package dev.infero.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.Executable;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.GroupConvolution;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.jit.KernelCache;
import dev.infero.cpu.step.QuantizedConvolutionStep;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.RandomData;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * INT8 codes through Concat and MaxPool ({@code fusion.Fusion}) and INT8 convolutions writing in place in a Concat
 * ({@link InPlaceConcat}, {@link QuantizedConvolutionStep#writingAt}), on random INT8 graphs as {@code infero quantize}
 * writes them (a FakeQuantize before every INT8 layer): a stem, max poolings with padding and ceil rounding, fire
 * blocks of INT8 1×1 and 3×3 branches joined by a Concat, per-tensor FakeQuantizes before INT8 layers and per-channel
 * ones before depthwise layers of codes, a Concat input also read by a float op or a MaxPool whose output is a model
 * output (the codes must not pass there). Every output is bit-identical to the plan with
 * {@code -Dinfero.cpu.int8CodesThrough=off} and to the plan without in-place Concats; each request runs twice (buffers
 * reused), on one and two threads.
 */
@ExtendWith(NchwPlan.class)
class Int8CodesThroughTest {
    private static final int GRAPHS = 40;
    private static final String THROUGH = "infero.cpu.int8CodesThrough";
    private static final String IN_PLACE = "infero.cpu.concatInPlace";
    private static final String ISA = "infero.jit.isa";
    private static final String JIT = "infero.jit";

    private static Map<String, String> with(Map<String, String> props, String key, String value) {
        Map<String, String> all = new java.util.HashMap<>(props);
        all.put(key, value);
        return all;
    }

    /** What a random graph has, for the assertions on its plan. */
    private record Case(Graph graph, boolean floatReader, boolean poolIsOutput) {
    }

    private static Case graph(long seed) {
        Random r = new Random(seed);
        GraphBuilder b = new GraphBuilder("int8cat" + seed);
        int h = 6 + r.nextInt(10);
        int w = 6 + r.nextInt(18);
        Value x = b.input("x", ElementType.F32, 1, 2 + r.nextInt(6), h, w);
        Value v = relu(b, int8Conv(b, r, fq(b, x, -2f, 2f * 127 / 128), 3 + r.nextInt(10), r.nextBoolean() ? 3 : 1));
        boolean floatReader = false;
        boolean poolIsOutput = false;
        if (r.nextBoolean()) {
            v = maxPool(b, r, v);
        }
        int blocks = 1 + r.nextInt(3);
        for (int blk = 0; blk < blocks; blk++) {
            if (r.nextInt(4) == 0) {
                // The block's input also a model output: no codes written for it, its INT8 layers quantize their
                // input themselves (1×1 layers without the JIT: panel by panel), still writing in place.
                b.output(v);
            }
            Value in = fq(b, v, 0f, 2f + r.nextFloat());
            int branches = 2 + r.nextInt(3);
            Value[] parts = new Value[branches];
            for (int i = 0; i < branches; i++) {
                parts[i] = relu(b, int8Conv(b, r, in, 1 + r.nextInt(20), r.nextBoolean() ? 3 : 1));
            }
            if (r.nextInt(5) == 0) {
                // One branch also read by a float op: neither its codes nor the Concat's may pass.
                b.output(b.op(new Relu(), parts[r.nextInt(branches)]));
                floatReader = true;
            }
            v = b.op(new Concat(1), parts);
            if (r.nextBoolean()) {
                v = maxPool(b, r, v);
                if (r.nextInt(6) == 0) {
                    b.output(v);
                    poolIsOutput = true;
                }
            }
        }
        int c = v.shape().dim(1);
        if (r.nextBoolean()) {
            b.output(relu(b, int8Conv(b, r, fq(b, v, 0f, 2f), 2 + r.nextInt(6), 1)));
        } else {
            // Per-channel ranges before a depthwise layer of codes: each Concat input gets its channels' quantizers.
            float[] high = new float[c];
            for (int i = 0; i < c; i++) {
                high[i] = 1f + 0.25f * r.nextInt(8);
            }
            Tensor low = Tensor.of(new float[c], 1, c, 1, 1);
            Tensor hi = Tensor.of(high, 1, c, 1, 1);
            Value q = b.op(new FakeQuantize(256), v, b.constant(low), b.constant(hi), b.constant(low), b.constant(hi));
            b.output(b.op(new GroupConvolution(window(1, 1, false)), q, b.constant(RandomData.tensor(r, c, 1, 1, 3, 3))));
        }
        return new Case(b.graph(), floatReader, poolIsOutput);
    }

    private static WindowGeometry window(int pad, int stride, boolean ceil) {
        return new WindowGeometry(new long[] {stride, stride}, new long[] {1, 1}, new long[] {pad, pad},
                new long[] {pad, pad}, AutoPad.EXPLICIT, ceil);
    }

    /**
     * A max pooling: a third of them of the input's size (3×3 or 5×5, stride 1, as SPP), else 2×2 or 3×3, stride 1 or
     * 2, padding 0 or 1, floor or ceil rounding.
     */
    private static Value maxPool(GraphBuilder b, Random r, Value v) {
        if (r.nextInt(3) == 0) {
            int k = r.nextBoolean() ? 3 : 5;
            return b.op(new MaxPool(new long[] {k, k}, window(k / 2, 1, r.nextBoolean()), false), v);
        }
        int k = 2 + r.nextInt(2);
        int pad = r.nextInt(k == 3 ? 2 : 1);
        return b.op(new MaxPool(new long[] {k, k}, window(pad, 1 + r.nextInt(2), r.nextBoolean()), false), v);
    }

    private static Value relu(GraphBuilder b, Value v) {
        return b.op(new Relu(), v);
    }

    private static Value fq(GraphBuilder b, Value x, float low, float high) {
        Value lo = b.constant(Tensor.of(new float[] {low}, 1, 1, 1, 1));
        Value hi = b.constant(Tensor.of(new float[] {high}, 1, 1, 1, 1));
        return b.op(new FakeQuantize(256), x, lo, hi, lo, hi);
    }

    /** An INT8 convolution as quantized IRs have it: i8 weights → Convert → Multiply by a scale per channel, bias. */
    private static Value int8Conv(GraphBuilder b, Random r, Value in, int cout, int k) {
        int cin = in.shape().dim(1);
        Tensor codes = Tensor.allocate(ElementType.I8, cout, cin, k, k);
        for (int i = 0; i < codes.size(); i++) {
            codes.bytes()[i] = (byte) (r.nextInt(255) - 127);
        }
        float[] scales = new float[cout];
        for (int i = 0; i < cout; i++) {
            scales[i] = 0.002f + 0.01f * r.nextFloat();
        }
        Value weights = b.op(new Multiply(), b.op(new Convert(ElementType.F32), b.constant(codes)),
                b.constant(Tensor.of(scales, cout, 1, 1, 1)));
        Value y = b.op(new Convolution(window(k / 2, 1, false)), in, weights);
        return b.op(new Add(), y, b.constant(RandomData.tensor(r, 1, cout, 1, 1)));
    }

    @Test
    void codesPassThroughConcatAndMaxPoolBitIdentically() {
        int concatsOnCodes = 0;
        int poolsOnCodes = 0;
        int concatsInPlace = 0;
        int refused = 0;
        int shrinking = 0;
        for (long seed = 0; seed < GRAPHS; seed++) {
            Case k = graph(seed);
            Graph g = k.graph();
            int threads = 1 + (int) (seed % 2);
            Tensor x = RandomData.tensor(new Random(seed + 500), g.parameters().get(0).output(0).shape().toArray());
            // The generated AVX-512 tiles, the AVX2 ones, or no generated code (the f32 kernels on codes).
            Map<String, String> isa = switch ((int) (seed % 3)) {
                case 0 -> Map.of();
                case 1 -> Map.of(ISA, "avx2");
                default -> Map.of(JIT, "off");
            };
            Tensor[] without = run(g, x, threads, with(isa, THROUGH, "off"), null);
            // Through every MaxPool (all), or the default: only those that do not shrink (stride 1, same size).
            Map<String, String> through = seed % 4 < 2 ? with(isa, THROUGH, "all") : isa;
            Tensor[] copying = run(g, x, threads, with(through, IN_PLACE, "off"), null);
            List<ProfilingInfo> rows = new ArrayList<>();
            Tensor[] with = run(g, x, threads, through, rows);
            for (int o = 0; o < with.length; o++) {
                assertArrayEquals(without[o].toFloatArray(), with[o].toFloatArray(), "graph " + seed + " output " + o);
                assertArrayEquals(copying[o].toFloatArray(), with[o].toFloatArray(), "graph " + seed + " output " + o
                        + " (copying Concats)");
            }
            for (ProfilingInfo p : rows) {
                if (through == isa && p.nodeType().equals("MaxPool") && p.execType().endsWith("_I8_codes")) {
                    shrinking += shrinks(g, p.nodeName()) ? 1 : 0;
                }
                boolean onCodes = p.execType().endsWith("_I8_codes") && !p.execType().contains("FP32_on");
                concatsOnCodes += onCodes && p.nodeType().equals("Concat") ? 1 : 0;
                poolsOnCodes += onCodes && p.nodeType().equals("MaxPool") ? 1 : 0;
                concatsInPlace += p.execType().startsWith("concat_inplace") ? 1 : 0;
            }
            if (k.floatReader() || k.poolIsOutput()) {
                refused++;
                long concats = rows.stream().filter(p -> p.nodeType().equals("Concat")).count();
                long passed = rows.stream().filter(p -> p.nodeType().equals("Concat")
                        && p.execType().endsWith("_I8_codes")).count();
                assertTrue(passed < concats, "graph " + seed + ": a Concat with a float reader on the way passed "
                        + "codes: " + rows);
            }
        }
        assertTrue(concatsOnCodes >= GRAPHS / 2 && poolsOnCodes >= GRAPHS / 4 && concatsInPlace >= GRAPHS / 2,
                "Concats on codes " + concatsOnCodes + ", MaxPools on codes " + poolsOnCodes + ", Concats in place "
                        + concatsInPlace);
        assertTrue(refused > 0, "graphs where the codes must not pass: " + refused);
        assertEquals(0, shrinking, "shrinking MaxPools on codes by default");
    }

    /** Whether the node {@code name} of {@code g} has fewer output than input elements. */
    private static boolean shrinks(Graph g, String name) {
        var node = g.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
        return dev.infero.core.types.Shapes.size(node.output(0).shape().toArray())
                < dev.infero.core.types.Shapes.size(node.input(0).shape().toArray());
    }

    /** A fire block: both INT8 branches write their codes straight into the Concat, which copies nothing. */
    @Test
    void concatOfInt8ConvolutionsIsInPlaceAndOnCodes() {
        Random r = new Random(7);
        GraphBuilder b = new GraphBuilder("fire");
        Value x = b.input("x", ElementType.F32, 1, 5, 13, 11);
        Value squeeze = relu(b, int8Conv(b, r, fq(b, x, -2f, 2f * 127 / 128), 6, 1));
        Value in = fq(b, squeeze, 0f, 2f);
        Value cat = b.op("cat", new Concat(1), relu(b, int8Conv(b, r, in, 9, 1)), relu(b, int8Conv(b, r, in, 7, 3)));
        Value pool = b.op("pool", new MaxPool(new long[] {3, 3}, window(1, 2, true), false), cat);
        b.output(relu(b, int8Conv(b, r, fq(b, pool, 0f, 2.5f), 4, 1)));
        Graph g = b.graph();
        // The 3×3 stride-2 pooling shrinks: on codes only with "all" (the producers would quantize 4× the values).
        System.setProperty(THROUGH, "all");
        try (KernelCache cache = new KernelCache("fire")) {
            ExecutionPlan plan = KernelCache.compiling(cache, () -> ExecutionPlan.of(g));
            List<String> types = new ArrayList<>();
            int atOffset = 0;
            for (ExecutionPlan.Entry e : plan.steps) {
                types.add(e.node().name() + ":" + e.step().execType());
                for (int slot : e.outputs()) {
                    atOffset += plan.viewOf[slot] >= 0 && plan.viewOffset[slot] > 0 ? 1 : 0;
                }
            }
            assertTrue(types.contains("cat:concat_inplace_I8_codes"), types.toString());
            assertTrue(types.stream().anyMatch(t -> t.startsWith("pool:max_pool_") && t.endsWith("_I8_codes")),
                    types.toString());
            assertEquals(1, atOffset, "the second branch writes at its offset: " + types);
            long writers = plan.steps.stream().filter(e -> e.step() instanceof QuantizedConvolutionStep
                    && e.step().execType().toString().endsWith("+quantize")).count();
            assertEquals(3, writers, types.toString());
        } finally {
            System.clearProperty(THROUGH);
        }
        try (KernelCache cache = new KernelCache("fire")) {
            ExecutionPlan plan = KernelCache.compiling(cache, () -> ExecutionPlan.of(g));
            List<String> types = plan.steps.stream().map(e -> e.node().name() + ":" + e.step().execType()).toList();
            assertTrue(types.contains("cat:concat_inplace_FP32"), "by default the codes stop at the pooling: " + types);
            assertTrue(types.stream().anyMatch(t -> t.startsWith("pool:max_pool_") && t.endsWith("_FP32")),
                    types.toString());
        }
        Tensor input = RandomData.tensor(new Random(8), 1, 5, 13, 11);
        Tensor[] all = run(g, input, 2, Map.of(THROUGH, "all"), null);
        Tensor[] with = run(g, input, 2, Map.of(), null);
        Tensor[] without = run(g, input, 2, Map.of(THROUGH, "off", IN_PLACE, "off"), null);
        assertArrayEquals(without[0].toFloatArray(), with[0].toFloatArray());
        assertArrayEquals(without[0].toFloatArray(), all[0].toFloatArray());
    }

    /**
     * Two INT8 stems over taps (3-channel image, 3×3) joined by a Concat: the second writes its band of rows at its
     * offset of the Concat's output; bit-identical to copying Concats and to the stems in channel quads.
     */
    @Test
    void stemsOverTapsWriteInPlaceInAConcat() {
        for (long seed = 0; seed < 6; seed++) {
            Random r = new Random(100 + seed);
            GraphBuilder b = new GraphBuilder("stems" + seed);
            Value x = b.input("x", ElementType.F32, 1, 1 + r.nextInt(3), 9 + r.nextInt(20), 9 + r.nextInt(20));
            Value image = fq(b, x, -2f, 2f * 127 / 128);
            Value cat = b.op("cat", new Concat(1), relu(b, int8Conv(b, r, image, 1 + r.nextInt(20), 3)),
                    relu(b, int8Conv(b, r, image, 1 + r.nextInt(20), 3)));
            b.output(relu(b, int8Conv(b, r, fq(b, cat, 0f, 2f), 3, 1)));
            Graph g = b.graph();
            Tensor input = RandomData.tensor(new Random(seed), g.parameters().get(0).output(0).shape().toArray());
            Map<String, String> isa = seed % 2 == 0 ? Map.of() : Map.of(ISA, "avx2");
            List<ProfilingInfo> rows = new ArrayList<>();
            Tensor[] with = run(g, input, 1 + (int) (seed % 2), isa, rows);
            Tensor[] copying = run(g, input, 1, with(isa, IN_PLACE, "off"), null);
            Tensor[] channelQuads = run(g, input, 1, with(isa, "infero.int8.stem", "off"), null);
            assertArrayEquals(copying[0].toFloatArray(), with[0].toFloatArray(), "seed " + seed);
            assertArrayEquals(channelQuads[0].toFloatArray(), with[0].toFloatArray(), "seed " + seed);
            assertTrue(rows.stream().anyMatch(p -> p.nodeName().equals("cat")
                    && p.execType().startsWith("concat_inplace")), rows.toString());
            // Stems over taps run on generated tiles; without the JIT the stems are im2col GEMMs (still in place).
            assertEquals(dev.infero.cpu.jit.Jit.enabled() ? 2 : 0,
                    rows.stream().filter(p -> p.execType().contains("_taps_")).count(), rows.toString());
        }
    }

    @Test
    void unknownSwitchValueIsRefused() {
        System.setProperty(THROUGH, "maybe");
        try {
            Case k = graph(1);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new CpuDevice().compile(k.graph(), Map.of()).close());
            assertTrue(e.getMessage().contains("infero.cpu.int8CodesThrough=maybe: expected on, all or off"),
                    e.getMessage());
        } finally {
            System.clearProperty(THROUGH);
        }
        assertNull(System.getProperty(THROUGH));
    }

    /** Outputs of two runs of one request compiled with the system properties {@code props} set. */
    private static Tensor[] run(Graph g, Tensor x, int threads, Map<String, String> props, List<ProfilingInfo> rows) {
        props.forEach(System::setProperty);
        Executable compiled;
        try {
            compiled = new CpuDevice().compile(g, Map.of("INFERENCE_NUM_THREADS", Integer.toString(threads)));
        } finally {
            props.keySet().forEach(System::clearProperty);
        }
        return TwoRuns.outputs(compiled, g, x, rows);
    }
}
