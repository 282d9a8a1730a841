package dev.infero.tflite;

import dev.infero.core.InferoException;
import dev.infero.core.ResourceLimitException;
import dev.infero.core.InvalidModelException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.graph.Value;
import dev.infero.core.ops.Constant;
import dev.infero.core.ops.activation.Clamp;
import dev.infero.core.ops.eltwise.Add;
import dev.infero.core.ops.eltwise.Convert;
import dev.infero.core.ops.eltwise.Divide;
import dev.infero.core.ops.eltwise.Multiply;
import dev.infero.core.ops.eltwise.Round;
import dev.infero.core.ops.eltwise.Subtract;
import dev.infero.core.ops.movement.Reshape;
import dev.infero.core.ops.movement.Transpose;
import dev.infero.core.ops.quantization.FakeQuantize;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.tensor.TensorBytes;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.tflite.schema.Buffer;
import dev.infero.tflite.schema.Model;
import dev.infero.tflite.schema.Operator;
import dev.infero.tflite.schema.OperatorCode;
import dev.infero.tflite.schema.QuantizationParameters;
import dev.infero.tflite.schema.SubGraph;
import dev.infero.tflite.schema.TensorType;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a TensorFlow Lite model (subgraph 0) into an Infero {@link Graph}.
 *
 * <p><b>Layout.</b> TFLite is NHWC; Infero's convolutions, pooling and resizing are NCHW. Each 4-D tensor is kept in
 * the layout its producer gives it: the NCHW ops produce NCHW values, layout-neutral ops (activations, element-wise
 * ops, concatenation, padding, slicing, reductions, softmax, quantization) work in whichever layout their input has,
 * with axes and constant operands permuted at import, and one Transpose back to NHWC is inserted only where an op
 * needs TFLite's own layout (reshape, fully connected, gather, ...) or at a model output. Model inputs keep TFLite's
 * NHWC shape; weights are transposed once at import ([O,H,W,I] → [O,I,H,W]).
 *
 * <p><b>Quantization.</b> Values are computed in f32. A quantized activation tensor (int8/uint8/int16 with a scale)
 * is the f32 output of its producer followed by a FakeQuantize onto its grid ({@code real = scale·(q − zero_point)});
 * quantized weights of convolutions and fully connected layers become OpenVINO's compressed form
 * ({@code i8 Const → Convert → Multiply(per-channel scale)}), which the CPU device runs with INT8 kernels; other
 * quantized constants (biases, int32 or uint8 with a zero point) are dequantized at import.
 */
public final class TfliteImporter {
    /** NHWC → NCHW and back. */
    static final int[] TO_NCHW = {0, 3, 1, 2};
    static final int[] TO_NHWC = {0, 2, 3, 1};

    final String file;
    final Model model;
    final ByteBuffer bytes;
    final SubGraph subgraph;
    final Graph graph;
    private final int tensorCount;
    private final int bufferCount;
    private final Value[] natives;
    private final Value[] channelFirst;
    private final Tensor[] constants;
    private final boolean[] constantRead;

    private TfliteImporter(TfliteModelFile f, String name) {
        this.file = f.name();
        this.model = f.model();
        this.bytes = f.bytes();
        if (model.subgraphsLength() == 0) {
            throw new InvalidModelException(file + " has no subgraph");
        }
        this.subgraph = model.subgraphs(0);
        this.tensorCount = subgraph.tensorsLength();
        this.bufferCount = model.buffersLength();
        this.graph = new Graph(name);
        this.natives = new Value[tensorCount];
        this.channelFirst = new Value[tensorCount];
        this.constants = new Tensor[tensorCount];
        this.constantRead = new boolean[tensorCount];
    }

    /** Reads {@code file} into a graph named after it. */
    public static Graph read(Path file) {
        String name = file.getFileName().toString().replaceFirst("\\.tflite$", "");
        return importModel(TfliteModelFile.read(file), name);
    }

    /** Imports an already verified model. */
    public static Graph importModel(TfliteModelFile f, String name) {
        try {
            return new TfliteImporter(f, name).run();
        } catch (InferoException e) {
            throw e.getMessage().contains(f.name()) ? e : e.withContext(f.name() + ": ");
        } catch (RuntimeException e) {
            // The verifier bounds-checks what the importer reads; this only guards against a gap in it.
            throw new InvalidModelException(f.name() + " is not a valid TensorFlow Lite model: " + e, e);
        }
    }

