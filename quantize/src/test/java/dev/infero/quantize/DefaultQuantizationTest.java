package dev.infero.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.types.ElementType;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where FakeQuantize goes and how weights are stored, on the small CNN. */
class DefaultQuantizationTest {
    @TempDir
    Path dir;

    private Graph graph() {
        return SmallCnn.graph(SmallCnn.write(dir));
    }

    private static Node layer(Graph g, String type, int index) {
        return g.nodes().stream().filter(n -> n.type().equals(type)).toList().get(index);
    }

    private static Map<TensorId, List<ActivationRange>> ranges(List<TensorId> ids, float min, float max) {
        Map<TensorId, List<ActivationRange>> r = new HashMap<>();
        ids.forEach(id -> r.put(id, List.of(new ActivationRange(min, max))));
        return r;
    }

    @Test
    void quantizesConvolutionsGroupConvolutionAndMatMul() {
        Graph g = graph();
        List<Node> layers = DefaultQuantization.layers(g, QuantizationParameters.defaults());
        assertEquals(Map.of("Convolution", 3L, "GroupConvolution", 1L, "MatMul", 1L), layers.stream()
                .collect(java.util.stream.Collectors.groupingBy(Node::type, java.util.stream.Collectors.counting())));
    }

    @Test
    void oneFakeQuantizePerTensorSharedByItsConsumers() {
        Graph g = graph();
        List<Node> layers = DefaultQuantization.layers(g, QuantizationParameters.defaults());
        List<TensorId> inputs = DefaultQuantization.activationInputs(layers);
        assertEquals(4, inputs.size(), "x, relu1, relu2 (read by both 1x1 convolutions), the pooled features");
        DefaultQuantization.Outcome out = DefaultQuantization.apply(g, layers, ranges(inputs, 0, 6),
                Preset.PERFORMANCE);
        assertEquals(4, out.fakeQuantizes());
        assertEquals(4, g.opHistogram().get("FakeQuantize"));
        Node pwA = layer(g, "Convolution", 1);
        Node pwB = layer(g, "Convolution", 2);
        assertSame(pwA.input(0), pwB.input(0));
        Node fq = pwA.input(0).node();
        assertEquals("FakeQuantize", fq.type());
        assertEquals(256, ((FakeQuantize) fq.op()).levels());
        assertEquals(0f, fq.input(1).knownValue().floats()[0], "unsigned interval for a non-negative tensor");
        assertEquals(6f, fq.input(2).knownValue().floats()[0]);
        assertEquals(List.of(1, 1, 1, 1), java.util.Arrays.stream(fq.input(1).knownValue().shape()).boxed().toList());
    }

    @Test
    void depthwiseInputsArePerChannel() {
        Graph g = graph();
        List<Node> layers = DefaultQuantization.layers(g, QuantizationParameters.defaults());
        Node dw = layer(g, "GroupConvolution", 0);
        TensorId dwInput = TensorId.of(dw.input(0));
        assertEquals(java.util.Set.of(dwInput), DefaultQuantization.perChannelInputs(layers));
        Map<TensorId, List<ActivationRange>> r = ranges(DefaultQuantization.activationInputs(layers), 0, 1);
        List<ActivationRange> perChannel = new java.util.ArrayList<>();
        for (int c = 0; c < 8; c++) {
            perChannel.add(new ActivationRange(0, c + 1));
        }
        r.put(dwInput, perChannel);
        DefaultQuantization.apply(g, layers, r, Preset.PERFORMANCE);
        Node fq = layer(g, "GroupConvolution", 0).input(0).node();
        assertEquals(List.of(1, 8, 1, 1), java.util.Arrays.stream(fq.input(2).knownValue().shape()).boxed().toList());
        assertEquals(8f, fq.input(2).knownValue().floats()[7]);
    }

