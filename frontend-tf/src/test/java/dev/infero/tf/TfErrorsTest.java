package dev.infero.tf;

import static dev.infero.tf.GraphDefBuilder.ints;
import static dev.infero.tf.GraphDefBuilder.s;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.infero.core.InferoException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.graph.Graph;
import dev.infero.tf.proto.Tf.DataType;
import dev.infero.tf.proto.Tf.GraphDef;
import dev.infero.tf.proto.Tf.MetaGraphDef;
import dev.infero.tf.proto.Tf.SavedModel;
import dev.infero.tf.proto.Tf.SignatureDef;
import dev.infero.tf.proto.Tf.TensorInfo;
import dev.infero.tf.proto.Tf.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading files: binary and text GraphDefs, companions, SavedModels, and one clear error for each kind of bad input. */
class TfErrorsTest {
    @TempDir
    Path dir;

    private static GraphDef small() {
        return new GraphDefBuilder().placeholder("in", 1, 4, 4, 2).constant("w", new float[8], 1, 1, 2, 4)
                .node("conv", "Conv2D", List.of("in", "w"), "strides", ints(1, 1, 1, 1), "padding", s("SAME"))
                .node("out", "Relu", List.of("conv")).build();
    }

    private Path write(String name, byte[] bytes) throws Exception {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void readsBinaryAndTextGraphDefs() throws Exception {
        Path pb = write("m.pb", small().toByteArray());
        Path txt = write("m.pbtxt", small().toString().getBytes());
        TfFrontend frontend = new TfFrontend();
        assertTrue(frontend.accepts(ModelSource.of(pb)));
        assertTrue(frontend.accepts(ModelSource.of(txt)));
        Path noExtension = write("model", small().toByteArray());
        assertTrue(frontend.accepts(ModelSource.of(noExtension)), "recognised by content");
        for (Path p : List.of(pb, txt, noExtension)) {
            Graph g = frontend.read(ModelSource.of(p));
            assertEquals(1, g.parameters().size());
            assertArrayEquals(new int[] {1, 4, 4, 4}, g.results().get(0).input(0).shape().toArray());
            assertTrue(g.results().get(0).output(0).names().contains("out"));
        }
    }

    @Test
    void truncatedBinaryNamesTheFile() throws Exception {
        byte[] bytes = small().toByteArray();
        Path p = write("cut.pb", Arrays.copyOf(bytes, bytes.length - 7));
        InferoException e = assertThrows(InferoException.class, () -> TfModelReader.read(ModelSource.of(p)));
        assertTrue(e.getMessage().contains("cut.pb"), e.getMessage());
        Path empty = write("empty.pb", new byte[0]);
        e = assertThrows(InferoException.class, () -> TfModelReader.read(ModelSource.of(empty)));
        assertTrue(e.getMessage().contains("empty.pb") && e.getMessage().contains("empty"), e.getMessage());
    }

    @Test
    void badTextNamesFileAndLine() throws Exception {
        Path p = write("bad.pbtxt", "node {\n  name: \"a\"\n  op: \"Relu\"\n  input: \n}\n".getBytes());
        InferoException e = assertThrows(InferoException.class, () -> TfModelReader.read(ModelSource.of(p)));
        assertTrue(e.getMessage().contains("bad.pbtxt") && e.getMessage().contains("5:1"), e.getMessage());
    }

    @Test
    void missingInputNodeIsNamed() throws Exception {
        GraphDef g = new GraphDefBuilder().placeholder("in", 1, 2).node("out", "Relu", List.of("gone:0")).build();
        Path p = write("missing.pb", g.toByteArray());
        InferoException e = assertThrows(InferoException.class, () -> TfModelReader.read(ModelSource.of(p)));
        assertTrue(e.getMessage().contains("missing.pb") && e.getMessage().contains("'out'")
                && e.getMessage().contains("'gone'"), e.getMessage());
    }

    @Test
    void constWithTooFewBytesIsNamed() throws Exception {
        TensorProto t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(GraphDefBuilder.shape(2, 3)).setTensorContent(ByteString.copyFrom(new byte[20]))
                .build();
        GraphDef g = new GraphDefBuilder().constant("weights", t).node("out", "Relu", List.of("weights")).build();
        Path p = write("short.pb", g.toByteArray());
        InferoException e = assertThrows(InferoException.class, () -> TfModelReader.read(ModelSource.of(p)));
        assertTrue(e.getMessage().contains("short.pb") && e.getMessage().contains("'weights'")
                && e.getMessage().contains("24 bytes") && e.getMessage().contains("20 bytes"), e.getMessage());
    }

    @Test
    void hugeBroadcastConstantIsRefused() throws Exception {
        TensorProto t = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT)
                .setTensorShape(GraphDefBuilder.shape(1 << 20, 1 << 10)).addFloatVal(1).build();
        GraphDef g = new GraphDefBuilder().constant("big", t).node("out", "Relu", List.of("big")).build();
        Path p = write("big.pb", g.toByteArray());
        InferoException e = assertThrows(InferoException.class, () -> TfModelReader.read(ModelSource.of(p)));
        assertTrue(e.getMessage().contains("'big'"), e.getMessage());
    }