    private Graph run() {
        graph.metadata().put("framework", "tflite");
        graph.metadata().put("schema_version", Long.toString(model.version()));
        if (model.description() != null && !model.description().isEmpty()) {
            graph.metadata().put("producer", model.description());
        }
        List<TfliteOperator> ops = operators();
        checkSupported(ops);
        for (int i = 0; i < subgraph.inputsLength(); i++) {
            int t = checkTensorIndex(subgraph.inputs(i), "subgraph input " + i);
            addInput(t);
        }
        for (TfliteOperator op : ops) {
            translate(op);
        }
        if (subgraph.outputsLength() == 0) {
            throw new InvalidModelException(file + ": the model has no outputs");
        }
        for (int i = 0; i < subgraph.outputsLength(); i++) {
            int t = checkTensorIndex(subgraph.outputs(i), "subgraph output " + i);
            Value v = outputValue(t);
            String n = tensorName(t);
            graph.addResult(n, v).output(0).names().add(n);
        }
        graph.removeDeadNodes();
        return graph;
    }

    // ---- structure ----

    private List<TfliteOperator> operators() {
        int codeCount = model.operatorCodesLength();
        List<TfliteOperator> ops = new ArrayList<>();
        for (int i = 0; i < subgraph.operatorsLength(); i++) {
            Operator op = subgraph.operators(i);
            long codeIndex = op.opcodeIndex();
            if (codeIndex >= codeCount) {
                throw new InvalidModelException(file + ": operator #" + i + " has opcode_index " + codeIndex
                        + ", but the model lists " + codeCount + " operator codes");
            }
            OperatorCode code = model.operatorCodes((int) codeIndex);
            int builtin = BuiltinOperators.resolve(code.deprecatedBuiltinCode(), code.builtinCode());
            int[] inputs = new int[op.inputsLength()];
            for (int k = 0; k < inputs.length; k++) {
                inputs[k] = op.inputs(k);
                if (inputs[k] != -1) {
                    checkTensorIndex(inputs[k], "operator #" + i + " input " + k);
                }
            }
            int[] outputs = new int[op.outputsLength()];
            for (int k = 0; k < outputs.length; k++) {
                outputs[k] = checkTensorIndex(op.outputs(k), "operator #" + i + " output " + k);
            }
            String type = builtin == BuiltinOperators.CUSTOM
                    ? "CUSTOM '" + (code.customCode() == null ? "" : code.customCode()) + "'"
                    : BuiltinOperators.name(builtin);
            ops.add(new TfliteOperator(this, i, builtin, type, op, inputs, outputs));
        }
        return ops;
    }

    int checkTensorIndex(int t, String where) {
        if (t < 0 || t >= tensorCount) {
            throw new InvalidModelException(file + ": " + where + " refers to tensor " + t + ", but subgraph 0 has "
                    + tensorCount + " tensors");
        }
        return t;
    }

    /** Every unsupported operator and tensor feature, all at once, before any node is built. */
    private void checkSupported(List<TfliteOperator> ops) {
        Map<String, List<String>> unsupported = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (TfliteOperator op : ops) {
            if (TfliteOps.translator(op.code()) == null) {
                unsupported.computeIfAbsent(op.type(), k -> new ArrayList<>()).add(op.describe());
            }
        }
        for (int t = 0; t < tensorCount; t++) {
            var tensor = subgraph.tensors(t);
            if (tensor.sparsity() != null) {
                problems.add("tensor '" + tensorName(t) + "' is sparse (sparsity parameters)");
            }
            QuantizationParameters q = tensor.quantization();
            if (q != null && q.detailsType() != 0) {
                problems.add("tensor '" + tensorName(t) + "' uses custom quantization details");
            }
            int type = tensor.type();
            if (elementType(type) == null) {
                problems.add("tensor '" + tensorName(t) + "' has type " + typeName(type));
            }
        }
        List<String> all = new ArrayList<>();
        unsupported.forEach((op, where) -> all.add(op + " (" + String.join(", ", where) + ")"));
        all.addAll(problems);
        if (!all.isEmpty()) {
            String what = unsupported.isEmpty() ? "" : "unsupported operator" + (unsupported.size() == 1 ? "" : "s")
                    + " " + String.join(", ", unsupported.keySet()) + "; ";
            throw new UnsupportedModelException(file + " cannot be imported: " + what + "details: "
                    + String.join("; ", all), all);
        }
    }

