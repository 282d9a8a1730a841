package dev.infero.core.graph;

import dev.infero.core.ops.Result;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One output of a node: the tensor that flows along the graph's edges. Carries the type and shape found by shape
 * inference and, when the value is computable at build time (constants and what folds from them, such as shape
 * subgraphs), the value itself.
 */
public final class Value {
    private final Node node;
    private final int index;
    private ElementType type;
    private PartialShape shape;
    private Tensor knownValue;
    private final Set<String> names = new LinkedHashSet<>();
    private final List<Node> consumers = new ArrayList<>(2);

    Value(Node node, int index) {
        this.node = node;
        this.index = index;
    }

    /** The node that produces this value. */
    public Node node() {
        return node;
    }

    /** The producing node's output port (0-based among its outputs). */
    public int index() {
        return index;
    }

    public ElementType type() {
        return type;
    }

    public PartialShape shape() {
        return shape;
    }

    /** The value when known at build time, otherwise {@code null}. */
    public Tensor knownValue() {
        return knownValue;
    }

    public boolean isKnown() {
        return knownValue != null;
    }

    /**
     * The nodes of the graph that read this value, once per input port that reads it (Results included). The graph
     * keeps the list as nodes are added, rewired and removed, so asking is free.
     */
    public List<Node> consumers() {
        return Collections.unmodifiableList(consumers);
    }

    /**
     * The one node reading this value, when exactly one does (on one port) and it is not a Result, so the value is no
     * model output; else {@code null}. What a fusion or fold asks before it absorbs the reader into the producer.
     */
    public Node soleConsumer() {
        return consumers.size() == 1 && !(consumers.get(0).op() instanceof Result) ? consumers.get(0) : null;
    }

    void addConsumer(Node n) {
        consumers.add(n);
    }

    void removeConsumer(Node n) {
        for (int i = 0; i < consumers.size(); i++) {
            if (consumers.get(i) == n) {
                consumers.remove(i);
                return;
            }
        }
    }

    /** Tensor names from the source model (ONNX value names, IR port names). */
    public Set<String> names() {
        return names;
    }

    /**
     * The name a model input or output is known by, for the output value of its Parameter or Result node: the first
     * tensor name, else the node's name. Every device and the API name ports by this one rule.
     */
    public String portName() {
        return names.isEmpty() ? node.name() : names.iterator().next();
    }

    /** The first tensor name, or {@code node:port} when it has none. */
    public String displayName() {
        return names.isEmpty() ? node.name() + ":" + index : names.iterator().next();
    }

    void set(ElementType type, PartialShape shape) {
        this.type = type;
        this.shape = shape;
    }

    void setKnownValue(Tensor value) {
        this.knownValue = value;
    }

    @Override
    public String toString() {
        return displayName() + " " + type + shape;
    }
}
