package dev.infero.cpu.fusion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.cpu.CpuDevice;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reshape → Transpose → Reshape chains (a channel shuffle and its parts) run as one copy, equal to the definition. */
class TransposeFusionTest {
    @ParameterizedTest(name = "reshape before {0}, after {1}")
    @CsvSource({"true,true", "true,false", "false,true"})
    void aChannelShuffleIsOneStridedCopy(boolean before, boolean after) {
        int n = 2;
        int groups = 3;
        int perGroup = 5;
        int h = 7;
        int w = 3;
        int[] shape = {n, groups * perGroup, h, w};
        int[] grouped = {n, groups, perGroup, h, w};
        int[] shuffled = {n, perGroup, groups, h, w};
        Random r = new Random(7);
        Tensor x = Tensor.allocate(ElementType.F32, before ? shape : grouped);
        for (int i = 0; i < x.size(); i++) {
            x.floats()[i] = r.nextFloat();
        }
        Graph g = new Graph("shuffle");
        Value v = g.addParameter("x", ElementType.F32, PartialShape.of(x.shape())).output(0);
        if (before) {
            v = g.value(new Reshape(false), "group", v, shapeConstant(g, "s1", grouped));
        }
        Value perm = g.addConstant("perm", Tensor.of(new long[] {0, 2, 1, 3, 4}, 5)).output(0);
        v = g.value(new Transpose(), "swap", v, perm);
        if (after) {
            v = g.value(new Reshape(false), "ungroup", v, shapeConstant(g, "s2", shape));
        }
        g.addResult("y", v);

        // The definition: out[b][j][i] = in[b][i][j] over (group i, channel j), spatial planes carried along.
        float[] expected = new float[x.size()];
        int plane = h * w;
        for (int b = 0; b < n; b++) {
            for (int i = 0; i < groups; i++) {
                for (int j = 0; j < perGroup; j++) {
                    System.arraycopy(x.floats(), ((b * groups + i) * perGroup + j) * plane, expected,
                            ((b * perGroup + j) * groups + i) * plane, plane);
                }
            }
        }
        try (var compiled = new CpuDevice().compile(g, Map.of("INFERENCE_NUM_THREADS", "1"))) {
            ExecutionRequest request = compiled.newRequest();
            request.setProfiling(true);
            request.setInput(0, x);
            request.run();
            assertEquals("strided_copy_FP32", request.profilingInfo().get(0).execType());
            assertArrayEquals(after ? shape : shuffled, request.output(0).shape());
            assertArrayEquals(expected, request.output(0).toFloatArray());
        }
    }

    private static Value shapeConstant(Graph g, String name, int[] shape) {
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape[i];
        }
        return g.addConstant(name, Tensor.of(s, s.length)).output(0);
    }
}
