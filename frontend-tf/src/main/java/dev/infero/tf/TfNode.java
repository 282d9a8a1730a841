package dev.infero.tf;

import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.tf.proto.Tf.AttrValue;
import dev.infero.tf.proto.Tf.DataType;
import dev.infero.tf.proto.Tf.NodeDef;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A TensorFlow node as a translator sees it: typed attribute access with TensorFlow's defaults, its data inputs, and
 * helpers that add Infero nodes named after it and move tensors between TensorFlow's layout and NCHW (see
 * {@link TfValue}).
 */
public final class TfNode {
    private final NodeDef def;
    private final List<TfValue> inputs;
    private final TfImporter.Context ctx;

    TfNode(NodeDef def, List<TfValue> inputs, TfImporter.Context ctx) {
        this.def = def;
        this.inputs = inputs;
        this.ctx = ctx;
    }

    /** The same inputs read with another node's attributes (for fused patterns). */
    public TfNode withDef(NodeDef other) {
        return new TfNode(other, inputs, ctx);
    }

    /** Whether this node is a Placeholder that NHWC image ops read (so an input of unknown rank is 4-D). */
    public boolean imageInput() {
        return ctx.imageInput;
    }

    /** The channel count of an image input (see {@link #imageInput()}) when known, else -1. */
    public int imageChannels() {
        return ctx.imageChannels;
    }

    public String name() {
        return def.getName();
    }

    public String op() {
        return def.getOp();
    }

    public NodeDef def() {
        return def;
    }

    public Graph graph() {
        return ctx.graph();
    }

    public int inputCount() {
        return inputs.size();
    }

    /** Data input {@code i} with its layout. */
    public TfValue in(int i) {
        if (i >= inputs.size()) {
            throw error("needs at least " + (i + 1) + " inputs, has " + inputs.size());
        }
        return inputs.get(i);
    }

    public List<TfValue> inputs() {
        return inputs;
    }

    /** Input {@code i} in TensorFlow's own layout (transposed back from NCHW when needed). */
    public Value plain(int i) {
        return ctx.plain(in(i));
    }

    /** Input {@code i}, a 4-D NHWC tensor, as NCHW. */
    public Value nchw(int i) {
        return ctx.nchw(in(i), this);
    }

    /** The constant value of input {@code i} in TensorFlow's layout, or an error saying it must be constant. */
    public Tensor constant(int i, String what) {
        Value v = plain(i);
        if (!v.isKnown()) {
            throw error(what + " (input " + i + ") must be a constant or computable from constants");
        }
        return v.knownValue();
    }

    public boolean has(String attr) {
        return def.containsAttr(attr);
    }

    public AttrValue attr(String name) {
        return def.getAttrOrDefault(name, null);
    }

    public long attrInt(String name, long defaultValue) {
        AttrValue a = attr(name);
        return a == null ? defaultValue : a.getI();
    }

    public float attrFloat(String name, float defaultValue) {
        AttrValue a = attr(name);
        return a == null ? defaultValue : a.getF();
    }

    public boolean attrBool(String name, boolean defaultValue) {
        AttrValue a = attr(name);
        return a == null ? defaultValue : a.getB();
    }

    public String attrString(String name, String defaultValue) {
        AttrValue a = attr(name);
        return a == null ? defaultValue : a.getS().toString(StandardCharsets.UTF_8);
    }

    public DataType attrType(String name, DataType defaultValue) {
        AttrValue a = attr(name);
        return a == null ? defaultValue : a.getType();
    }

    /** A list(int) attribute, or {@code defaultValue} when absent. */
    public long[] attrInts(String name, long[] defaultValue) {
        AttrValue a = attr(name);
        return a == null ? defaultValue : a.getList().getIList().stream().mapToLong(Long::longValue).toArray();
    }

    /**
     * Numbers given any way TensorFlow and OpenCV write them: a list of ints or floats, a single int or float, or a
     * tensor; {@code defaultValue} when absent.
     */
    public float[] attrNumbers(String name, float[] defaultValue) {
        AttrValue a = attr(name);
        if (a == null) {
            return defaultValue;
        }
        return switch (a.getValueCase()) {
            case I -> new float[] {a.getI()};
            case F -> new float[] {a.getF()};
            case TENSOR -> {
                Tensor t = TfTensors.toTensor(a.getTensor(), "attribute " + name + " of node '" + name() + "'");
                float[] f = new float[t.size()];
                for (int k = 0; k < f.length; k++) {
                    f[k] = (float) t.getDouble(k);
                }
                yield f;
            }
            case LIST -> {
                var l = a.getList();
                float[] f = new float[l.getFCount() + l.getICount()];
                for (int k = 0; k < l.getFCount(); k++) {
                    f[k] = l.getF(k);
                }
                for (int k = 0; k < l.getICount(); k++) {
                    f[l.getFCount() + k] = l.getI(k);
                }
                yield f;
            }
            default -> throw error("attribute " + name + " is not a number or list of numbers");
        };
    }

    /** Whether TensorFlow's {@code data_format} attribute says NHWC (the default) rather than NCHW. */
    public boolean nhwc() {
        String f = attrString("data_format", "NHWC");
        return switch (f) {
            case "NHWC" -> true;
            case "NCHW" -> false;
            default -> throw error("data_format '" + f + "' is not supported (NHWC or NCHW)");
        };
    }

    /** Adds an Infero node named after this one and returns its first output. */
    public Value add(Op op, Value... inputs) {
        return addNode(op, inputs).output(0);
    }

    public Node addNode(Op op, Value... inputs) {
        return ctx.graph().add(op, def.getName(), inputs);
    }

    /**
     * Adds a helper node (weight layout, broadcasting shapes) named {@code <node>/<suffix>}, so the node that computes
     * the TensorFlow op's result keeps the TensorFlow node's name.
     */
    public Value helper(String suffix, Op op, Value... inputs) {
        return ctx.graph().add(op, def.getName() + "/" + suffix, inputs).output(0);
    }

    /** A constant node. */
    public Value constant(Tensor t) {
        return ctx.graph().addConstant(def.getName() + "/const", t).output(0);
    }

    /** {@code v} transposed by {@code perm}. */
    public Value transpose(Value v, long... perm) {
        return helper("transpose", new Transpose(), v, constant(Tensor.vector(perm)));
    }

    /** The static shape of {@code v}, or an error naming what needs it. */
    public int[] staticShape(Value v, String what) {
        PartialShape s = v.shape();
        if (!s.hasRank() || !s.isStatic()) {
            throw error(what + " needs a static shape, got " + s);
        }
        return s.toArray();
    }

    /** An error naming the file, this node and its op. */
    public InferoException error(String message) {
        return new InvalidModelException(ctx.where() + "TensorFlow node '" + name() + "' (" + op() + "): " + message);
    }
}
