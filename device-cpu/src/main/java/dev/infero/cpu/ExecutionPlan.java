package dev.infero.cpu;

import dev.infero.core.device.PortInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import dev.infero.core.tensor.Tensor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A graph flattened for execution: every value gets a slot, values known at build time are fixed tensors, and the
 * remaining nodes become steps in topological order. Immutable and shared by all requests.
 */
final class ExecutionPlan {
    /** One node to execute: its op reads the input slots and writes the output slots. */
    record Step(Node node, int[] inputs, int[] outputs) {
    }

    final List<Step> steps;
    /** Per slot: the constant tensor, or {@code null} when computed at run time. */
    final Tensor[] constants;
    /** Per slot: the value it holds (for types, shapes and names). */
    final Value[] values;
    final int[] inputSlots;
    final int[] outputSlots;
    final List<PortInfo> inputs;
    final List<PortInfo> outputs;

    private ExecutionPlan(List<Step> steps, Tensor[] constants, Value[] values, int[] inputSlots, int[] outputSlots,
                          List<PortInfo> inputs, List<PortInfo> outputs) {
        this.steps = steps;
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
        List<Step> steps = new ArrayList<>();
        for (Node node : graph.nodes()) {
            if (node.op() instanceof Result) {
                // A Result is its input: the output slot aliases it instead of copying.
                slots.put(node.output(0), slotOf(node.input(0), slots, values));
                continue;
            }
            int[] outs = new int[node.outputs().size()];
            for (int i = 0; i < outs.length; i++) {
                outs[i] = slotOf(node.output(i), slots, values);
            }
            boolean known = node.outputs().stream().allMatch(Value::isKnown);
            if (known || node.op() instanceof Parameter) {
                continue;
            }
            int[] ins = new int[node.inputs().size()];
            for (int i = 0; i < ins.length; i++) {
                Value v = node.input(i);
                ins[i] = v == null ? -1 : slots.get(v);
            }
            steps.add(new Step(node, ins, outs));
        }
        Tensor[] constants = new Tensor[values.size()];
        for (int i = 0; i < constants.length; i++) {
            constants[i] = values.get(i).knownValue();
        }
        int[] inputSlots = graph.parameters().stream().mapToInt(p -> slots.get(p.output(0))).toArray();
        int[] outputSlots = graph.results().stream().mapToInt(r -> slots.get(r.output(0))).toArray();
        List<PortInfo> in = graph.parameters().stream().map(p -> port(p, p.output(0))).toList();
        List<PortInfo> out = graph.results().stream().map(r -> port(r, r.output(0))).toList();
        return new ExecutionPlan(List.copyOf(steps), constants, values.toArray(Value[]::new), inputSlots,
                outputSlots, in, out);
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