    @Test
    void weightsBecomeInt8ConstConvertMultiplyPerOutputChannel() {
        Graph g = graph();
        List<Node> layers = DefaultQuantization.layers(g, QuantizationParameters.defaults());
        float[] before = layer(g, "GroupConvolution", 0).input(1).knownValue().toFloatArray();
        DefaultQuantization.apply(g, layers, ranges(DefaultQuantization.activationInputs(layers), -1, 1),
                Preset.PERFORMANCE);
        Node dw = layer(g, "GroupConvolution", 0);
        Node mul = dw.input(1).node();
        assertEquals("Multiply", mul.type());
        Node convert = mul.input(0).node();
        assertEquals("Convert", convert.type());
        assertEquals(ElementType.I8, convert.input(0).type());
        assertEquals(List.of(8, 1, 1, 1, 1),
                java.util.Arrays.stream(mul.input(1).knownValue().shape()).boxed().toList(),
                "one scale per output channel of the [G, O/G, I/G, kH, kW] weights");
        float[] after = dw.input(1).knownValue().toFloatArray();
        float[] scale = mul.input(1).knownValue().floats();
        for (int i = 0; i < before.length; i++) {
            assertTrue(Math.abs(after[i] - before[i]) <= scale[i / 9] / 2 + 1e-7, "within half a step");
        }
        Node fc = layer(g, "MatMul", 0);
        assertEquals(List.of(10, 1), java.util.Arrays.stream(fc.input(1).node().input(1).knownValue().shape())
                .boxed().toList(), "MatMul with transpose_b: one scale per row of [N, K]");
        assertEquals(0, g.nodes().stream().filter(n -> n.type().equals("Const")
                && n.output(0).type() == ElementType.F32 && n.output(0).knownValue().size() >= 32).count(),
                "no FP32 weight constants left");
    }

    @Test
    void ignoredScopeAndOperationsStayInFloat() {
        Graph g = graph();
        String dwName = layer(g, "GroupConvolution", 0).name();
        QuantizationParameters p = QuantizationParameters.defaults().withIgnored(List.of(dwName), List.of("MatMul"));
        List<Node> layers = DefaultQuantization.layers(g, p);
        assertEquals(3, layers.size());
        DefaultQuantization.apply(g, layers, ranges(DefaultQuantization.activationInputs(layers), -1, 1),
                Preset.PERFORMANCE);
        Node dw = layer(g, "GroupConvolution", 0);
        assertEquals("ReLU", dw.input(0).node().type());
        assertEquals(ElementType.F32, dw.input(1).type());
        assertTrue(!dw.input(1).node().type().equals("Multiply"), "weights not replaced");
        assertTrue(layer(g, "MatMul", 0).inputs().stream().noneMatch(v -> v.node().type().equals("FakeQuantize")));
    }

    @Test
    void unknownIgnoredNameIsAnError() {
        Graph g = graph();
        QuantizationParameters p = QuantizationParameters.defaults().withIgnored(List.of("no_such_node"), List.of());
        InferoException e = assertThrows(InferoException.class, () -> DefaultQuantization.layers(g, p));
        assertEquals("ignored.scope: no node named no_such_node in the model", e.getMessage());
    }

    @Test
    void intervalsPerPreset() {
        ActivationRange r = new ActivationRange(-2f, 1f);
        float[] sym = r.interval(Preset.PERFORMANCE);
        assertEquals(-2f, sym[0]);
        assertEquals(2f * 127 / 128, sym[1]);
        float[] asym = r.interval(Preset.MIXED);
        float step = (asym[1] - asym[0]) / 255;
        assertEquals(3f / 255, step, 1e-6);
        float zeroLevel = -asym[0] / step;
        assertEquals(Math.round(zeroLevel), zeroLevel, 1e-3, "zero is exactly one of the levels");
        assertEquals(0f, new ActivationRange(0.5f, 3f).interval(Preset.MIXED)[0], "the interval contains zero");
    }
}
