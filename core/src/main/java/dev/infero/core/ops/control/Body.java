package dev.infero.core.ops.control;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.ConcreteInferContext;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.Result;
import dev.infero.core.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A subgraph of a control-flow op with its port map, as OpenVINO's IR writes it: which op input feeds each body
 * parameter (whole, or sliced along an axis), which body result gives each op output (its last value, or all
 * iterations concatenated along an axis), and back edges carrying a result into a parameter for the next iteration.
 * Indices are positions in the body's {@link Graph#parameters()} and {@link Graph#results()}. Bodies are immutable
 * once their op exists; {@link #run} evaluates one with concrete tensors, inferring shapes as it goes (the reference
 * path of every control-flow op).
 *
 * @param tag      the IR element holding the graph: {@code body}, {@code then_body} or {@code else_body}
 * @param portMap  the IR element holding the port map: {@code port_map}, {@code then_port_map} or
 *                 {@code else_port_map}
 * @param currentIteration  Loop's body parameter receiving the iteration number, or -1
 * @param condition         Loop's body result deciding whether another iteration runs, or -1 (always)
 */
public record Body(String tag, String portMap, Graph graph, List<Input> inputs, List<Output> outputs,
                   List<BackEdge> backEdges, int currentIteration, int condition) {
    /**
     * Op input {@code external} feeds body parameter {@code parameter}; when {@code axis} is set, one part per
     * iteration (TensorIterator's sliced input: start, end, stride and part size as in OpenVINO, negative
     * positions counting from the end with -1 meaning the end).
     */
    public record Input(int external, int parameter, Long axis, long start, long stride, long end, long partSize) {
        public static Input whole(int external, int parameter) {
            return new Input(external, parameter, null, 0, 1, -1, 1);
        }
    }

    /** Body result {@code result} gives op output {@code external}: its last value, or concatenated along axis. */
    public record Output(int external, int result, Long axis, long start, long stride, long end, long partSize) {
        public static Output last(int external, int result) {
            return new Output(external, result, null, 0, 1, -1, 1);
        }

        public static Output concat(int external, int result, long axis, long stride) {
            return new Output(external, result, axis, stride < 0 ? -1 : 0, stride, stride < 0 ? 0 : -1, 1);
        }
    }

    /** After each iteration, body result {@code result} becomes body parameter {@code parameter}. */
    public record BackEdge(int result, int parameter) {
    }

    public Body {
        inputs = List.copyOf(inputs);
        outputs = List.copyOf(outputs);
        backEdges = List.copyOf(backEdges);
        int params = graph.parameters().size();
        int results = graph.results().size();
        for (Input i : inputs) {
            if (i.parameter < 0 || i.parameter >= params) {
                throw new InferoException(tag + " port map names parameter " + i.parameter + ", the body has "
                        + params);
            }
        }
        for (Output o : outputs) {
            if (o.result < 0 || o.result >= results) {
                throw new InferoException(tag + " port map names result " + o.result + ", the body has " + results);
            }
        }
        if (currentIteration >= params || condition >= results) {
            throw new InferoException(tag + " special ports " + currentIteration + "/" + condition
                    + " are outside the body's " + params + " parameters and " + results + " results");
        }
        for (BackEdge e : backEdges) {
            if (e.result < 0 || e.result >= results || e.parameter < 0 || e.parameter >= params) {
                throw new InferoException(tag + " back edge " + e.result + " -> " + e.parameter
                        + " is outside the body's " + results + " results and " + params + " parameters");
            }
        }
    }

    /** The input description of body parameter {@code p}, or {@code null}. */
    Input inputOf(int p) {
        for (Input i : inputs) {
            if (i.parameter == p) {
                return i;
            }
        }
        return null;
    }

    /** The back edge into body parameter {@code p}, or {@code null}. */
    BackEdge backEdgeInto(int p) {
        for (BackEdge e : backEdges) {
            if (e.parameter == p) {
                return e;
            }
        }
        return null;
    }

    /**
     * Evaluates the body on {@code parameters} (one tensor per parameter, in order) and returns one tensor per
     * result. Every node is evaluated again from its inputs (build-time known values may assume other shapes than
     * these); only constants are taken as they are.
     */
    public Tensor[] run(Tensor[] parameters) {
        Graph g = graph;
        Map<Value, Tensor> values = new IdentityHashMap<>();
        List<Node> params = g.parameters();
        for (int i = 0; i < params.size(); i++) {
            values.put(params.get(i).output(0), parameters[i]);
        }
        for (Node n : g.nodes()) {
            if (params.contains(n) || n.op() instanceof Result) {
                continue;
            }
            if (n.op() instanceof Constant c) {
                values.put(n.output(0), c.value());
                continue;
            }
            Tensor[] in = new Tensor[n.inputs().size()];
            for (int i = 0; i < in.length; i++) {
                Value v = n.input(i);
                in[i] = v == null ? null : values.get(v);
            }
            ConcreteInferContext ctx = new ConcreteInferContext(n, in, "body node");
            n.op().infer(ctx);
            Tensor[] out = new Tensor[n.outputs().size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Tensor.allocate(ctx.outputType(i), ctx.outputShape(i));
            }
            n.op().evaluate(in, out);
            for (int i = 0; i < out.length; i++) {
                values.put(n.output(i), out[i]);
            }
        }
        List<Node> results = g.results();
        Tensor[] out = new Tensor[results.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(results.get(i).input(0));
        }
        return out;
    }
}
