package dev.infero.cpu;

import dev.infero.core.device.PortInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import dev.infero.core.tensor.Tensor;
import dev.infero.cpu.fusion.Fused;
import dev.infero.cpu.fusion.Fusion;
import dev.infero.cpu.fusion.NchwcTransform;
import dev.infero.cpu.step.CopyStep;
import dev.infero.cpu.step.EltwiseStep;
import dev.infero.cpu.step.FakeQuantizeStep;
import dev.infero.cpu.step.LinearResizeStep;
import dev.infero.cpu.step.LrnStep;
import dev.infero.cpu.step.NearestResizeStep;
import dev.infero.cpu.step.NchwcConvolutionStep;
import dev.infero.cpu.step.NchwcPoolingStep;
import dev.infero.cpu.step.PadStep;
import dev.infero.cpu.step.ReorderStep;
import dev.infero.cpu.step.PoolingStep;
import dev.infero.cpu.step.QuantizeLinearStep;
import dev.infero.cpu.step.ReduceStep;
import dev.infero.cpu.step.ReferenceStep;
import dev.infero.cpu.step.SoftmaxStep;
import dev.infero.cpu.step.Step;
import dev.infero.cpu.step.TransposeStep;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A graph flattened for execution: every value gets a slot, values known at build time are fixed tensors, and the
 * remaining nodes become steps in topological order. Two step lists exist: {@link #steps}, where kernels were chosen
 * for the compiled shapes and chains such as Convolution → BatchNormInference → Add → ReLU, MatMul → Add or
 * Reshape → Transpose → Reshape, or a standalone Add → BatchNormInference → Multiply → Add → ReLU, run as one fused step (on integer codes when an INT8 model's FakeQuantize and INT8
 * weights allow; see {@code cpu.fusion}), and {@link #referenceSteps}, one
 * reference step per node, used when a run's shapes differ from the compiled ones.
 * Immutable and shared by all requests.
 */
final class ExecutionPlan {
    /** One unit of execution: a step reading the input slots and writing the output slots. */
    record Entry(Node node, List<Node> fused, Step<?> step, int[] inputs, int[] outputs) {
    }

    final List<Entry> steps;
    final List<Entry> referenceSteps;
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
    /**
     * Per slot of {@link #steps}: the Concat output slot whose array it is written into ({@link InPlaceConcat}), or
     * -1 for a slot with its own; {@link #viewOffset} is where it starts there.
     */
    final int[] viewOf;
    final int[] viewOffset;

    private ExecutionPlan(List<Entry> steps, List<Entry> referenceSteps, boolean isStatic, Tensor[] constants,
                          Value[] values, int[] inputSlots, int[] outputSlots, List<PortInfo> inputs,
                          List<PortInfo> outputs, int[] viewOf, int[] viewOffset) {
        this.steps = steps;
        this.referenceSteps = referenceSteps;
        this.isStatic = isStatic;
        this.constants = constants;
        this.values = values;
        this.inputSlots = inputSlots;
        this.outputSlots = outputSlots;
        this.inputs = inputs;
        this.outputs = outputs;
        this.viewOf = viewOf;
        this.viewOffset = viewOffset;
    }

    static ExecutionPlan of(Graph original) {
        NchwcTransform.Support blocked = NchwcTransform.configured();
        Graph graph = blocked == null ? original : NchwcTransform.apply(original, blocked);
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
        List<Entry> reference = computed.stream()
                .map(n -> new Entry(n, List.of(), new ReferenceStep(n), slotsOf(n.inputs(), slots), slotsOf(n.outputs(), slots)))
                .toList();
        boolean isStatic = computed.stream().allMatch(n -> n.outputs().stream().allMatch(v -> v.shape().isStatic()));
        List<Entry> steps = isStatic ? selectSteps(computed, slots) : reference;

        Tensor[] constants = new Tensor[values.size()];
        for (int i = 0; i < constants.length; i++) {
            constants[i] = values.get(i).knownValue();
        }
        int[] inputSlots = graph.parameters().stream().mapToInt(p -> slots.get(p.output(0))).toArray();
        int[] outputSlots = graph.results().stream().mapToInt(r -> slots.get(r.output(0))).toArray();
        List<PortInfo> in = graph.parameters().stream().map(p -> PortInfo.of(p.output(0))).toList();
        List<PortInfo> out = graph.results().stream().map(r -> PortInfo.of(r.output(0))).toList();
        Value[] slotValues = values.toArray(Value[]::new);
        InPlaceConcat.Placement placed = isStatic
                ? InPlaceConcat.place(steps, constants, slotValues, inputSlots, outputSlots)
                : InPlaceConcat.place(List.of(), constants, slotValues, inputSlots, outputSlots);
        return new ExecutionPlan(isStatic ? placed.steps() : List.copyOf(steps), reference, isStatic, constants,
                slotValues, inputSlots, outputSlots, in, out, placed.viewOf(), placed.viewOffset());
    }

    /**
     * Chooses a step for each node: fused chains where they match, a specialised step or the reference step otherwise.
     * A fused step runs where its last node stood, when everything it reads has been computed.
     */
    private static List<Entry> selectSteps(List<Node> computed, Map<Value, Integer> slots) {
        Fusion.Chains chains = Fusion.find(computed);
        Map<Node, Fused> endingAt = chains.endingAt();
        Set<Node> absorbed = chains.absorbed();
        // An absorbed FakeQuantize is reported as fused into the first step that reads the value before it.
        Set<Node> reported = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        List<Entry> steps = new ArrayList<>();
        for (Node n : computed) {
            Fused m = endingAt.get(n);
            if (m != null) {
                List<Node> fused = new ArrayList<>(m.nodes().subList(1, m.nodes().size()));
                if (chains.absorbedQuantizers().contains(m.quantizer()) && reported.add(m.quantizer())) {
                    fused.add(m.quantizer());
                }
                steps.add(new Entry(m.nodes().get(0), fused, m.step(), slotsOf(m.inputs(), slots),
                        slotsOf(m.outputs(), slots)));
            } else if (!absorbed.contains(n)) {
                // A blocked convolution reports the source nodes its post-ops absorbed (cpu.blocked).
                List<Node> fused = n.op() instanceof dev.infero.cpu.blocked.NchwcConvolution c ? c.fused() : List.of();
                Step<?> step = stepFor(n);
                if (chains.onCodes().contains(n)) {
                    step = onCodes(step);
                }
                steps.add(new Entry(n, fused, step, slotsOf(n.inputs(), slots),
                        slotsOf(n.outputs(), slots)));
            }
        }
        return steps;
    }

    /**
     * The step of a Concat or MaxPool that the INT8 codes pass through (see {@code Fusion}): the same work, its exec
     * type naming the codes; any other step (a reference one) unchanged, as exact on codes.
     */
    private static Step<?> onCodes(Step<?> step) {
        if (step instanceof PoolingStep p && p.isMax()) {
            return p.onCodes();
        }
        if (step instanceof CopyStep c && c.isConcat()) {
            return c.onCodes();
        }
        return step;
    }

    /** A specialised step for a node outside any fused chain, else its reference evaluation. */
    private static Step<?> stepFor(Node n) {
        // MaxPool-8 also outputs indices; the fast kernel computes values only, so it takes the node when nothing
        // (no node, no Result) reads the indices.
        boolean extraOutputsUnused = n.outputs().stream().skip(1).allMatch(v -> v.consumers().isEmpty());
        Step<?> k = NchwcConvolutionStep.of(n);
        if (k == null) {
            k = NchwcPoolingStep.of(n);
        }
        if (k == null) {
            k = ReorderStep.of(n);
        }
        if (k == null) {
            k = PoolingStep.of(n, extraOutputsUnused);
        }
        if (k == null) {
            k = PadStep.of(n);
        }
        if (k == null) {
            k = TransposeStep.of(n);
        }
        if (k == null) {
            k = EltwiseStep.of(n);
        }
        if (k == null) {
            k = FakeQuantizeStep.of(n);
        }
        if (k == null) {
            k = QuantizeLinearStep.of(n);
        }
        if (k == null) {
            k = LrnStep.of(n);
        }
        if (k == null) {
            k = ReduceStep.of(n);
        }
        if (k == null) {
            k = SoftmaxStep.of(n);
        }
        if (k == null) {
            k = NearestResizeStep.of(n);
        }
        if (k == null) {
            k = LinearResizeStep.of(n);
        }
        if (k == null) {
            k = CopyStep.of(n);
        }
        return k != null ? k : new ReferenceStep(n);
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
