package dev.infero.core.op;

import dev.infero.core.InferoException;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;

/**
 * Shape inference over concrete tensors, where every input value is known: what a device runs before a step whose
 * output shapes depend on its input data, and what the reference evaluation of a body graph runs per node. After
 * {@link Op#infer}, {@link #outputType} and {@link #outputShape} give each output's type and static shape.
 */
public final class ConcreteInferContext implements InferContext {
    private final Node node;
    private final Tensor[] in;
    private final String where;
    private final ElementType[] types;
    private final int[][] shapes;

    /**
     * @param node the node whose op infers
     * @param in its input tensors ({@code null} for an absent optional input)
     * @param where how errors name the node's place, e.g. {@code "node"} or {@code "body node"}
     */
    public ConcreteInferContext(Node node, Tensor[] in, String where) {
        this.node = node;
        this.in = in;
        this.where = where;
        this.types = new ElementType[node.outputs().size()];
        this.shapes = new int[types.length][];
    }

    /** The type output {@code i} was given. */
    public ElementType outputType(int i) {
        return types[i];
    }

    /** The shape output {@code i} was given (always static here). */
    public int[] outputShape(int i) {
        return shapes[i];
    }

    @Override
    public int inputCount() {
        return in.length;
    }

    @Override
    public boolean hasInput(int i) {
        return i < in.length && in[i] != null;
    }

    @Override
    public ElementType inputType(int i) {
        return in[i].type();
    }

    @Override
    public PartialShape inputShape(int i) {
        return PartialShape.of(in[i].shape());
    }

    @Override
    public Tensor inputValue(int i) {
        return hasInput(i) ? in[i] : null;
    }

    @Override
    public void setOutput(int i, ElementType type, PartialShape shape) {
        if (!shape.isStatic()) {
            throw error("output " + i + " shape " + shape + " is still unknown with concrete inputs");
        }
        types[i] = type;
        shapes[i] = shape.toArray();
    }

    @Override
    public String nodeName() {
        return node.name();
    }

    @Override
    public InferoException error(String message) {
        StringBuilder ins = new StringBuilder();
        for (Tensor t : in) {
            ins.append(ins.isEmpty() ? "" : ", ").append(t == null ? "-" : t.describe());
        }
        return new InferoException(where + " '" + node.name() + "' (" + node.type() + "): " + message + " [inputs: "
                + ins + "]");
    }
}
