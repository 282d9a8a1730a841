package dev.infero.cpu.fusion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.core.device.ExecutionRequest;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.Elu;
import dev.infero.core.ops.activation.HSwish;
import dev.infero.core.ops.activation.PRelu;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.activation.Sigmoid;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.nn.BatchNormInference;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.cpu.CpuDevice;
import dev.infero.testing.GraphBuilder;
import dev.infero.testing.RandomData;
import dev.infero.testing.ReferenceRunner;
import dev.infero.testing.TensorAssert;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Chains of per-channel or scalar Multiply/Add/Subtract and BatchNormInference, optionally after a residual Add and
 * before an activation, run as one eltwise-chain step and compute what the ops' reference evaluation computes, node by
 * node. The step rounds each op in f32 as the unfused steps do; the reference evaluates a BatchNorm in double, and the
 * activations' vector forms differ from the reference's by an ulp or so: results agree within 1e-6 relative plus
 * 1e-5 absolute (values of order 1; the absolute part covers results that cancel to near 0).
 */
class EltwiseChainFusionTest {
    private static final String[] ACTIVATIONS = {"none", "relu", "clamp", "leaky", "prelu", "sigmoid", "hswish",
        "elu"};

    /** One random chain: its graph and a description for messages. */
    private record Chain(Graph graph, String text, int length) {
    }

    private static Chain randomChain(Random r, boolean nhwc, boolean residual, int length, String activation,
                                     int[] shape) {
        int channels = nhwc ? shape[3] : shape[1];
        GraphBuilder b = new GraphBuilder("chain");
        Value x = b.input("x", ElementType.F32, shape);
        StringBuilder text = new StringBuilder(nhwc ? "NHWC" : "NCHW").append(java.util.Arrays.toString(shape));
        if (residual) {
            x = b.op(new Add(), x, b.input("x2", ElementType.F32, shape));
            text.append(" add");
        }
        int ops = 0;
        for (int i = 0; i < length; i++) {
            int kind = r.nextInt(nhwc ? 6 : 7);
            boolean perChannel = r.nextBoolean();
            int[] constShape = !perChannel ? new int[] {1} : nhwc ? new int[] {channels}
                    : r.nextBoolean() ? new int[] {1, channels, 1, 1} : new int[] {channels, 1, 1};
            Value k = b.constant(RandomData.tensor(r, constShape));
            text.append(' ').append(perChannel ? "channel-" : "scalar-");
            x = switch (kind) {
                case 0 -> { text.append("mul"); yield b.op(new Multiply(), x, k); }
                case 1 -> { text.append("mul'"); yield b.op(new Multiply(), k, x); }
                case 2 -> { text.append("add"); yield b.op(new Add(), x, k); }
                case 3 -> { text.append("add'"); yield b.op(new Add(), k, x); }
                case 4 -> { text.append("sub"); yield b.op(new Subtract(), x, k); }
                case 5 -> { text.append("sub'"); yield b.op(new Subtract(), k, x); }
                default -> {
                    text.append("batchnorm");
                    Tensor var = RandomData.tensor(r, channels);
                    for (int c = 0; c < channels; c++) {
                        var.floats()[c] = java.lang.Math.abs(var.floats()[c]) + 0.1f;
                    }
                    yield b.op(new BatchNormInference(1e-5), x, b.constant(RandomData.tensor(r, channels)),
                            b.constant(RandomData.tensor(r, channels)), b.constant(RandomData.tensor(r, channels)),
                            b.constant(var));
                }
            };
            ops++;
        }
        text.append(' ').append(activation);
        x = switch (activation) {
            case "relu" -> b.op(new Relu(), x);
            case "clamp" -> b.op(new Clamp(-0.5, 0.75), x);
            case "leaky" -> b.op(new PRelu(), x, b.constant(Tensor.of(new float[] {0.1f}, 1)));
            case "prelu" -> b.op(new PRelu(), x, b.constant(RandomData.tensor(r, 1, channels, 1, 1)));
            case "sigmoid" -> b.op(new Sigmoid(), x);
            case "hswish" -> b.op(new HSwish(), x);
            case "elu" -> b.op(new Elu(0.8), x);
            default -> x;
        };
        int fused = (residual ? 1 : 0) + ops + (activation.equals("none") ? 0 : 1);
        return new Chain(b.output(x).graph(), text.toString(), fused);
    }

