package dev.infero.core.graph;

import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimits;
import dev.infero.core.op.InferContext;
import dev.infero.core.op.Op;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.Parameter;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of the graph: an op applied to input values. Inputs may contain {@code null} for an absent optional input.
 * Outputs are created by shape inference.
 */
public final class Node {
    /**
     * Largest output (in elements) that build-time constant propagation evaluates. Shape subgraphs and weight
     * generators (ConstantOfShape, Transpose of a weight) are far below it; an accidental huge Tile or Expand of a
     * constant stays a run-time computation instead of exhausting memory while the model loads.
     */
    public static final long FOLDING_BUDGET_ELEMENTS = 1L << 26;

    private final String name;
    private Op op;
    private final List<Value> inputs;
    private final List<Value> outputs = new ArrayList<>();
    private final Map<String, String> rtInfo = new LinkedHashMap<>();
    /** Whether the node is in its graph, so that its inputs list it among their consumers. */
    private boolean attached;

    Node(String name, Op op, List<Value> inputs) {
        this.name = name;
        this.op = op;
        this.inputs = new ArrayList<>(inputs);
    }

    public String name() {
        return name;
    }

    /**
     * Runtime information carried through the IR (OpenVINO layer {@code rt_info}): for example
     * {@code decompression} on the Convert that unpacks FP16 weights, or {@code fused_names}.
     */
    public Map<String, String> rtInfo() {
        return rtInfo;
    }

    public Op op() {
        return op;
    }

    public String type() {
        return op.type();
    }

    /** Input values; an entry is {@code null} where an optional input is absent. */
    public List<Value> inputs() {
        return Collections.unmodifiableList(inputs);
    }

    public Value input(int i) {
        return inputs.get(i);
    }

    public List<Value> outputs() {
        return Collections.unmodifiableList(outputs);
    }

    public Value output(int i) {
        if (i >= outputs.size()) {
            throw new InferoException("node '" + name + "' (" + op.type() + ") has " + outputs.size()
                    + " outputs, output " + i + " was asked for");
        }
        return outputs.get(i);
    }

    void setOp(Op op) {
        this.op = op;
    }

    void setInput(int i, Value v) {
        if (attached && inputs.get(i) != null) {
            inputs.get(i).removeConsumer(this);
        }
        inputs.set(i, v);
        if (attached && v != null) {
            v.addConsumer(this);
        }
    }

    /** Lists this node among its inputs' consumers: it has joined the graph. */
    void attach() {
        if (!attached) {
            attached = true;
            inputs.stream().filter(v -> v != null).forEach(v -> v.addConsumer(this));
        }
    }

    /** Takes this node off its inputs' consumers: it has left the graph. */
    void detach() {
        if (attached) {
            attached = false;
            inputs.stream().filter(v -> v != null).forEach(v -> v.removeConsumer(this));
        }
    }

    /** Runs the op's shape inference and, when every input is known, constant propagation. */
    void infer() {
        BuildContext ctx = new BuildContext();
        op.infer(ctx);
        checkLimits();
        Tensor[] fromShapes = op.isFoldable() ? op.evaluateFromShapes(ctx) : null;
        if (op instanceof Constant c) {
            outputs.get(0).setKnownValue(c.value());
        } else if (fromShapes != null) {
            for (int i = 0; i < fromShapes.length; i++) {
                outputs.get(i).setKnownValue(fromShapes[i]);
            }
        } else if (op.isFoldable() && !outputs.isEmpty() && inputs.stream().allMatch(v -> v == null || v.isKnown())
                && outputs.stream().allMatch(v -> v.shape().isStatic() && sizeOf(v.shape()) <= FOLDING_BUDGET_ELEMENTS)) {
            Tensor[] in = inputs.stream().map(v -> v == null ? null : v.knownValue()).toArray(Tensor[]::new);
            Tensor[] out = new Tensor[outputs.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = Tensor.allocate(outputs.get(i).type(), outputs.get(i).shape().toArray());
            }
            op.evaluate(in, out);
            for (int i = 0; i < out.length; i++) {
                outputs.get(i).setKnownValue(out[i]);
            }
        } else {
            outputs.forEach(v -> v.setKnownValue(null));
        }
    }

    /**
     * Refuses an output of static shape larger than {@link ResourceLimits} allow for one tensor: it could be neither
     * folded nor planned, and saying so while the model loads names the node (a declared input, a ConstantOfShape or
     * Range of a huge computed shape) instead of failing with an OutOfMemoryError later.
     */
    private void checkLimits() {
        ResourceLimits limits = ResourceLimits.current();
        for (int i = 0; i < outputs.size(); i++) {
            Value v = outputs.get(i);
            if (v.shape().isStatic()) {
                String what = op instanceof Parameter ? "input '" + name + "'"
                        : "node '" + name + "' (" + op.type() + ")" + (outputs.size() > 1 ? " output " + i : "");
                limits.checkTensor(what, v.type(), v.shape().toArray());
            }
        }
    }

    /** Element count, saturating at {@link Long#MAX_VALUE} (dimensions of several huge axes overflow a long). */
    private static long sizeOf(PartialShape s) {
        long n = 1;
        for (int i = 0; i < s.rank(); i++) {
            int d = s.dim(i);
            if (d == 0) {
                return 0;
            }
            if (n > Long.MAX_VALUE / d) {
                return Long.MAX_VALUE;
            }
            n *= d;
        }
        return n;
    }

    @Override
    public String toString() {
        return "'" + name + "' " + op;
    }

    private final class BuildContext implements InferContext {
        @Override
        public int inputCount() {
            return inputs.size();
        }

        @Override
        public boolean hasInput(int i) {
            return i < inputs.size() && inputs.get(i) != null;
        }

        @Override
        public ElementType inputType(int i) {
            return present(i).type();
        }

        @Override
        public PartialShape inputShape(int i) {
            return present(i).shape();
        }

        @Override
        public Tensor inputValue(int i) {
            return hasInput(i) ? inputs.get(i).knownValue() : null;
        }

        private Value present(int i) {
            if (!hasInput(i)) {
                throw error("input " + i + " is missing");
            }
            return inputs.get(i);
        }

        @Override
        public void setOutput(int i, ElementType type, PartialShape shape) {
            while (outputs.size() <= i) {
                outputs.add(new Value(Node.this, outputs.size()));
            }
            outputs.get(i).set(type, shape);
        }

        @Override
        public String nodeName() {
            return name;
        }

        @Override
        public InferoException error(String message) {
            List<String> ins = new ArrayList<>();
            for (Value v : inputs) {
                ins.add(v == null ? "-" : v.type() + "" + v.shape());
            }
            return new InferoException("node '" + name + "' (" + op.type() + "): " + message + " [inputs: "
                    + String.join(", ", ins) + "]");
        }
    }
}
