package dev.infero.core.op;

import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;

/**
 * An operation of the Infero graph, named and parameterised as in OpenVINO's opsets so that the IR is a direct
 * mapping. An op is the single home of its semantics: its attributes ({@link #describe}), its type and shape
 * inference ({@link #infer}) and its reference evaluation ({@link #evaluate}), which is both the constant folder and
 * the numerical oracle for fast kernels. Ops are immutable and may be shared between nodes.
 */
public abstract class Op {
    /**
     * The op's declaration (type, version, attributes, IR factory): the one {@code SPEC} its class declares, found
     * by class, so an op with one declaration does not override this; an op class with several (one per version)
     * overrides it to choose. {@code null} for an op that states its type itself (Constant, Parameter). A new op
     * declares one (docs/architecture.md, "A new op").
     */
    public OpSpec<?> spec() {
        return OpSpec.of(getClass());
    }

    /** The OpenVINO type name, e.g. {@code Convolution}: the declaration's, unless the op overrides it. */
    public String type() {
        OpSpec<?> spec = spec();
        if (spec == null) {
            throw new IllegalStateException(getClass().getName() + " declares no OpSpec and does not override type()");
        }
        return spec.type();
    }

    /** The opset that defines this version of the op, e.g. {@code opset1}: the declaration's, else opset1. */
    public String version() {
        OpSpec<?> spec = spec();
        return spec == null ? "opset1" : spec.version();
    }

    /**
     * Computes the element type and shape of every output from those of the inputs, and from input values when they
     * are known (constants at build time, everything at run time). Sets every output with
     * {@link InferContext#setOutput}; an output whose shape depends on values not known yet gets dynamic dimensions.
     * Throws {@link dev.infero.core.InferoException} (via {@link InferContext#error}) for invalid inputs.
     */
    public abstract void infer(InferContext ctx);

    /**
     * Reference evaluation: reads {@code inputs} and writes every element of {@code outputs}, which are allocated with
     * the types and shapes {@link #infer} gave for these inputs.
     */
    public abstract void evaluate(Tensor[] inputs, Tensor[] outputs);

    /**
     * Writes the op's attributes in IR order and spelling: the declared ones ({@link #spec()}); ops without a
     * declaration override this, and ops without attributes write nothing.
     */
    public void describe(AttributeSink sink) {
        OpSpec<?> spec = spec();
        if (spec != null) {
            spec.describe(this, sink);
        }
    }

    /**
     * Output values that follow from the inputs' types and shapes alone, without their values (ShapeOf of a static
     * shape), or {@code null}. Build-time constant propagation uses it so that shape subgraphs fold even when the
     * data itself is only known at run time.
     */
    public Tensor[] evaluateFromShapes(InferContext ctx) {
        return null;
    }

    /** Whether the op's outputs are a pure function of its inputs, so it may be evaluated ahead of time. */
    public boolean isFoldable() {
        return true;
    }

    /** Floating-point operations for one evaluation of {@code node} (multiply-add counts as two); 0 if negligible. */
    public long flops(Node node) {
        return 0;
    }

    /** {@code Convolution(strides=[1,1], ...)}: type and attributes, for messages and op identity. */
    @Override
    public String toString() {
        AttributeSink.Text text = new AttributeSink.Text();
        describe(text);
        return type() + text;
    }
}