    @Test
    void randomChainsMatchTheReferenceEvaluation() {
        Random r = new Random(12);
        int checked = 0;
        for (int trial = 0; trial < 160; trial++) {
            boolean nhwc = trial % 2 == 1;
            boolean residual = r.nextBoolean();
            String activation = ACTIVATIONS[trial / 2 % ACTIVATIONS.length];
            if (nhwc && activation.equals("prelu")) {
                activation = "leaky";
            }
            int length = 1 + r.nextInt(4);
            int c = 1 + r.nextInt(19);
            int h = 1 + r.nextInt(23);
            int w = 1 + r.nextInt(29);
            if (trial % 16 == 0) {
                h = 61; // planes large enough to split across two threads
                w = 67;
            }
            int[] shape = nhwc ? new int[] {2, h, w, c} : new int[] {2, c, h, w};
            Chain chain = randomChain(r, nhwc, residual, length, activation, shape);
            Tensor x = RandomData.tensor(r, shape);
            Tensor x2 = RandomData.tensor(r, shape);
            String threads = Integer.toString(1 + trial % 2);
            List<Tensor> in = residual ? List.of(x, x2) : List.of(x);
            Tensor expected = ReferenceRunner.run(chain.graph(), in.toArray(Tensor[]::new)).get(0);
            try (var compiled = new CpuDevice().compile(chain.graph(), Map.of("INFERENCE_NUM_THREADS", threads))) {
                ExecutionRequest request = compiled.newRequest();
                request.setProfiling(true);
                for (int i = 0; i < in.size(); i++) {
                    request.setInput(i, in.get(i));
                }
                request.run();
                TensorAssert.assertClose(expected, request.output(0), 1e-6, 1e-5);
                List<ProfilingInfo> rows = request.profilingInfo();
                List<ProfilingInfo> executed = rows.stream()
                        .filter(p -> p.status() == ProfilingInfo.Status.EXECUTED).toList();
                if (chain.length() >= 2) {
                    assertEquals(1, executed.size(), chain.text() + ": " + rows);
                    assertTrue(executed.get(0).execType().startsWith("eltwise_chain_"), chain.text() + ": " + rows);
                    checked++;
                }
            }
        }
        assertTrue(checked > 100, "chains of two or more ops checked: " + checked);
    }

    /** A residual sum also read by another output ends the chain: the Add runs alone, the rest fuses. */
    @Test
    void aValueReadElsewhereEndsTheChain() {
        Random r = new Random(3);
        int[] shape = {2, 6, 9, 11};
        GraphBuilder b = new GraphBuilder("shared");
        Value x = b.input("x", ElementType.F32, shape);
        Value sum = b.op(new Add(), x, b.input("x2", ElementType.F32, shape));
        Value scaled = b.op(new Multiply(), sum, b.constant(RandomData.tensor(r, 1, 6, 1, 1)));
        Value shifted = b.op(new Add(), scaled, b.constant(RandomData.tensor(r, 1, 6, 1, 1)));
        Value relu = b.op(new Relu(), shifted);
        Graph g = b.output(relu).output(sum).graph();
        Tensor a = RandomData.tensor(r, shape);
        Tensor c = RandomData.tensor(r, shape);
        List<Tensor> expected = ReferenceRunner.run(g, a, c);
        try (var compiled = new CpuDevice().compile(g, Map.of())) {
            ExecutionRequest request = compiled.newRequest();
            request.setProfiling(true);
            request.setInput(0, a);
            request.setInput(1, c);
            request.run();
            TensorAssert.assertClose(expected.get(0), request.output(0), 1e-6, 1e-5);
            TensorAssert.assertClose(expected.get(1), request.output(1), 0, 0);
            List<String> executed = new ArrayList<>();
            for (ProfilingInfo p : request.profilingInfo()) {
                if (p.status() == ProfilingInfo.Status.EXECUTED) {
                    executed.add(p.nodeType() + ":" + p.execType());
                }
            }
            assertEquals(2, executed.size(), executed.toString());
            assertTrue(executed.get(0).startsWith("Add:eltwise_add_"), executed.toString());
            assertTrue(executed.get(1).startsWith("Multiply:eltwise_chain_") && executed.get(1).endsWith("affine+relu"),
                    executed.toString());
        }
    }
}
