package dev.infero.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.Executable;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.movement.Concat;
import dev.infero.core.ops.nn.AutoPad;
import dev.infero.core.ops.nn.Convolution;
import dev.infero.core.ops.nn.WindowGeometry;
import dev.infero.core.ops.reduce.ReduceMean;
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

/**
 * Element-wise steps writing into their input's array when they read it last ({@link MemoryPlan}, {@code
 * Step.inPlaceInput}) compute exactly what the plan with separate arrays computes ({@code
 * -Dinfero.cpu.eltwiseInPlace=off}), on random graphs of element-wise ops with every broadcast (same shape, per
 * channel, scalar, either side), values read by several steps, model outputs in the middle, squeeze-and-excitation
 * gates, convolutions and channel Concats (in place themselves); each request run twice, with one and two threads.
 */
class InPlaceEltwiseTest {
    private static final int GRAPHS = 50;

    private static Graph graph(long seed) {
        Random r = new Random(seed);
        GraphBuilder b = new GraphBuilder("eltwise" + seed);
        int c = 2 + r.nextInt(12);
        int h = 2 + r.nextInt(10);
        int w = 2 + r.nextInt(30);
        Value x = b.input("x", ElementType.F32, 1, c, h, w);
        List<Value> pool = new ArrayList<>(List.of(x));
        int ops = 6 + r.nextInt(12);
        for (int i = 0; i < ops; i++) {
            Value v = pool.get(r.nextInt(pool.size()));
            Value y = switch (r.nextInt(8)) {
                case 0 -> b.op(new Relu(), v);
                case 1 -> b.op(new Sigmoid(), v);
                case 2 -> b.op(binary(r), v, pool.get(r.nextInt(pool.size())));
                case 3 -> {
                    // Per channel or scalar, the constant on either side.
                    Value k = b.constant(r.nextBoolean() ? RandomData.tensor(r, 1, c, 1, 1) : Tensor.of(
                            new float[] {0.5f + r.nextFloat()}));
                    yield r.nextBoolean() ? b.op(binary(r), v, k) : b.op(binary(r), k, v);
                }
                case 4 -> {
                    // A squeeze-and-excitation gate: the mean per channel, a sigmoid, times the value.
                    Value mean = b.op(new ReduceMean(true), v, b.constant(Tensor.of(new long[] {2, 3}, 2)));
                    yield b.op(new Multiply(), v, b.op(new Sigmoid(), mean));
                }
                case 5 -> b.op(new Convolution(new WindowGeometry(new long[] {1, 1}, new long[] {1, 1},
                        new long[] {1, 1}, new long[] {1, 1}, AutoPad.EXPLICIT, false)), v,
                        b.constant(RandomData.tensor(r, c, c, 3, 3)));
                case 6 -> {
                    // Channel Concat of two values, back to c channels through a 1×1 convolution.
                    Value cat = b.op(new Concat(1), v, pool.get(r.nextInt(pool.size())));
                    yield b.op(new Convolution(new WindowGeometry(new long[] {1, 1}, new long[] {1, 1},
                            new long[] {0, 0}, new long[] {0, 0}, AutoPad.EXPLICIT, false)), cat,
                            b.constant(RandomData.tensor(r, c, 2 * c, 1, 1)));
                }
                default -> b.op(new Add(), b.op(new Multiply(), v, v), v);
            };
            pool.add(y);
            if (r.nextInt(6) == 0) {
                b.output(y);
            }
        }
        b.output(pool.get(pool.size() - 1));
        return b.graph();
    }

    private static Op binary(Random r) {
        return switch (r.nextInt(4)) {
            case 0 -> new Add();
            case 1 -> new Subtract();
            case 2 -> new Multiply();
            default -> new Divide();
        };
    }

    @Test
    void inPlaceElementWiseStepsMatchSeparateArrays() {
        int shared = 0;
        for (long seed = 0; seed < GRAPHS; seed++) {
            int threads = 1 + (int) (seed % 2);
            Graph g = graph(seed);
            Tensor x = RandomData.tensor(new Random(seed + 500), g.parameters().get(0).output(0).shape().toArray());
            Tensor[] expected = run(graph(seed), x, threads, false);
            Tensor[] actual = run(g, x, threads, true);
            assertEquals(expected.length, actual.length);
            for (int o = 0; o < expected.length; o++) {
                assertArrayEquals(expected[o].toFloatArray(), actual[o].toFloatArray(), 0f,
                        "graph " + seed + " output " + o);
            }
            long seedOf = seed;
            try (KernelCache cache = new KernelCache("inplace")) {
                ExecutionPlan plan = KernelCache.compiling(cache, () -> ExecutionPlan.of(graph(seedOf)));
                Tensor[] slots = plan.constants.clone();
                for (int in : plan.inputSlots) {
                    slots[in] = Tensor.allocate(plan.values[in].type(), plan.values[in].shape().toArray());
                }
                MemoryPlan.allocate(plan, slots);
                for (ExecutionPlan.Entry e : plan.steps) {
                    int k = e.step().inPlaceInput();
                    if (k >= 0 && e.inputs()[k] >= 0 && slots[e.inputs()[k]] != null
                            && slots[e.inputs()[k]].array() == slots[e.outputs()[0]].array()) {
                        shared++;
                    }
                }
            }
        }
        assertTrue(shared >= GRAPHS / 2, "element-wise steps writing into their input's array: " + shared);
    }

    /**
     * Outputs of the second run of one request, element-wise steps in place or not (the switch set until the request
     * has run: the memory plan is allocated for each request).
     */
    private static Tensor[] run(Graph g, Tensor x, int threads, boolean inPlace) {
        String key = "infero.cpu.eltwiseInPlace";
        if (!inPlace) {
            System.setProperty(key, "off");
        }
        try {
            Executable compiled = new CpuDevice().compile(g, Map.of("INFERENCE_NUM_THREADS",
                    Integer.toString(threads)));
            return TwoRuns.outputs(compiled, g, x, null);
        } finally {
            System.clearProperty(key);
        }
    }
}
