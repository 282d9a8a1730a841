package dev.infero.transforms;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.Parameter;
import dev.infero.core.ops.Result;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.types.ElementType;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A model whose activations are f16 (an FP16 IR v11 with f16 inputs, an ONNX model in float16) computes in f32, as
 * OpenVINO's CPU plugin computes it on CPUs without native f16 arithmetic: f16 only stores values. Each f16 input is
 * converted to f32 right after the Parameter, each f16 constant is read through a decompression Convert to f32, each
 * Convert to f16 converts to f32 instead, and each output that was f16 is converted back to f16 before its Result, so
 * the model's inputs and outputs keep their types. The f32 kernels then run every layer (the f16 ones are reference
 * kernels), and the results are the f32 evaluation of the f16 weights: closer to the real numbers than f16 arithmetic.
 * (IR v10 FP16 files get the same treatment when they are read, see the IR reader.) A model in which some op cannot
 * take f32 where it had f16 (an op that produces f16 by an attribute) is left as it is.
 */
public final class ComputeF16InF32 implements Pass {
    @Override
    public String name() {
        return "compute-f16-in-f32";
    }

    @Override
    public int apply(Graph graph) {
        // An op other than a conversion reading or writing f16 values that are not constants
        boolean f16Arithmetic = graph.nodes().stream().anyMatch(n -> !(n.op() instanceof Result)
                && !(n.op() instanceof Parameter) && !(n.op() instanceof Convert)
                && (n.outputs().stream().anyMatch(ComputeF16InF32::f16Activation)
                || n.inputs().stream().anyMatch(ComputeF16InF32::f16Activation)));
        if (!f16Arithmetic) {
            return 0;
        }
        try {
            rewrite(graph.copy()); // a trial on a copy: a graph that cannot take it stays as it is
        } catch (InferoException | IllegalArgumentException e) {
            return 0;
        }
        return rewrite(graph);
    }

    private static boolean f16Activation(Value v) {
        return v != null && v.type() == ElementType.F16 && !v.isKnown();
    }

    private static int rewrite(Graph graph) {
        Map<Node, ElementType> resultTypes = new IdentityHashMap<>();
        for (Node r : graph.results()) {
            resultTypes.put(r, r.input(0).type());
        }
        Map<Value, Value> replacements = new IdentityHashMap<>();
        for (Node n : List.copyOf(graph.nodes())) {
            Value out = n.outputs().isEmpty() ? null : n.output(0);
            if (out == null || graph.consumers(out).isEmpty()) {
                continue;
            }
            if ((n.op() instanceof Parameter || n.op() instanceof Constant) && out.type() == ElementType.F16) {
                Node widened = graph.add(new Convert(ElementType.F32), n.name() + "/f32", out);
                if (n.op() instanceof Constant) {
                    widened.rtInfo().put("decompression", "");
                }
                replacements.put(out, widened.output(0));
            } else if (n.op() instanceof Convert c && c.destination() == ElementType.F16 && !out.isKnown()) {
                replacements.put(out, graph.add(new Convert(ElementType.F32, c.saturate()), n.name() + "/f32",
                        n.input(0)).output(0));
            }
        }
        graph.replaceAllUses(replacements);
        for (Map.Entry<Node, ElementType> e : resultTypes.entrySet()) {
            Node result = e.getKey();
            Value in = result.input(0);
            if (e.getValue() == ElementType.F16 && in.type() == ElementType.F32) {
                Value narrowed = graph.add(new Convert(ElementType.F16), in.node().name() + "/f16", in).output(0);
                narrowed.names().addAll(in.names());
                in.names().clear();
                graph.setInput(result, 0, narrowed);
            }
        }
        graph.removeDeadNodes();
        return replacements.size();
    }
}
