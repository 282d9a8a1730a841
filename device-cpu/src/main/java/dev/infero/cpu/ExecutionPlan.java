package dev.infero.cpu;

import dev.infero.core.device.PortInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import dev.infero.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A graph flattened for execution: every value gets a slot, values known at build time are fixed tensors, and the
 * remaining nodes become steps in topological order. Two step lists exist: {@link #steps}, where kernels were chosen
 * for the compiled shapes and chains such as Convolution → BatchNormInference → Add → ReLU, MatMul → Add or
 * Reshape → Transpose → Reshape run as one fused step (on integer codes when an INT8 model's FakeQuantize and INT8
 * weights allow, see {@link QuantizedConvolution} and {@link QuantizedMatMul}), and {@link #referenceSteps}, one
 * reference step per node, used when a run's shapes differ from the compiled ones.
 * Immutable and shared by all requests.
 */
final class ExecutionPlan {
    /** One unit of execution: a kernel reading the input slots and writing the output slots. */
    record Step(Node node, List<Node> fused, Kernel kernel, int[] inputs, int[] outputs) {
    }

    final List<Step> steps;
    final List<Step> referenceSteps;
    /** Whether every step's shapes are static, so buffers can be planned once. */
    final boolean isStatic;
    /** Per slot: the constant tensor, or {@code null} when computed at run time. */
    final Tensor[] constants;
    /** Per slot: the value it holds (for types, shapes and names). */
    final Value[] values;
    final int[] inputSlots;
    final int[] outputSlots;
    final List<PortInfo> inputs;
    final List<PortInfo> outputs;

    private ExecutionPlan(List<Step> steps, List<Step> referenceSteps, boolean isStatic, Tensor[] constants,
                          Value[] values, int[] inputSlots, int[] outputSlots, List<PortInfo> inputs,
                          List<PortInfo> outputs) {
        this.steps = steps;
        this.referenceSteps = referenceSteps;
        this.isStatic = isStatic;
        this.constants = constants;
        this.values = values;
        this.inputSlots = inputSlots;
        this.outputSlots = outputSlots;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    static ExecutionPlan of(Graph graph) {
        Map<Value, Integer> slots = new IdentityHashMap<>();
        List<Value> values = new ArrayList<>();
        List<Node> computed = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (node.op() instanceof Result) {
                // A Result is its input: the output slot aliases it instead of copying.
                slots.put(node.output(0), slotOf(node.input(0), slots, values));
                continue;
            }
            for (Value v : node.outputs()) {
                slotOf(v, slots, values);
            }
            if (!(node.op() instanceof Parameter) && !node.outputs().stream().allMatch(Value::isKnown)) {
                computed.add(node);
            }
        }
        List<Step> reference = computed.stream()
                .map(n -> new Step(n, List.of(), new ReferenceKernel(n), slotsOf(n.inputs(), slots), slotsOf(n.outputs(), slots)))
                .toList();
        boolean isStatic = computed.stream().allMatch(n -> n.outputs().stream().allMatch(v -> v.shape().isStatic()));
        List<Step> steps = isStatic ? selectKernels(graph, computed, slots) : reference;

        Tensor[] constants = new Tensor[values.size()];
        for (int i = 0; i < constants.length; i++) {
            constants[i] = values.get(i).knownValue();
        }
        int[] inputSlots = graph.parameters().stream().mapToInt(p -> slots.get(p.output(0))).toArray();
        int[] outputSlots = graph.results().stream().mapToInt(r -> slots.get(r.output(0))).toArray();
        List<PortInfo> in = graph.parameters().stream().map(p -> port(p, p.output(0))).toList();
        List<PortInfo> out = graph.results().stream().map(r -> port(r, r.output(0))).toList();
        return new ExecutionPlan(List.copyOf(steps), reference, isStatic, constants, values.toArray(Value[]::new),
                inputSlots, outputSlots, in, out);
    }

    /**
     * Chooses a kernel for each node: fused convolution chains where they match, the reference kernel otherwise.
     * A fused step runs where its last node stood, when everything it reads has been computed.
     */
    private static List<Step> selectKernels(Graph graph, List<Node> computed, Map<Value, Integer> slots) {
        Map<Value, List<Node>> consumers = new HashMap<>();
        for (Node n : graph.nodes()) {
            for (Value v : n.inputs()) {
                if (v != null) {
                    consumers.computeIfAbsent(v, k -> new ArrayList<>()).add(n);
                }
            }
        }
        Map<Node, ConvolutionFusion.Match> endingAt = new IdentityHashMap<>();
        Set<Node> absorbed = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : computed) {
            if (absorbed.contains(n)) {
                continue;
            }
            ConvolutionFusion.Match m = ConvolutionFusion.match(n, consumers, absorbed);
            if (m == null) {
                m = MatMulFusion.match(n, consumers, absorbed);
            }
            if (m == null) {
                m = TransposeFusion.match(n, consumers, absorbed);
            }
            if (m != null) {
                absorbed.addAll(m.nodes());
                endingAt.put(m.nodes().get(m.nodes().size() - 1), m);
            }
        }
        Quantizers quantizers = planQuantizers(endingAt, consumers, absorbed);
        List<Step> steps = new ArrayList<>();
        for (Node n : computed) {
            ConvolutionFusion.Match m = endingAt.get(n);
            if (m != null) {
                List<Node> fused = new ArrayList<>(m.nodes().subList(1, m.nodes().size()));
                fused.addAll(quantizers.reportedIn().getOrDefault(m, List.of()));
                Node codes = quantizers.codeOutputs().get(m);
                Kernel kernel = codes == null ? m.kernel() : ((QuantizedConvolution.QuantizedConvolutionKernel) m.kernel())
                        .writingCodes(QuantizedConvolution.channelQuantizers(codes));
                int[] outputs = codes == null ? new int[] {slots.get(m.output())}
                        : new int[] {slots.get(m.output()), slots.get(codes.output(0))};
                steps.add(new Step(m.nodes().get(0), fused, kernel, slotsOf(m.inputs(), slots), outputs));
            } else if (!absorbed.contains(n)) {
                Kernel k = quantizers.codeKernels().containsKey(n) ? quantizers.codeKernels().get(n) : kernelFor(n);
                steps.add(new Step(n, List.of(), k, slotsOf(n.inputs(), slots), slotsOf(n.outputs(), slots)));
            }
        }
        return steps;
    }

    /** How the FakeQuantizes that fused chains read are run: not at all, as codes, or (default) as float values. */
    private record Quantizers(Map<ConvolutionFusion.Match, List<Node>> reportedIn, Map<Node, Kernel> codeKernels,
                              Map<ConvolutionFusion.Match, Node> codeOutputs) {
    }

    /**
     * Decides each FakeQuantize that INT8 chains read. When every reader quantizes its input itself (INT8
     * convolutions reading the value before it), it is absorbed and does not run. When every reader is such a chain
     * or one that reads codes (a depthwise convolution with the step in its weights), it runs as a
     * {@link QuantizeKernel}. Otherwise it runs as it is, in float, and the code readers are switched to their
     * kernels for values (in {@code endingAt}). Absorbed ones are reported as fused into their first reader.
     */
    private static Quantizers planQuantizers(Map<Node, ConvolutionFusion.Match> endingAt,
                                             Map<Value, List<Node>> consumers, Set<Node> absorbed) {
        Map<Node, List<ConvolutionFusion.Match>> readers = new IdentityHashMap<>();
        for (ConvolutionFusion.Match m : endingAt.values()) {
            Value fqOut = m.quantizer() == null ? null : m.quantizer().output(0);
            boolean selfQuantizing = fqOut != null && !m.readsCodes() && !m.inputs().contains(fqOut);
            boolean codeReading = fqOut != null && m.readsCodes() && m.inputs().indexOf(fqOut) == 0
                    && m.inputs().lastIndexOf(fqOut) == 0;
            if (selfQuantizing || codeReading) {
                readers.computeIfAbsent(m.quantizer(), k -> new ArrayList<>()).add(m);
            }
        }
        Map<ConvolutionFusion.Match, List<Node>> reportedIn = new IdentityHashMap<>();
        Map<Node, Kernel> codeKernels = new IdentityHashMap<>();
        for (var e : readers.entrySet()) {
            Node fq = e.getKey();
            List<ConvolutionFusion.Match> ms = e.getValue();
            boolean all = consumers.getOrDefault(fq.output(0), List.of()).size() == ms.size();
            boolean anyCodes = ms.stream().anyMatch(ConvolutionFusion.Match::readsCodes);
            if (all && !anyCodes) {
                absorbed.add(fq);
                reportedIn.computeIfAbsent(ms.get(0), k -> new ArrayList<>()).add(fq);
            } else if (all) {
                codeKernels.put(fq, new QuantizeKernel(QuantizedConvolution.channelQuantizers(fq),
                        fq.output(0).shape().toArray()));
            } else {
                for (ConvolutionFusion.Match m : ms) {
                    if (m.readsCodes()) {
                        endingAt.put(m.nodes().get(m.nodes().size() - 1), m.readingValues());
                    }
                }
            }
        }
        for (var e : endingAt.entrySet()) {
            if (e.getValue().readsCodes() && !codeKernels.containsKey(e.getValue().quantizer())) {
                e.setValue(e.getValue().readingValues()); // its FakeQuantize has no INT8 reader: stays in float
            }
        }
        // A code-writing FakeQuantize of an INT8 convolution's output becomes that step's second output.
        Map<Value, ConvolutionFusion.Match> producers = new IdentityHashMap<>();
        for (ConvolutionFusion.Match m : endingAt.values()) {
            producers.put(m.output(), m);
        }
        Map<ConvolutionFusion.Match, Node> codeOutputs = new IdentityHashMap<>();
        for (Node fq : List.copyOf(codeKernels.keySet())) {
            ConvolutionFusion.Match p = producers.get(fq.input(0));
            if (p != null && p.kernel() instanceof QuantizedConvolution.QuantizedConvolutionKernel
                    && !codeOutputs.containsKey(p)) {
                codeKernels.remove(fq);
                codeOutputs.put(p, fq);
                absorbed.add(fq);
                reportedIn.computeIfAbsent(p, k -> new ArrayList<>()).add(fq);
            }
        }
        return new Quantizers(reportedIn, codeKernels, codeOutputs);
    }

    /** A specialised kernel for a node outside any fused chain, else its reference evaluation. */
    private static Kernel kernelFor(Node n) {
        Kernel k = PoolingKernel.of(n);
        if (k == null) {
            k = PadKernel.of(n);
        }
        if (k == null) {
            k = TransposeKernel.of(n);
        }
        if (k == null) {
            k = EltwiseKernel.of(n);
        }
        if (k == null) {
            k = FakeQuantizeKernel.of(n);
        }
        if (k == null) {
            k = LrnKernel.of(n);
        }
        return k != null ? k : new ReferenceKernel(n);
    }

    private static int[] slotsOf(List<Value> values, Map<Value, Integer> slots) {
        int[] out = new int[values.size()];
        for (int i = 0; i < out.length; i++) {
            Value v = values.get(i);
            out[i] = v == null ? -1 : slots.get(v);
        }
        return out;
    }

    private static int slotOf(Value v, Map<Value, Integer> slots, List<Value> values) {
        return slots.computeIfAbsent(v, k -> {
            values.add(k);
            return values.size() - 1;
        });
    }

    private static PortInfo port(Node node, Value v) {
        String name = v.names().isEmpty() ? node.name() : v.names().iterator().next();
        return new PortInfo(name, v.type(), v.shape());
    }
}
