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
        List<PortInfo> in = graph.parameters().stream().map(p -> PortInfo.of(p.output(0))).toList();
        List<PortInfo> out = graph.results().stream().map(r -> PortInfo.of(r.output(0))).toList();
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
        Map<Node, List<ConvolutionFusion.Match>> absorbedQuantizers = absorbQuantizers(endingAt, consumers, absorbed);
        passCodes(absorbedQuantizers, endingAt, consumers);
        // An absorbed FakeQuantize is reported as fused into the first step that reads the value before it.
        Set<Node> reported = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<Step> steps = new ArrayList<>();
        for (Node n : computed) {
            ConvolutionFusion.Match m = endingAt.get(n);
            if (m != null) {
                List<Node> fused = new ArrayList<>(m.nodes().subList(1, m.nodes().size()));
                if (absorbedQuantizers.containsKey(m.quantizer()) && reported.add(m.quantizer())) {
                    fused.add(m.quantizer());
                }
                steps.add(new Step(m.nodes().get(0), fused, m.kernel(), slotsOf(m.inputs(), slots),
                        new int[] {slots.get(m.output())}));
            } else if (!absorbed.contains(n)) {
                steps.add(new Step(n, List.of(), kernelFor(n, consumers), slotsOf(n.inputs(), slots),
                        slotsOf(n.outputs(), slots)));
            }
        }
        return steps;
    }

    /**
     * FakeQuantizes whose every reader is a chain that quantizes the value before it itself (INT8 convolutions and
     * matrix products, depthwise convolutions of codes) do not run: they are added to {@code absorbed} and returned
     * with their readers. One with any other reader runs as it is, in float, for those readers.
     */
    private static Map<Node, List<ConvolutionFusion.Match>> absorbQuantizers(
            Map<Node, ConvolutionFusion.Match> endingAt, Map<Value, List<Node>> consumers, Set<Node> absorbed) {
        Map<Node, List<ConvolutionFusion.Match>> readers = new IdentityHashMap<>();
        for (ConvolutionFusion.Match m : endingAt.values()) {
            if (m.quantizer() != null && !m.inputs().contains(m.quantizer().output(0))) {
                readers.computeIfAbsent(m.quantizer(), k -> new ArrayList<>()).add(m);
            }
        }
        readers.entrySet().removeIf(e -> consumers.getOrDefault(e.getKey().output(0), List.of()).size()
                != e.getValue().size());
        absorbed.addAll(readers.keySet());
        return readers;
    }

    /**
     * Where an absorbed FakeQuantize sits between a convolution and INT8 convolutions only (MobileNet blocks:
     * depthwise, then 1×1; ResNet bottlenecks: 1×1, 3×3, 1×1), the convolution writes the codes in place of its
     * output, quantizing each row while it is in cache, and the INT8 steps read them as they are, instead of each
     * quantizing its input into a buffer of its own.
     */
    private static void passCodes(Map<Node, List<ConvolutionFusion.Match>> absorbedQuantizers,
                                  Map<Node, ConvolutionFusion.Match> endingAt, Map<Value, List<Node>> consumers) {
        Map<Value, Node> producerEnd = new IdentityHashMap<>();
        for (var e : endingAt.entrySet()) {
            producerEnd.put(e.getValue().output(), e.getKey());
        }
        for (var e : absorbedQuantizers.entrySet()) {
            Node fq = e.getKey();
            Value before = fq.input(0);
            Node producer = producerEnd.get(before);
            boolean writes = producer != null && endingAt.get(producer).kernel() instanceof CodesWriter k
                    && k.canWriteCodes() && consumers.getOrDefault(before, List.of()).size() == 1;
            boolean read = e.getValue().stream().allMatch(m -> m.kernel()
                    instanceof QuantizedConvolution.QuantizedConvolutionKernel);
            var codes = writes && read ? QuantizedConvolution.channelQuantizers(fq) : null;
            if (codes == null) {
                continue;
            }
            ConvolutionFusion.Match p = endingAt.get(producer);
            endingAt.put(producer, p.withKernel(((CodesWriter) p.kernel()).writingCodes(codes)));
            for (ConvolutionFusion.Match m : e.getValue()) {
                // The step as it is now: it may already write the codes of the FakeQuantize after it.
                Node end = m.nodes().get(m.nodes().size() - 1);
                ConvolutionFusion.Match now = endingAt.get(end);
                endingAt.put(end, now.withKernel(((QuantizedConvolution.QuantizedConvolutionKernel) now.kernel())
                        .readingCodes()));
            }
        }
    }

    /** A specialised kernel for a node outside any fused chain, else its reference evaluation. */
    private static Kernel kernelFor(Node n, Map<Value, List<Node>> consumers) {
        // MaxPool-8 also outputs indices; the fast kernel computes values only, so it takes the node when nothing
        // (no node, no Result) reads the indices.
        boolean extraOutputsUnused = n.outputs().stream().skip(1).allMatch(v -> consumers.getOrDefault(v, List.of())
                .isEmpty());
        Kernel k = PoolingKernel.of(n, extraOutputsUnused);
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
            k = QuantizeLinearKernel.of(n);
        }
        if (k == null) {
            k = LrnKernel.of(n);
        }
        if (k == null) {
            k = ReduceKernel.of(n);
        }
        if (k == null) {
            k = SoftmaxKernel.of(n);
        }
        if (k == null) {
            k = NearestResizeKernel.of(n);
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
}
