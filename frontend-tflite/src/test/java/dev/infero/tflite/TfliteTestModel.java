package dev.infero.tflite;

import com.google.flatbuffers.FlatBufferBuilder;
import dev.infero.core.graph.Graph;
import dev.infero.tflite.schema.Buffer;
import dev.infero.tflite.schema.Model;
import dev.infero.tflite.schema.Operator;
import dev.infero.tflite.schema.OperatorCode;
import dev.infero.tflite.schema.QuantizationParameters;
import dev.infero.tflite.schema.SubGraph;
import dev.infero.tflite.schema.Tensor;
import dev.infero.tflite.schema.TensorType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.ToIntFunction;

/**
 * Writes small {@code .tflite} flatbuffers in tests with {@link FlatBufferBuilder} and the generated schema classes,
 * the way TFLite's converter lays them out (buffer 0 empty, operator codes with both code fields). The one TFLite
 * writer of the tests: the CLI's end-to-end tests use it through this module's test-jar.
 */
public final class TfliteTestModel {
    private record TensorSpec(String name, int[] shape, byte type, int buffer, float[] scale, long[] zeroPoint,
                              int axis) {
    }

    private record OpSpec(int code, int[] inputs, int[] outputs, byte optionsType, ToIntFunction<FlatBufferBuilder> options) {
    }

    private final List<byte[]> buffers = new ArrayList<>(List.of(new byte[0]));
    private final List<TensorSpec> tensors = new ArrayList<>();
    private final List<OpSpec> ops = new ArrayList<>();
    private final List<Integer> codes = new ArrayList<>();
    private final List<Integer> inputs = new ArrayList<>();
    private final List<Integer> outputs = new ArrayList<>();
    /** Write only deprecated_builtin_code (files from before schema 3a), not builtin_code. */
    boolean legacyCodes;

    /** An activation tensor (no data). */
    public int tensor(String name, byte type, int... shape) {
        tensors.add(new TensorSpec(name, shape, type, 0, null, null, 0));
        return tensors.size() - 1;
    }

    /** A tensor naming buffer {@code buffer}, which need not exist (for bad-input tests). */
    public int tensorWithBuffer(String name, byte type, int buffer, int... shape) {
        tensors.add(new TensorSpec(name, shape, type, buffer, null, null, 0));
        return tensors.size() - 1;
    }

    /** A quantized activation tensor. */
    public int quantized(String name, byte type, float scale, long zeroPoint, int... shape) {
        tensors.add(new TensorSpec(name, shape, type, 0, new float[] {scale}, new long[] {zeroPoint}, 0));
        return tensors.size() - 1;
    }

    public int input(String name, int... shape) {
        int t = tensor(name, TensorType.FLOAT32, shape);
        inputs.add(t);
        return t;
    }

    /** Makes an existing tensor a model input. */
    public int markInput(int t) {
        inputs.add(t);
        return t;
    }

    public int output(int t) {
        outputs.add(t);
        return t;
    }

    /** A constant with raw little-endian data. */
    public int constant(String name, byte type, byte[] data, float[] scale, long[] zeroPoint, int axis, int... shape) {
        buffers.add(data);
        tensors.add(new TensorSpec(name, shape, type, buffers.size() - 1, scale, zeroPoint, axis));
        return tensors.size() - 1;
    }

    public int floats(String name, float[] v, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return constant(name, TensorType.FLOAT32, b.array(), null, null, 0, shape);
    }

