package dev.infero.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import com.google.flatbuffers.Table;
import dev.infero.core.InferoException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Value;
import dev.infero.core.op.Op;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.ops.eltwise.Tanh;
import dev.infero.core.tensor.Tensor;
import dev.infero.tflite.schema.ActivationFunctionType;
import dev.infero.tflite.schema.Operator;

/**
 * One TFLite operator as a translator sees it: its inputs (in TFLite's NHWC layout or in NCHW), constant operands,
 * typed builtin options (TFLite's defaults when the file omits them), and helpers that add Infero nodes named after
 * its first output tensor and define its outputs.
 */
final class TfliteOperator {
    /** An operator whose builtin_options is an empty table: options read through it give the schema defaults. */
    private static final Operator EMPTY_OPTIONS = emptyOptions();

    private final TfliteImporter importer;
    private final int index;
    private final int code;
    private final String type;
    private final Operator op;
    private final int[] inputs;
    private final int[] outputs;

    TfliteOperator(TfliteImporter importer, int index, int code, String type, Operator op, int[] inputs, int[] outputs) {
        this.importer = importer;
        this.index = index;
        this.code = code;
        this.type = type;
        this.op = op;
        this.inputs = inputs;
        this.outputs = outputs;
    }

    private static Operator emptyOptions() {
        FlatBufferBuilder b = new FlatBufferBuilder(64);
        b.startTable(0);
        int options = b.endTable();
        Operator.startOperator(b);
        Operator.addBuiltinOptions(b, options);
        b.finish(Operator.endOperator(b));
        return Operator.getRootAsOperator(b.dataBuffer());
    }

    int index() {
        return index;
    }

    int code() {
        return code;
    }

    String type() {
        return type;
    }

    int[] inputs() {
        return inputs;
    }

    int[] outputs() {
        return outputs;
    }

    Graph graph() {
        return importer.graph;
    }

    TfliteImporter importer() {
        return importer;
    }

    /** The name of its first output tensor: what nodes are named after (TFLite operators have no names). */
    String name() {
        return outputs.length == 0 ? type + "_" + index : importer.tensorName(outputs[0]);
    }

    /** {@code operator #12 → 'conv1/Relu'}, for listings. */
    String describe() {
        return "operator #" + index + (outputs.length == 0 ? "" : " → '" + name() + "'");
    }

    InferoException error(String message) {
        return new InvalidModelException(importer.file + ": " + type + " " + describe() + ": " + message);
    }

    // ---- inputs ----

    int inputCount() {
        return inputs.length;
    }

    boolean has(int k) {
        return k < inputs.length && inputs[k] >= 0;
    }

    /** The tensor index of input {@code k}, which must be present. */
    int tensor(int k) {
        if (!has(k)) {
            throw error("input " + k + " is required");
        }
        return inputs[k];
    }

    /** Input {@code k} in TFLite's layout. */
    Value in(int k) {
        return importer.value(tensor(k), type + " " + describe());
    }

    /** Input {@code k} in NCHW (a 4-D tensor). */
    Value inNchw(int k) {
        return importer.nchw(tensor(k), type + " " + describe());
    }

    /** Whether input {@code k} is currently held in NCHW only. */
    boolean isNchw(int k) {
        return has(k) && importer.isNchw(inputs[k]);
    }

    /** TFLite's shape of input {@code k}. */
    int[] shape(int k) {
        return importer.shape(tensor(k));
    }

    /** TFLite's shape of output {@code k}. */
    int[] outShape(int k) {
        return importer.shape(outputs[k]);
    }

    /** Input {@code k}'s value, which must be known when the model is read (a constant or computed from them). */
    Tensor known(int k, String what) {
        Value v = in(k);
        if (!v.isKnown()) {
            throw error(what + " (input " + k + ", '" + importer.tensorName(tensor(k)) + "') must be a constant");
        }
        return v.knownValue();
    }

    /** An integer constant input as longs. */
    long[] ints(int k, String what) {
        Tensor t = known(k, what);
        long[] out = new long[t.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = t.getLong(i);
        }
        return out;
    }

    TfliteImporter.Quant quant(int k) {
        return importer.quant(tensor(k));
    }

    TfliteImporter.Quant outQuant(int k) {
        return importer.quant(outputs[k]);
    }

    // ---- options ----

    /** The builtin options as {@code obj} (union type {@code unionType}), or the schema defaults when absent. */
    <T extends Table> T options(int unionType, T obj) {
        int actual = Byte.toUnsignedInt(op.builtinOptionsType());
        if (actual == 0 || op.builtinOptions(obj) == null) {
            EMPTY_OPTIONS.builtinOptions(obj);
            return obj;
        }
        if (actual != unionType) {
            throw error("has builtin options of union type " + actual + ", expected " + unionType);
        }
        return obj;
    }

    // ---- building ----

    /** Adds a node named after this operator and returns its first output. */
    Value add(Op o, Value... in) {
        return importer.graph.value(o, name(), in);
    }

    Value constant(Tensor t) {
        return importer.constant(name() + "/const", t);
    }

    /** Defines output {@code k} ({@code nchw}: the value is in NCHW), quantizing it onto its grid when quantized. */
    void out(int k, Value v, boolean nchw) {
        checkOutput(k);
        importer.define(outputs[k], v, nchw, false);
    }

    /** Defines output {@code k} of an op that only moves values: no FakeQuantize when its grid is its input's. */
    void outMoved(int k, Value v, boolean nchw, int fromInput) {
        checkOutput(k);
        TfliteImporter.Quant qo = outQuant(k);
        TfliteImporter.Quant qi = has(fromInput) ? quant(fromInput) : null;
        importer.define(outputs[k], v, nchw, qo == null || qo.sameAs(qi));
    }

    private void checkOutput(int k) {
        if (k >= outputs.length) {
            throw error("has " + outputs.length + " outputs, the translation produces output " + k);
        }
    }

    int outputCount() {
        return outputs.length;
    }

    /** The fused activation applied to {@code v} (NONE, RELU, RELU_N1_TO_1, RELU6, TANH). */
    Value activation(Value v, byte fused) {
        String n = name() + "/activation";
        return switch (fused) {
            case ActivationFunctionType.NONE -> v;
            case ActivationFunctionType.RELU -> importer.graph.value(new Relu(), n, v);
            case ActivationFunctionType.RELU_N1_TO_1 -> importer.graph.value(new Clamp(-1, 1), n, v);
            case ActivationFunctionType.RELU6 -> importer.graph.value(new Clamp(0, 6), n, v);
            case ActivationFunctionType.TANH -> importer.graph.value(new Tanh(), n, v);
            default -> throw error("fused activation " + (fused >= 0 && fused < ActivationFunctionType.names.length
                    ? ActivationFunctionType.name(fused) : Byte.toString(fused)) + " is not supported");
        };
    }
}
