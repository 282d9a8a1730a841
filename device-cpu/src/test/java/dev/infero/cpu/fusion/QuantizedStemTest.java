package dev.infero.cpu.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.cpu.CpuDevice;
import dev.infero.cpu.jit.U8S8ConvTiles;
import dev.infero.cpu.kernels.U8S8Conv;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * An INT8 model's first convolution (FakeQuantize of the float image → Convolution with INT8 weights → bias → ReLU)
 * in the plan: with generated INT8 tiles a few-channel stem takes the quads-over-taps form (named {@code _taps} in
 * the per-layer counters), computing bit for bit what the channel-quad form computes
 * ({@code -Dinfero.int8.stem=off}), and what the reference ops compute within a level's flip.
 */
class QuantizedStemTest {
    @ParameterizedTest(name = "{0} channels, kernel {1}, stride {2}")
    @CsvSource({"3, 3, 2", "1, 3, 1", "2, 5, 2", "3, 7, 2", "4, 3, 2"})
    void stemsRunOverTapsWithTheResultsOfChannelQuads(int c, int k, int stride) {
        Graph g = stem(c, k, stride, new Random(c * 100L + k * 10L + stride));
        int[] shape = {2, c, 37, 45};
        Random r = new Random(5);
        Tensor input = Tensor.allocate(ElementType.F32, shape);
        for (int i = 0; i < input.size(); i++) {
            input.floats()[i] = r.nextFloat() * 2.4f - 1.2f;
        }
        Run taps = run(g, input, "on");
        Run channels = run(g, input, "off");
        U8S8Conv.Form form = U8S8ConvTiles.form();
        String suffix = form == null ? null : form == U8S8Conv.Form.U8_QUADS ? "jit_avx512_vnni" : "jit_avx2";
        if (suffix != null) {
            assertTrue(channels.execType().startsWith(suffix + "_I8"), channels.execType());
            String expected = suffix + (c < 4 ? "_taps" : "") + "_I8";
            assertTrue(taps.execType().startsWith(expected), taps.execType() + ", expected " + expected);
        }
        assertEquals(channels.output().length, taps.output().length);
        for (int i = 0; i < taps.output().length; i++) {
            assertEquals(Float.floatToRawIntBits(channels.output()[i]), Float.floatToRawIntBits(taps.output()[i]),
                    "output " + i);
        }
        float[] want = reference(g, input);
        int off = 0;
        for (int i = 0; i < want.length; i++) {
            float d = Math.abs(taps.output()[i] - want[i]);
            assertTrue(d <= 0.05f * (1 + Math.abs(want[i])), "[" + i + "] " + taps.output()[i] + " vs " + want[i]);
            off += d > 1e-4f * (1 + Math.abs(want[i])) ? 1 : 0;
        }
        assertTrue(off <= want.length / 20, off + " of " + want.length + " values differ from the reference");
    }

    @Test
    void anUnknownSwitchValueIsRefused() {
        System.setProperty("infero.int8.stem", "maybe");
        try {
            Graph g = stem(3, 3, 2, new Random(1));
            IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                    () -> new CpuDevice().compile(g, Map.of()).close());
            assertTrue(e.getMessage().contains("infero.int8.stem=maybe"), e.getMessage());
        } finally {
            System.clearProperty("infero.int8.stem");
        }
    }

    /** FakeQuantize [-1.28, 1.27] (zero point 128) → Convolution (INT8 codes × per-channel scale) → bias → ReLU. */
    private static Graph stem(int c, int k, int stride, Random r) {
        int cout = 13;
        Graph g = new Graph("stem");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(2, c, 37, 45)).output(0);
        Value[] ranges = new Value[4];
        for (int i = 0; i < 4; i++) {
            ranges[i] = g.addConstant("r" + i, Tensor.of(new float[] {i % 2 == 0 ? -1.28f : 1.27f}, 1, 1, 1, 1))
                    .output(0);
        }
        Value fq = g.value(new FakeQuantize(256), "fq", x, ranges[0], ranges[1], ranges[2], ranges[3]);
        Tensor codes = Tensor.allocate(ElementType.I8, cout, c, k, k);
        for (int i = 0; i < codes.size(); i++) {
            codes.bytes()[i] = (byte) (r.nextInt(255) - 127);
        }
        float[] scales = new float[cout];
        float[] bias = new float[cout];
        for (int o = 0; o < cout; o++) {
            scales[o] = 0.001f + r.nextFloat() * 0.01f;
            bias[o] = r.nextFloat() - 0.5f;
        }
        Value w = g.value(new Multiply(), "w",
                g.value(new Convert(ElementType.F32), "w_f32", g.addConstant("w_i8", codes).output(0)),
                g.addConstant("w_scale", Tensor.of(scales, cout, 1, 1, 1)).output(0));
        long p = k / 2;
        WindowGeometry window = new WindowGeometry(new long[] {stride, stride}, new long[] {1, 1},
                new long[] {p, p}, new long[] {p, p}, AutoPad.EXPLICIT, false);
        Value conv = g.value(new Convolution(window), "conv", fq, w);
        Value biased = g.value(new Add(), "bias", conv, g.addConstant("b", Tensor.of(bias, 1, cout, 1, 1)).output(0));
        g.addResult("y", g.value(new Relu(), "relu", biased));
        return g;
    }

    private record Run(float[] output, String execType) {
    }

    /** The plan's run on two threads with the stem form switched {@code stem}. */
    private static Run run(Graph g, Tensor input, String stem) {
        System.setProperty("infero.int8.stem", stem);
        try (var compiled = new CpuDevice().compile(g, Map.of("INFERENCE_NUM_THREADS", "2"))) {
            ExecutionRequest request = compiled.newRequest();
            request.setProfiling(true);
            request.setInput(0, input);
            request.run();
            String type = request.profilingInfo().stream().filter(i -> i.nodeName().equals("conv")).findFirst()
                    .orElseThrow().execType();
            return new Run(request.output(0).toFloatArray(), type);
        } finally {
            System.clearProperty("infero.int8.stem");
        }
    }

    /** What the reference ops compute: with a dynamic batch the plan runs each node's reference kernel. */
    private static float[] reference(Graph g, Tensor input) {
        int[] shape = input.shape();
        g.reshape(g.parameter("x"), PartialShape.of(-1, shape[1], shape[2], shape[3]));
        try (var reference = new CpuDevice().compile(g, Map.of())) {
            ExecutionRequest request = reference.newRequest();
            request.setInput(0, input);
            request.run();
            return request.output(0).toFloatArray();
        } finally {
            g.reshape(g.parameter("x"), PartialShape.of(shape));
        }
    }
}
