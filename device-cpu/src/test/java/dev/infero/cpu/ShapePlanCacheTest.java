package dev.infero.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.Executable;
import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.MaxPool;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.testing.RandomData;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A model with dynamic H×W runs each concrete size on a plan compiled for it (fast kernels, cached) and gives what
 * the reference path (cache off: shapes inferred per step) gives.
 */
class ShapePlanCacheTest {
    private static final int D = PartialShape.DYNAMIC;

    /** Convolution 3×3 (pad 1) → ReLU → MaxPool 2×2/2 over [1, 3, H, W]. */
    private static Graph detectorLike() {
        Graph g = new Graph("dynamic_hw");
        Value x = g.addParameter("x", ElementType.F32, PartialShape.of(1, 3, D, D)).output(0);
        Random r = new Random(3);
        Value w = g.addConstant("w", Tensor.of(RandomData.uniform(r, 8 * 3 * 3 * 3), 8, 3, 3, 3)).output(0);
        long[] one = {1, 1};
        Value conv = g.value(new Convolution(new WindowGeometry(one, one, one, one, AutoPad.EXPLICIT, false)), "conv",
                x, w);
        Value relu = g.value(new Relu(), "relu", conv);
        long[] two = {2, 2};
        Value pool = g.value(new MaxPool(two, new WindowGeometry(two, one, new long[2], new long[2], AutoPad.EXPLICIT,
                false), false), "pool", relu);
        g.addResult("y", pool);
        return g;
    }

    private static Tensor run(ExecutionRequest request, Tensor x) {
        request.setInput(0, x);
        request.run();
        return request.output(0);
    }

    @Test
    void eachSizeRunsOnItsCompiledPlanAndMatchesTheReferencePath() {
        Graph g = detectorLike();
        CpuDevice device = new CpuDevice();
        try (Executable cached = device.compile(g, Map.of("INFERENCE_NUM_THREADS", "1"));
             Executable reference = device.compile(g, Map.of("INFERENCE_NUM_THREADS", "1",
                     "CPU_RUNTIME_CACHE_CAPACITY", "0"))) {
            ExecutionRequest fast = cached.newRequest();
            fast.setProfiling(true);
            ExecutionRequest slow = reference.newRequest();
            Random r = new Random(11);
            int[][] sizes = {{16, 16}, {24, 40}, {9, 13}, {16, 16}, {24, 40}};
            for (int[] hw : sizes) {
                Tensor x = Tensor.of(RandomData.uniform(r, 3 * hw[0] * hw[1]), 1, 3, hw[0], hw[1]);
                Tensor expected = run(slow, x).copy();
                Tensor actual = run(fast, x);
                assertArrayEquals(new int[] {1, 8, hw[0] / 2, hw[1] / 2}, actual.shape());
                float[] e = expected.toFloatArray();
                float[] a = actual.toFloatArray();
                for (int i = 0; i < e.length; i++) {
                    assertEquals(e[i], a[i], 1e-4f * Math.max(1, Math.abs(e[i])), "element " + i + " at " + hw[0]
                            + "x" + hw[1]);
                }
                for (ProfilingInfo row : fast.profilingInfo()) {
                    if (row.status() == ProfilingInfo.Status.EXECUTED) {
                        assertFalse(row.execType().startsWith("reference"), row.nodeName() + " ran " + row.execType());
                    }
                }
            }
            Map<String, String> p = cached.properties();
            assertEquals("3", p.get("SHAPE_PLANS_CACHED"));
            assertEquals("3", p.get("SHAPE_PLANS_COMPILED"), "a repeated size is not compiled again");
            assertNull(reference.properties().get("SHAPE_PLANS_CACHED"));

            // A second request finds the plans compiled by the first.
            run(cached.newRequest(), Tensor.of(RandomData.uniform(r, 3 * 9 * 13), 1, 3, 9, 13));
            assertEquals("3", cached.properties().get("SHAPE_PLANS_COMPILED"));
            assertEquals("1", cached.properties().get("SHAPE_PLANS_REUSED"));
        }
    }

    @Test
    void theCacheKeepsTheMostRecentlyUsedShapesOnly() {
        try (Executable cached = new CpuDevice().compile(detectorLike(), Map.of("INFERENCE_NUM_THREADS", "1",
                "CPU_RUNTIME_CACHE_CAPACITY", "2"))) {
            ExecutionRequest request = cached.newRequest();
            Random r = new Random(5);
            for (int size : new int[] {8, 10, 12, 8}) {
                run(request, Tensor.of(RandomData.uniform(r, 3 * size * size), 1, 3, size, size));
            }
            assertEquals("2", cached.properties().get("SHAPE_PLANS_CACHED"));
            assertEquals("4", cached.properties().get("SHAPE_PLANS_COMPILED"), "8 was evicted by 12, so compiled again");
            assertTrue(cached.properties().containsKey("CPU_RUNTIME_CACHE_CAPACITY"));
        }
    }
}
