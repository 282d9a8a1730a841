package dev.infero.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.infero.core.ops.sequence.PackedSequence;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.onnx.proto.Onnx.AttributeProto;
import dev.infero.onnx.proto.Onnx.GraphProto;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.NodeProto;
import dev.infero.onnx.proto.Onnx.TensorShapeProto;
import dev.infero.onnx.proto.Onnx.TypeProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sequences known only at run time, as a dynamic export writes them around a Python list built in a loop: a split
 * along a dynamic dimension, a read at a position given as input, and a Loop whose carried sequence grows by one
 * item per iteration, concatenated afterwards. Infero runs them on the CPU device (packed sequences on the reference
 * path) at two input sizes and matches ONNX Runtime.
 */
class RuntimeSequenceOrtTest {
    @TempDir
    Path dir;

    /** A scalar tensor type of ONNX element type {@code elem}. */
    private static TypeProto scalar(int elem) {
        return TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elem)
                .setShape(TensorShapeProto.getDefaultInstance())).build();
    }

    private static TypeProto floatSequence() {
        return TypeProto.newBuilder().setSequenceType(TypeProto.Sequence.newBuilder().setElemType(
                TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1)))).build();
    }

    private static NodeProto node(String op, List<String> in, List<String> out) {
        return NodeProto.newBuilder().setName(out.get(0)).setOpType(op).addAllInput(in).addAllOutput(out).build();
    }

    /** x [N, 3] (N dynamic), k (i64 scalar) → y = concat(row_i · i), item = row k, n = N. */
    private Path model() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("seq", 18).input("x", ElementType.F32, -1, 3)
                .input("k", ElementType.I64).output("y", ElementType.F32).output("item", ElementType.F32)
                .output("n", ElementType.I64);
        b.node("SplitToSequence", "rows").inputs("x").outputs("rows").attr("axis", 0L);
        b.node("SequenceLength", "n").inputs("rows").outputs("n");
        b.node("SequenceAt", "item").inputs("rows", "k").outputs("item");
        b.node("SequenceEmpty", "empty").outputs("empty").attr("dtype", 1L);
        GraphProto body = GraphProto.newBuilder().setName("body")
                .addInput(ValueInfoProto.newBuilder().setName("i").setType(scalar(7)))
                .addInput(ValueInfoProto.newBuilder().setName("c").setType(scalar(9)))
                .addInput(ValueInfoProto.newBuilder().setName("acc").setType(floatSequence()))
                .addNode(node("Identity", List.of("c"), List.of("c_out")))
                .addNode(node("SequenceAt", List.of("rows", "i"), List.of("row")))
                .addNode(node("Cast", List.of("i"), List.of("f")).toBuilder()
                        .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                                .setI(1)).build())
                .addNode(node("Mul", List.of("row", "f"), List.of("scaled")))
                .addNode(node("SequenceInsert", List.of("acc", "scaled"), List.of("acc_out")))
                .addOutput(ValueInfoProto.newBuilder().setName("c_out").setType(scalar(9)))
                .addOutput(ValueInfoProto.newBuilder().setName("acc_out").setType(floatSequence()))
                .build();
        ModelProto.Builder m = b.build().toBuilder();
        m.getGraphBuilder().addNode(node("Loop", List.of("n", "", "empty"), List.of("scaled_rows")).toBuilder()
                .addAttribute(AttributeProto.newBuilder().setName("body").setType(AttributeProto.AttributeType.GRAPH)
                        .setG(body)));
        m.getGraphBuilder().addNode(node("ConcatFromSequence", List.of("scaled_rows"), List.of("y")).toBuilder()
                .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                        .setI(0)));
        Path file = dir.resolve("seq.onnx");
        Files.write(file, m.build().toByteArray());
        return file;
    }

    private static List<Tensor> ort(Path file, Tensor x, long k) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession s = env.createSession(file.toString(), new OrtSession.SessionOptions());
             OnnxTensor tx = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.floats()), new long[] {x.dim(0), 3});
             OnnxTensor tk = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[] {k}), new long[0]);
             OrtSession.Result r = s.run(Map.of("x", tx, "k", tk))) {
            OnnxTensor y = (OnnxTensor) r.get(0);
            OnnxTensor item = (OnnxTensor) r.get(1);
            OnnxTensor n = (OnnxTensor) r.get(2);
            float[] yv = new float[(int) y.getInfo().getNumElements()];
            y.getFloatBuffer().get(yv);
            float[] iv = new float[(int) item.getInfo().getNumElements()];
            item.getFloatBuffer().get(iv);
            long[] nv = new long[1];
            n.getLongBuffer().get(nv);
            return List.of(Tensor.of(yv, (int) y.getInfo().getShape()[0], 3), Tensor.of(iv, 3), Tensor.of(nv));
        }
    }

    @Test
    void splitLoopInsertAndConcatMatchOnnxRuntimeAtTwoSizes() throws Exception {
        Path file = model();
        try (Core core = new Core(); CompiledModel m = core.compileModel(file, "CPU")) {
            for (int rows : new int[] {4, 2, 4}) {
                Tensor x = Tensor.allocate(ElementType.F32, rows, 3);
                for (int i = 0; i < x.size(); i++) {
                    x.floats()[i] = i + 0.5f;
                }
                long k = -1;
                InferRequest r = m.createInferRequest();
                r.setInput(0, x);
                r.setInput(1, Tensor.scalar(k));
                r.infer();
                List<Tensor> want = ort(file, x, k);
                assertArrayEquals(new int[] {rows, 3}, r.getOutput(0).shape());
                assertArrayEquals(want.get(0).floats(), r.getOutput(0).toFloatArray());
                assertArrayEquals(want.get(1).floats(), r.getOutput(1).toFloatArray());
                assertEquals(rows, r.getOutput(2).getLong(0));
                // row i scaled by i
                assertEquals((rows - 1) * (3 * (rows - 1) + 0.5f), r.getOutput(0).getDouble(3 * (rows - 1)), 1e-4);
            }
        }
    }

    @Test
    void aSequenceOutputIsItsPackedDataAndShapes() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("split", 18).input("x", ElementType.F32, -1, 2);
        b.node("SplitToSequence", "rows").inputs("x").outputs("rows").attr("axis", 0L).attr("keepdims", 0L);
        ModelProto.Builder m = b.build().toBuilder();
        m.getGraphBuilder().addOutput(ValueInfoProto.newBuilder().setName("rows").setType(floatSequence()));
        Path file = dir.resolve("split.onnx");
        Files.write(file, m.build().toByteArray());
        try (Core core = new Core(); CompiledModel c = core.compileModel(file, "CPU")) {
            assertEquals(List.of("rows", "rows" + PackedSequence.SHAPES_SUFFIX),
                    c.outputs().stream().map(p -> p.name()).toList());
            InferRequest r = c.createInferRequest();
            r.setInput(0, Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 3, 2));
            r.infer();
            List<Tensor> items = PackedSequence.unpack(r.getOutput(0), r.getOutput(1));
            assertEquals(3, items.size());
            assertArrayEquals(new int[] {2}, items.get(2).shape());
            assertArrayEquals(new float[] {5, 6}, items.get(2).toFloatArray());
        }
    }
}
