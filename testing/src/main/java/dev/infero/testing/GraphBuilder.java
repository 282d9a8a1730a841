package dev.infero.testing;

import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/**
 * A small builder of core graphs for tests of the modules above {@code core} (passes, devices): inputs, constants and
 * ops by value, with node names made unique from the op type, so a test reads as the chain it builds:
 *
 * <pre>{@code
 * GraphBuilder b = new GraphBuilder("block");
 * Value x = b.input("x", ElementType.F32, 1, 8, 9, 9);
 * Value y = b.op(new Relu(), b.op(new Convolution(window), x, b.constant(weights)));
 * Graph g = b.output(y).graph();
 * }</pre>
 *
 * Inferring and folding happen as nodes are added, as in any graph; a dimension of -1 is dynamic.
 */
public final class GraphBuilder {
    private final Graph graph;

    public GraphBuilder(String name) {
        this.graph = new Graph(name);
    }

    /** A model input of {@code type} and shape {@code dims} (-1: dynamic). */
    public Value input(String name, ElementType type, int... dims) {
        return graph.addParameter(name, type, PartialShape.of(dims)).output(0);
    }

    /** A constant. */
    public Value constant(Tensor value) {
        return graph.addConstant("const", value).output(0);
    }

    /** The first output of {@code op} applied to {@code inputs} ({@code null}: an absent optional input). */
    public Value op(Op op, Value... inputs) {
        return graph.add(op, op.type(), inputs).output(0);
    }

    /** As {@link #op(Op, Value...)}, with the node named {@code name} (for profiling lookups). */
    public Value op(String name, Op op, Value... inputs) {
        return graph.add(op, name, inputs).output(0);
    }

    /** Marks {@code value} as a model output. */
    public GraphBuilder output(Value value) {
        graph.addResult("out", value);
        return this;
    }

    /** The graph built so far. */
    public Graph graph() {
        return graph;
    }
}