    private void translate(TfliteOperator op) {
        try {
            TfliteOps.translator(op.code()).translate(op);
        } catch (UnsupportedModelException | ResourceLimitException e) {
            throw e;
        } catch (InferoException e) {
            String m = e.getMessage();
            throw m.startsWith(file) ? e : op.error(m.replaceFirst("^node '[^']*' \\([^)]*\\): ", ""));
        } catch (RuntimeException e) {
            throw op.error("cannot translate: " + e);
        }
        for (int k = 0; k < op.outputs().length; k++) {
            int t = op.outputs()[k];
            if (natives[t] == null && channelFirst[t] == null) {
                throw op.error("output " + k + " ('" + tensorName(t) + "') is not supported by Infero's translation");
            }
        }
    }

    // ---- tensors ----

    String tensorName(int t) {
        String n = subgraph.tensors(t).name();
        return n == null || n.isEmpty() ? "tensor_" + t : n;
    }

    /** The tensor's TFLite shape (static: the shape the interpreter allocates). */
    int[] shape(int t) {
        var tensor = subgraph.tensors(t);
        int[] s = new int[tensor.shapeLength()];
        for (int i = 0; i < s.length; i++) {
            s[i] = tensor.shape(i);
            if (s[i] < 0) {
                s[i] = PartialShape.DYNAMIC;
            }
        }
        return s;
    }

    int tensorType(int t) {
        return subgraph.tensors(t).type();
    }

    static ElementType elementType(int tfliteType) {
        return switch (tfliteType) {
            case TensorType.FLOAT32 -> ElementType.F32;
            case TensorType.FLOAT16 -> ElementType.F16;
            case TensorType.INT32 -> ElementType.I32;
            case TensorType.UINT8 -> ElementType.U8;
            case TensorType.INT64 -> ElementType.I64;
            case TensorType.BOOL -> ElementType.BOOLEAN;
            case TensorType.INT16 -> ElementType.I16;
            case TensorType.INT8 -> ElementType.I8;
            case TensorType.FLOAT64 -> ElementType.F64;
            case TensorType.UINT64 -> ElementType.U64;
            case TensorType.UINT32 -> ElementType.U32;
            case TensorType.UINT16 -> ElementType.U16;
            case TensorType.BFLOAT16 -> ElementType.BF16;
            default -> null;
        };
    }

    static String typeName(int tfliteType) {
        return tfliteType >= 0 && tfliteType < TensorType.names.length ? TensorType.name(tfliteType)
                : "TensorType " + tfliteType;
    }

    /** Per-tensor or per-axis quantization: {@code real = scale[i]·(q − zeroPoint[i])} along {@code axis}. */
    record Quant(float[] scale, long[] zeroPoint, int axis) {
        boolean perTensor() {
            return scale.length == 1;
        }

        float scale(int i) {
            return scale[scale.length == 1 ? 0 : i];
        }

        long zeroPoint(int i) {
            return zeroPoint.length == 0 ? 0 : zeroPoint[zeroPoint.length == 1 ? 0 : i];
        }

        boolean sameAs(Quant o) {
            return o != null && Arrays.equals(scale, o.scale) && Arrays.equals(zeroPoint, o.zeroPoint) && axis == o.axis;
        }
    }