    public int halfs(String name, float[] v, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putShort(Float.floatToFloat16(f));
        }
        return constant(name, TensorType.FLOAT16, b.array(), null, null, 0, shape);
    }

    public int ints(String name, int[] v, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : v) {
            b.putInt(i);
        }
        return constant(name, TensorType.INT32, b.array(), null, null, 0, shape);
    }

    public int ints(String name, int... v) {
        return ints(name, v, v.length);
    }

    public int int8(String name, byte[] v, float[] scale, long[] zeroPoint, int axis, int... shape) {
        return constant(name, TensorType.INT8, v, scale, zeroPoint, axis, shape);
    }

    public int int32Quantized(String name, int[] v, float[] scale, int... shape) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (int i : v) {
            b.putInt(i);
        }
        return constant(name, TensorType.INT32, b.array(), scale, new long[scale.length], 0, shape);
    }

    /** An operator; {@code options} writes its options table (or is {@code null}). */
    public void op(int code, int[] in, int[] out, byte optionsType, ToIntFunction<FlatBufferBuilder> options) {
        ops.add(new OpSpec(code, in, out, optionsType, options));
        if (!codes.contains(code)) {
            codes.add(code);
        }
    }

    public void op(int code, int[] in, int[] out) {
        op(code, in, out, (byte) 0, null);
    }

    public ByteBuffer build() {
        FlatBufferBuilder b = new FlatBufferBuilder(1024);
        int[] bufferOffsets = new int[buffers.size()];
        for (int i = 0; i < bufferOffsets.length; i++) {
            int data = buffers.get(i).length == 0 ? 0 : Buffer.createDataVector(b, buffers.get(i));
            Buffer.startBuffer(b);
            if (data != 0) {
                Buffer.addData(b, data);
            }
            bufferOffsets[i] = Buffer.endBuffer(b);
        }
        int[] tensorOffsets = new int[tensors.size()];
        for (int i = 0; i < tensorOffsets.length; i++) {
            TensorSpec t = tensors.get(i);
            int shape = Tensor.createShapeVector(b, t.shape());
            int name = b.createString(t.name());
            int q = 0;
            if (t.scale() != null) {
                int scale = QuantizationParameters.createScaleVector(b, t.scale());
                int zp = QuantizationParameters.createZeroPointVector(b, t.zeroPoint());
                QuantizationParameters.startQuantizationParameters(b);
                QuantizationParameters.addScale(b, scale);
                QuantizationParameters.addZeroPoint(b, zp);
                QuantizationParameters.addQuantizedDimension(b, t.axis());
                q = QuantizationParameters.endQuantizationParameters(b);
            }
            Tensor.startTensor(b);
            Tensor.addShape(b, shape);
            Tensor.addType(b, t.type());
            Tensor.addBuffer(b, t.buffer());
            Tensor.addName(b, name);
            if (q != 0) {
                Tensor.addQuantization(b, q);
            }
            tensorOffsets[i] = Tensor.endTensor(b);
        }
        int[] opOffsets = new int[ops.size()];
        for (int i = 0; i < opOffsets.length; i++) {
            OpSpec o = ops.get(i);
            int in = Operator.createInputsVector(b, o.inputs());
            int out = Operator.createOutputsVector(b, o.outputs());
            int options = o.options() == null ? 0 : o.options().applyAsInt(b);
            Operator.startOperator(b);
            Operator.addOpcodeIndex(b, codes.indexOf(o.code()));
            Operator.addInputs(b, in);
            Operator.addOutputs(b, out);
            if (options != 0) {
                Operator.addBuiltinOptionsType(b, o.optionsType());
                Operator.addBuiltinOptions(b, options);
            }
            opOffsets[i] = Operator.endOperator(b);
        }
        int tensorVector = SubGraph.createTensorsVector(b, tensorOffsets);
        int inputVector = SubGraph.createInputsVector(b, inputs.stream().mapToInt(Integer::intValue).toArray());
        int outputVector = SubGraph.createOutputsVector(b, outputs.stream().mapToInt(Integer::intValue).toArray());
        int opVector = SubGraph.createOperatorsVector(b, opOffsets);
        SubGraph.startSubGraph(b);
        SubGraph.addTensors(b, tensorVector);
        SubGraph.addInputs(b, inputVector);
        SubGraph.addOutputs(b, outputVector);
        SubGraph.addOperators(b, opVector);
        int subgraph = SubGraph.endSubGraph(b);
        int[] codeOffsets = new int[codes.size()];
        for (int i = 0; i < codeOffsets.length; i++) {
            int code = codes.get(i);
            OperatorCode.startOperatorCode(b);
            OperatorCode.addDeprecatedBuiltinCode(b, (byte) Math.min(code, BuiltinOperators.PLACEHOLDER_FOR_GREATER_OP_CODES));
            if (!legacyCodes) {
                OperatorCode.addBuiltinCode(b, code);
            }
            codeOffsets[i] = OperatorCode.endOperatorCode(b);
        }
        int codeVector = Model.createOperatorCodesVector(b, codeOffsets);
        int subgraphs = Model.createSubgraphsVector(b, new int[] {subgraph});
        int bufferVector = Model.createBuffersVector(b, bufferOffsets);
        int description = b.createString("Infero test");
        Model.startModel(b);
        Model.addVersion(b, 3);
        Model.addOperatorCodes(b, codeVector);
        Model.addSubgraphs(b, subgraphs);
        Model.addDescription(b, description);
        Model.addBuffers(b, bufferVector);
        Model.finishModelBuffer(b, Model.endModel(b));
        ByteBuffer bb = b.dataBuffer();
        byte[] bytes = Arrays.copyOfRange(bb.array(), bb.position(), bb.limit());
        return ByteBuffer.wrap(bytes);
    }

    Graph graph() {
        return TfliteImporter.importModel(TfliteModelFile.parse(build(), "test.tflite"), "test");
    }
}