    @Test
    void unsupportedOpsAreListedAtOnce() throws Exception {
        GraphDef g = new GraphDefBuilder().placeholder("in", 1, 2).node("a", "Frobnicate", List.of("in"))
                .node("b", "Frobnicate", List.of("a")).node("c", "Zap", List.of("b")).build();
        Path p = write("ops.pb", g.toByteArray());
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class,
                () -> TfModelReader.read(ModelSource.of(p)));
        String m = e.getMessage();
        assertTrue(m.contains("ops.pb") && m.contains("Frobnicate") && m.contains("'a'") && m.contains("'b'")
                && m.contains("Zap") && m.contains("'c'"), m);
        assertEquals(2, e.unsupported().size());
    }

    @Test
    void companionTextGraphAddsNodesAndOutputs() throws Exception {
        Path pb = write("det.pb", small().toByteArray());
        GraphDef extra = new GraphDefBuilder().node("out", "Relu", List.of("nothing"))
                .node("extra", "Sigmoid", List.of("out")).build();
        Path txt = write("det.pbtxt", extra.toString().getBytes());
        Graph g = TfModelReader.read(new ModelSource(pb, txt, null, null));
        assertEquals(1, g.results().size());
        assertTrue(g.results().get(0).output(0).names().contains("extra"));
        // the model's own 'out' (reading conv) wins over the companion's
        assertArrayEquals(new int[] {1, 4, 4, 4}, g.results().get(0).input(0).shape().toArray());
    }

    @Test
    void savedModelWithConstantsReadsAndVariablesAreExplained() throws Exception {
        SavedModel frozen = SavedModel.newBuilder().addMetaGraphs(MetaGraphDef.newBuilder()
                .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve")).setGraphDef(small())
                .putSignatureDef("serving_default", SignatureDef.newBuilder()
                        .putInputs("x", TensorInfo.newBuilder().setName("in:0").build())
                        .putOutputs("y", TensorInfo.newBuilder().setName("conv:0").build()).build())).build();
        Path sm = Files.createDirectories(dir.resolve("sm"));
        Files.write(sm.resolve("saved_model.pb"), frozen.toByteArray());
        assertTrue(new TfFrontend().accepts(ModelSource.of(sm)));
        Graph g = TfModelReader.read(ModelSource.of(sm));
        assertTrue(g.results().get(0).output(0).names().contains("conv"), "the signature's output, not the Relu");

        GraphDef tf2 = new GraphDefBuilder().placeholder("in", 1, 2)
                .node("call", "StatefulPartitionedCall", List.of("in")).build();
        Path fm = Files.createDirectories(dir.resolve("tf2"));
        Files.write(fm.resolve("saved_model.pb"), SavedModel.newBuilder().addMetaGraphs(MetaGraphDef.newBuilder()
                .setGraphDef(tf2)).build().toByteArray());
        InferoException e = assertThrows(InferoException.class, () -> TfModelReader.read(ModelSource.of(fm)));
        assertTrue(e.getMessage().contains("calls TensorFlow functions") && e.getMessage().contains("Freeze"),
                e.getMessage());
        Path notSaved = Files.createDirectories(dir.resolve("plain"));
        assertFalse(new TfFrontend().accepts(ModelSource.of(notSaved)));
    }

    /** A TF1-style SavedModel: VariableV2 + read Identity, and a resource variable read by ReadVariableOp. */
    private static GraphDef variableGraph() {
        return new GraphDefBuilder().placeholder("in", 1, 2)
                .node("w", "VariableV2", List.of(), "dtype", GraphDefBuilder.type(DataType.DT_FLOAT))
                .node("w/read", "Identity", List.of("w"))
                .node("b", "VarHandleOp", List.of(), "shared_name", s("bias"))
                .node("b/read", "ReadVariableOp", List.of("b"))
                .node("mm", "MatMul", List.of("in", "w/read"))
                .node("out", "AddV2", List.of("mm", "b/read")).build();
    }

    @Test
    void savedModelVariablesComeFromTheCheckpoint() throws Exception {
        Path sm = Files.createDirectories(dir.resolve("vars"));
        Files.write(sm.resolve("saved_model.pb"), SavedModel.newBuilder().addMetaGraphs(MetaGraphDef.newBuilder()
                .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve"))
                .setGraphDef(variableGraph())).build().toByteArray());
        InferoException missing = assertThrows(InferoException.class, () -> TfModelReader.read(ModelSource.of(sm)));
        assertTrue(missing.getMessage().contains("variables.index does not exist"), missing.getMessage());

        Path vars = Files.createDirectories(sm.resolve("variables"));
        new CheckpointWriter().add("w", new float[] {1, 2, 3, 4, 5, 6}, GraphDefBuilder.shape(2, 3))
                .add("bias", new float[] {10, 20, 30}, GraphDefBuilder.shape(3)).write(vars.resolve("variables"));
        Graph g = TfModelReader.read(ModelSource.of(sm));
        var mm = g.results().get(0).input(0);
        assertArrayEquals(new int[] {1, 3}, mm.shape().toArray());
        // with the input fixed to [1, 1], out = [1+4, 2+5, 3+6] + bias
        var weights = g.nodes().stream().filter(n -> n.name().equals("w")).findFirst().orElseThrow();
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, weights.output(0).knownValue().floats(), 0f);
        var bias = g.nodes().stream().filter(n -> n.name().equals("b")).findFirst().orElseThrow();
        assertArrayEquals(new float[] {10, 20, 30}, bias.output(0).knownValue().floats(), 0f);

        // a flipped byte in the data fails the CRC; a truncated index is named
        Path data = vars.resolve("variables.data-00000-of-00001");
        byte[] d = Files.readAllBytes(data);
        d[3] ^= 1;
        Files.write(data, d);
        InferoException crc = assertThrows(InferoException.class, () -> TfModelReader.read(ModelSource.of(sm)));
        assertTrue(crc.getMessage().contains("CRC32C") && crc.getMessage().contains("'w'"), crc.getMessage());
        Path index = vars.resolve("variables.index");
        byte[] idx = Files.readAllBytes(index);
        Files.write(index, Arrays.copyOf(idx, idx.length - 9));
        InferoException cut = assertThrows(InferoException.class, () -> TfModelReader.read(ModelSource.of(sm)));
        assertTrue(cut.getMessage().contains("variables.index"), cut.getMessage());
    }

    @Test
    void otherFormatsAreNotClaimed() throws Exception {
        TfFrontend f = new TfFrontend();
        assertFalse(f.accepts(ModelSource.of(write("m.onnx", new byte[] {8, 7}))));
        assertFalse(f.accepts(ModelSource.of(write("x.bin", new byte[] {8, 7, 1, 2, 3}))));
        assertFalse(f.accepts(ModelSource.of(write("deploy.prototxt", "layer {".getBytes()))));
    }
}