    /** The tensor's quantization, or {@code null} when it has no scale (a float tensor). */
    Quant quant(int t) {
        QuantizationParameters q = subgraph.tensors(t).quantization();
        if (q == null || q.scaleLength() == 0) {
            return null;
        }
        float[] scale = new float[q.scaleLength()];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = q.scale(i);
            if (!(scale[i] > 0) || Float.isInfinite(scale[i])) {
                throw new InvalidModelException(file + ": tensor '" + tensorName(t) + "' has quantization scale " + scale[i]
                        + " (must be positive and finite)");
            }
        }
        long[] zp = new long[q.zeroPointLength()];
        for (int i = 0; i < zp.length; i++) {
            zp[i] = q.zeroPoint(i);
        }
        if (zp.length > 1 && zp.length != scale.length) {
            throw new InvalidModelException(file + ": tensor '" + tensorName(t) + "' has " + scale.length + " scales but "
                    + zp.length + " zero points");
        }
        int axis = q.quantizedDimension();
        if (scale.length > 1) {
            int[] s = shape(t);
            if (axis < 0 || axis >= s.length || s[axis] != scale.length) {
                throw new InvalidModelException(file + ": tensor '" + tensorName(t) + "' of shape " + Arrays.toString(s)
                        + " has " + scale.length + " scales along quantized_dimension " + axis);
            }
        }
        return new Quant(scale, zp, scale.length > 1 ? axis : 0);
    }

    /** Whether the tensor holds data in the file (a constant), as opposed to an activation. */
    boolean isConstant(int t) {
        long b = subgraph.tensors(t).buffer();
        if (b == 0) {
            return false;
        }
        if (b >= bufferCount) {
            throw new InvalidModelException(file + ": tensor '" + tensorName(t) + "' refers to buffer " + b
                    + ", but the model has " + bufferCount + " buffers");
        }
        Buffer buffer = model.buffers((int) b);
        return buffer.dataLength() > 0 || Long.compareUnsigned(buffer.offset(), 1) > 0;
    }

    /** The raw stored data of a constant tensor (integer codes for quantized ones), checked against its shape. */
    Tensor rawConstant(int t) {
        if (constants[t] != null) {
            return constants[t];
        }
        if (!isConstant(t)) {
            throw new InvalidModelException(file + ": tensor '" + tensorName(t) + "' must be a constant (hold data)");
        }
        Buffer buffer = model.buffers((int) subgraph.tensors(t).buffer());
        int type = tensorType(t);
        ElementType et = elementType(type);
        int[] s = shape(t);
        long count = 1;
        for (int d : s) {
            if (d < 0) {
                throw new InvalidModelException(file + ": constant tensor '" + tensorName(t) + "' has a dynamic shape");
            }
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new InvalidModelException(file + ": constant tensor '" + tensorName(t) + "' of shape "
                        + Arrays.toString(s) + " is too large");
            }
        }
        long expected = count * Math.max(1, et.bits() / 8);
        ByteBuffer raw;
        if (buffer.dataLength() > 0) {
            raw = buffer.dataAsByteBuffer();
        } else {
            long offset = buffer.offset();
            long size = buffer.size();
            if (offset < 0 || size < 0 || offset + size > bytes.limit()) {
                throw new InvalidModelException(file + ": tensor '" + tensorName(t) + "' reads " + size + " bytes at offset "
                        + offset + ", beyond the " + bytes.limit() + "-byte file");
            }
            raw = bytes.duplicate().position((int) offset).limit((int) (offset + size)).slice();
        }
        if (raw.remaining() != expected) {
            throw new InvalidModelException(file + ": tensor '" + tensorName(t) + "' of shape " + Arrays.toString(s) + " and type "
                    + typeName(type) + " needs " + expected + " bytes, its buffer holds " + raw.remaining());
        }
        constants[t] = TensorBytes.fromLittleEndian(et, s, raw, "tensor '" + tensorName(t) + "'");
        return constants[t];
    }

    /**
     * A constant tensor's values: quantized ones dequantized to f32, f16/bf16/f64 widened or narrowed to f32, other
     * integer and boolean tensors as stored.
     */
    Tensor realConstant(int t) {
        Tensor raw = rawConstant(t);
        Quant q = quant(t);
        if (q != null && !raw.type().isFloating()) {
            return dequantize(raw, q);
        }
        return raw.type().isFloating() && raw.type() != ElementType.F32 ? raw.convertTo(ElementType.F32) : raw;
    }

    /** {@code scale·(q − zero_point)} per element, along the quantized axis when per-axis. */
    static Tensor dequantize(Tensor codes, Quant q) {
        int[] s = codes.shape();
        int inner = 1;
        for (int i = q.axis() + 1; i < s.length; i++) {
            inner *= s[i];
        }
        int channels = q.perTensor() ? 1 : s[q.axis()];
        float[] out = new float[codes.size()];
        for (int i = 0; i < out.length; i++) {
            int c = q.perTensor() ? 0 : i / inner % channels;
            out[i] = (float) (q.scale(c) * (double) (codes.getLong(i) - q.zeroPoint(c)));
        }
        return Tensor.of(out, s);
    }

    /** A constant node; named after the tensor. */
    Value constant(String name, Tensor value) {
        return graph.addConstant(name, value).output(0);
    }

    private void addInput(int t) {
        int type = tensorType(t);
        ElementType et = elementType(type);
        String name = tensorName(t);
        Value p = graph.addParameter(name, et, PartialShape.of(shape(t))).output(0);
        p.names().add(name);
        Quant q = quant(t);
        if (q != null && !et.isFloating()) {
            // A quantized input: the model reads codes; the graph computes on their real values.
            Value f = graph.value(new Convert(ElementType.F32), name + "/dequantize", p);
            float[] zp = new float[q.scale().length];
            boolean anyZeroPoint = false;
            for (int i = 0; i < zp.length; i++) {
                zp[i] = q.zeroPoint(i);
                anyZeroPoint |= zp[i] != 0;
            }
            int[] qs = quantShape(shape(t).length, q);
            if (anyZeroPoint) {
                f = graph.value(new Subtract(), name + "/zero_point", f, constant(name + "/zero_point", Tensor.of(zp, qs)));
            }
            f = graph.value(new Multiply(), name + "/scale", f, constant(name + "/scale", Tensor.of(q.scale().clone(), qs)));
            natives[t] = f;
        } else {
            natives[t] = p;
        }
    }

    /** Shape of per-axis quantization parameters broadcasting over a tensor of {@code rank}. */
    static int[] quantShape(int rank, Quant q) {
        int[] s = new int[rank];
        Arrays.fill(s, 1);
        if (!q.perTensor()) {
            s[q.axis()] = q.scale().length;
        }
        return s;
    }

    // ---- values and layouts ----

    boolean isDefined(int t) {
        return natives[t] != null || channelFirst[t] != null;
    }

    /** Whether the tensor is currently held only in NCHW (its native NHWC form not built). */
    boolean isNchw(int t) {
        return natives[t] == null && channelFirst[t] != null;
    }

    /** The tensor in TFLite's layout (a constant, an input, or an earlier operator's output). */
    Value value(int t, String reader) {
        if (natives[t] != null) {
            return natives[t];
        }
        if (channelFirst[t] != null) {
            natives[t] = transpose(channelFirst[t], TO_NHWC, tensorName(t) + "/nhwc");
            return natives[t];
        }
        if (isConstant(t)) {
            natives[t] = constant(tensorName(t), realConstant(t));
            constantRead[t] = true;
            return natives[t];
        }
        throw new InvalidModelException(file + ": " + reader + " reads tensor '" + tensorName(t)
                + "', which no earlier operator produces, is no model input and holds no data");
    }

    /** The tensor in NCHW (it must have rank 4). */
    Value nchw(int t, String reader) {
        if (channelFirst[t] != null) {
            return channelFirst[t];
        }
        Value v = value(t, reader);
        if (!v.shape().hasRank() || v.shape().rank() != 4) {
            throw new InvalidModelException(file + ": " + reader + " needs a 4-D NHWC tensor, but '" + tensorName(t)
                    + "' has shape " + v.shape());
        }
        Node producer = v.node();
        if (producer.op() instanceof FakeQuantize fq && producer.inputs().stream().skip(1)
                .allMatch(r -> r.isKnown() && r.knownValue().size() == 1)) {
            // Transpose before quantizing, so the layer reading the NCHW value reads a FakeQuantize directly (what
            // the INT8 kernels recognise); per-tensor ranges do not care about the layout.
            Value moved = transpose(producer.input(0), TO_NCHW, tensorName(t) + "/nchw");
            List<Value> inputs = new ArrayList<>(producer.inputs());
            inputs.set(0, moved);
            channelFirst[t] = graph.add(fq, tensorName(t) + "/fq_nchw", inputs).output(0);
        } else {
            channelFirst[t] = transpose(v, TO_NCHW, tensorName(t) + "/nchw");
        }
        return channelFirst[t];
    }

    /** A Transpose; folded to a constant when its input is known. */
    Value transpose(Value v, int[] perm, String name) {
        long[] p = Arrays.stream(perm).asLongStream().toArray();
        return fold(graph.value(new Transpose(), name, v, constant(name + "/order", Tensor.vector(p))), name);
    }

    /** A Reshape to a static shape; folded when its input is known. */
    Value reshape(Value v, long[] shape, String name) {
        return fold(graph.value(new Reshape(false), name, v, constant(name + "/shape", Tensor.vector(shape))), name);
    }

    /** {@code v} itself, or a new Constant holding its value when it is known but computed (the op node dies). */
    Value fold(Value v, String name) {
        if (v.isKnown() && !(v.node().op() instanceof Constant)) {
            return constant(name, v.knownValue());
        }
        return v;
    }

    /**
     * Defines an operator output: {@code v} is in NCHW when {@code nchw}. A quantized activation gets its
     * FakeQuantize unless {@code exact} (the op only moves values whose grid is already the output's).
     */
    void define(int t, Value v, boolean nchw, boolean exact) {
        if (isDefined(t)) {
            throw new InvalidModelException(file + ": tensor '" + tensorName(t) + "' is written by two operators");
        }
        String name = tensorName(t);
        Quant q = quant(t);
        ElementType et = elementType(tensorType(t));
        if (q != null && !et.isFloating() && v.type().isFloating()) {
            if (!exact) {
                v = fakeQuantize(v, q, tensorType(t), name);
            }
        } else if (v.type() != et) {
            v = fold(graph.value(new Convert(et), name + "/convert", v), name + "/convert");
        }
        if (nchw) {
            channelFirst[t] = v;
        } else {
            natives[t] = v;
            v.names().add(name);
        }
    }

    /** Levels and code range of a TFLite integer type. */
    static long[] codeRange(int tfliteType) {
        return switch (tfliteType) {
            case TensorType.INT8 -> new long[] {-128, 127};
            case TensorType.UINT8 -> new long[] {0, 255};
            case TensorType.INT16 -> new long[] {-32768, 32767};
            default -> null;
        };
    }

    /** FakeQuantize of {@code v} onto the grid {@code scale·(q − zero_point)}, q over the type's codes. */
    Value fakeQuantize(Value v, Quant q, int tfliteType, String name) {
        long[] range = codeRange(tfliteType);
        if (range == null) {
            throw new InvalidModelException(file + ": tensor '" + name + "' is a quantized " + typeName(tfliteType)
                    + " activation; only int8, uint8 and int16 activations are supported");
        }
        if (!q.perTensor()) {
            throw new InvalidModelException(file + ": tensor '" + name + "' is an activation quantized per axis; "
                    + "only per-tensor activation quantization is supported");
        }
        int rank = v.shape().hasRank() ? v.shape().rank() : 0;
        int[] s = new int[rank];
        Arrays.fill(s, 1);
        float low = (float) (q.scale(0) * (double) (range[0] - q.zeroPoint(0)));
        float high = (float) (q.scale(0) * (double) (range[1] - q.zeroPoint(0)));
        Value il = constant(name + "/input_low", Tensor.of(new float[] {low}, s));
        Value ih = constant(name + "/input_high", Tensor.of(new float[] {high}, s));
        Value ol = constant(name + "/output_low", Tensor.of(new float[] {low}, s));
        Value oh = constant(name + "/output_high", Tensor.of(new float[] {high}, s));
        return graph.value(new FakeQuantize(range[1] - range[0] + 1), name + "/fq", v, il, ih, ol, oh);
    }

    /** The tensor's value for a model output: TFLite's layout, and its integer codes when it is quantized. */
    private Value outputValue(int t) {
        Value v = value(t, "model output");
        Quant q = quant(t);
        ElementType et = elementType(tensorType(t));
        if (q != null && !et.isFloating() && v.type().isFloating()) {
            long[] range = codeRange(tensorType(t));
            if (range == null || !q.perTensor()) {
                throw new InvalidModelException(file + ": output '" + tensorName(t) + "' is quantized as "
                        + typeName(tensorType(t)) + (q.perTensor() ? "" : " per axis") + ", which is not supported");
            }
            String n = tensorName(t) + "/quantize";
            Value codes = graph.value(new Divide(), n + "/scale", v, constant(n + "/scale_value", Tensor.scalar(q.scale(0))));
            codes = graph.value(new Add(), n + "/zero_point", codes,
                    constant(n + "/zero_point_value", Tensor.scalar((float) q.zeroPoint(0))));
            codes = graph.value(new Round(Round.Mode.HALF_AWAY_FROM_ZERO), n + "/round", codes);
            codes = graph.value(new Clamp(range[0], range[1]), n + "/clamp", codes);
            return graph.value(new Convert(et), n, codes);
        }
        return v;
    }

    /**
     * Weights for a convolution or fully connected layer, permuted by {@code perm} (null: as stored) and reshaped to
     * {@code shape} (null: as permuted). Quantized 8-bit weights whose codes fit int8 after removing the zero point
     * become {@code i8 Const → Convert → Multiply(scale)} with one scale per output channel; the output channel
     * index of the stored tensor is spread row-major over {@code outAxes} of the final shape (one axis, or groups and
     * channels per group). Other weights are an f32 constant (dequantized, widened or as the graph computes them).
     */
    Value weights(int t, int[] perm, long[] shape, int[] outAxes, String reader) {
        String name = tensorName(t);
        Quant q = isConstant(t) ? quant(t) : null;
        Tensor raw = isConstant(t) ? rawConstant(t) : null;
        if (q != null && raw != null && (raw.type() == ElementType.I8 || raw.type() == ElementType.U8)) {
            Tensor codes = int8Codes(raw, q);
            if (codes != null) {
                int[] s = raw.shape();
                if (perm != null) {
                    codes = permute(codes, perm);
                }
                if (shape != null) {
                    codes = codes.reshape(Arrays.stream(shape).mapToInt(x -> (int) x).toArray());
                }
                int[] fs = codes.shape();
                int storedAxis = q.axis();
                float[] scales;
                int[] scaleShape = new int[fs.length];
                Arrays.fill(scaleShape, 1);
                if (q.perTensor()) {
                    scales = new float[] {q.scale(0)};
                } else {
                    int channels = s[storedAxis];
                    long spread = 1;
                    for (int a : outAxes) {
                        spread *= fs[a];
                        scaleShape[a] = fs[a];
                    }
                    if (spread != channels) {
                        throw new InvalidModelException(file + ": weights '" + name + "' of " + reader + " are quantized along "
                                + "axis " + storedAxis + ", not along their output channels");
                    }
                    scales = q.scale().clone();
                }
                Value i8 = constant(name, codes);
                Node convert = graph.add(new Convert(ElementType.F32), name + "/convert", i8);
                Value scale = constant(name + "/scale", Tensor.of(scales, scaleShape));
                Node mul = graph.add(new Multiply(), name + "/dequantize", convert.output(0), scale);
                // Kept through constant folding (as FP16 decompression is), so the IR stores INT8 weights.
                convert.rtInfo().put("decompression", "");
                mul.rtInfo().put("decompression", "");
                return mul.output(0);
            }
        }
        Value w = value(t, reader);
        if (w.type() != ElementType.F32 && w.type().isFloating()) {
            w = fold(graph.value(new Convert(ElementType.F32), name + "/f32", w), name + "/f32");
        }
        if (perm != null) {
            w = transpose(w, perm, name + "/transposed");
        }
        if (shape != null) {
            w = reshape(w, shape, name + "/reshaped");
        }
        return w;
    }

    /**
     * {@code q − zero_point} as int8 when every code fits [-128, 127] (int8 weights with zero point 0 always do;
     * uint8 weights with zero point 128 too); otherwise {@code null} (the weights are dequantized).
     */
    static Tensor int8Codes(Tensor raw, Quant q) {
        int[] s = raw.shape();
        int inner = 1;
        for (int i = q.axis() + 1; i < s.length; i++) {
            inner *= s[i];
        }
        int channels = q.perTensor() ? 1 : s[q.axis()];
        byte[] out = new byte[raw.size()];
        for (int i = 0; i < out.length; i++) {
            int c = q.perTensor() ? 0 : i / inner % channels;
            long v = raw.getLong(i) - q.zeroPoint(c);
            if (v < -128 || v > 127) {
                return null;
            }
            out[i] = (byte) v;
        }
        Tensor t = Tensor.allocate(ElementType.I8, s);
        System.arraycopy(out, 0, t.bytes(), 0, out.length);
        return t;
    }

    /** The tensor with its axes permuted (Transpose's reference evaluation). */
    static Tensor permute(Tensor t, int[] perm) {
        int[] s = t.shape();
        int[] ps = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            ps[i] = s[perm[i]];
        }
        Tensor out = Tensor.allocate(t.type(), ps);
        new Transpose().evaluate(new Tensor[] {t, Tensor.vector(Arrays.stream(perm).asLongStream().toArray())},
                new Tensor[] {out});
        return out;
    }
}
