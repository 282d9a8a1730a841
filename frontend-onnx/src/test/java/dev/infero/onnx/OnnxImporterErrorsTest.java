package dev.infero.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.infero.core.InferoException;
import dev.infero.core.UnsupportedModelException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.StringStringEntryProto;
import dev.infero.onnx.proto.Onnx.TensorProto;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken or unsupported ONNX files fail with one line that names the problem, never with a crash. */
class OnnxImporterErrorsTest {
    @TempDir
    Path dir;

    private static ModelProto addModel() {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 17)
                .input("x", ElementType.F32, 1, 4)
                .initializer("w", Tensor.of(new float[] {1, 2, 3, 4}, 1, 4))
                .output("y", ElementType.F32);
        b.node("Add", "add").inputs("x", "w").outputs("y");
        return b.build();
    }

    private Path write(String name, byte[] bytes) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return file;
    }

    private InferoException readFails(Path file) {
        return assertThrows(InferoException.class, () -> OnnxImporter.read(file));
    }

    @Test
    void aTruncatedFileIsReportedAsCorrupt() throws Exception {
        byte[] full = addModel().toByteArray();
        Path file = write("truncated.onnx", Arrays.copyOf(full, full.length - 7));
        String message = readFails(file).getMessage();
        assertTrue(message.startsWith(file + " is not a valid ONNX model (corrupt or truncated protobuf"), message);
    }

    @Test
    void randomBytesAndEmptyFilesAreNotModels() throws Exception {
        assertTrue(readFails(write("empty.onnx", new byte[0])).getMessage().contains("is empty"));
        byte[] junk = new byte[64];
        new java.util.Random(1).nextBytes(junk);
        assertTrue(readFails(write("junk.onnx", junk)).getMessage().contains("is not"));
    }

    @Test
    void aMissingFileIsNamed() {
        Path file = dir.resolve("nope.onnx");
        assertEquals("model file " + file + " does not exist", readFails(file).getMessage());
    }

    @Test
    void aTensorWhoseDataDoesNotMatchItsShapeIsRejected() throws Exception {
        ModelProto m = addModel();
        TensorProto w = m.getGraph().getInitializer(0).toBuilder().setRawData(ByteString.copyFrom(new byte[12])).build();
        Path file = write("short.onnx", m.toBuilder().setGraph(m.getGraph().toBuilder().setInitializer(0, w)).build()
                .toByteArray());
        assertEquals("tensor 'w' declares shape [1, 4] of f32 (16 bytes) but holds 12 bytes", readFails(file).getMessage());
    }

    @Test
    void negativeAndAbsurdDimensionsAreRejectedBeforeAllocating() throws Exception {
        ModelProto m = addModel();
        TensorProto negative = m.getGraph().getInitializer(0).toBuilder().setDims(0, -1).build();
        Path file = write("neg.onnx", withInitializer(m, negative));
        assertTrue(readFails(file).getMessage().contains("invalid dimension -1"), readFails(file).getMessage());

        TensorProto huge = m.getGraph().getInitializer(0).toBuilder().clearDims()
                .addDims(1_000_000).addDims(1_000_000).addDims(1_000_000).build();
        String message = readFails(write("huge.onnx", withInitializer(m, huge))).getMessage();
        assertTrue(message.contains("more elements than a tensor can hold"), message);
    }

    @Test
    void externalDataMustExistAndStayInsideTheModelFolder() throws Exception {
        ModelProto m = addModel();
        TensorProto external = m.getGraph().getInitializer(0).toBuilder().clearRawData()
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                .build();
        Path file = write("ext.onnx", withInitializer(m, external));
        assertTrue(readFails(file).getMessage().contains("external data file " + dir.resolve("weights.bin")
                + " does not exist"), readFails(file).getMessage());

        byte[] weights = new byte[16];
        java.nio.ByteBuffer.wrap(weights).order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(new float[] {5, 6, 7, 8});
        Files.write(dir.resolve("weights.bin"), weights);
        var graph = OnnxImporter.read(file);
        assertEquals(5f, graph.nodes().get(0).output(0).knownValue().floats()[0]);

        TensorProto escaping = external.toBuilder().setExternalData(0,
                StringStringEntryProto.newBuilder().setKey("location").setValue("../outside.bin")).build();
        Path evil = write("evil.onnx", withInitializer(m, escaping));
        assertTrue(readFails(evil).getMessage().contains("escapes the model's folder"), readFails(evil).getMessage());
    }

    @Test
    void externalDataBehindALinkThatLeavesTheFolderIsRefused() throws Exception {
        Path outside = Files.createTempDirectory("infero-outside");
        try {
            Files.write(outside.resolve("secret.bin"), new byte[16]);
            Path model = Files.createDirectories(dir.resolve("model"));
            Files.createSymbolicLink(model.resolve("weights.bin"), outside.resolve("secret.bin"));
            ModelProto m = addModel();
            TensorProto external = m.getGraph().getInitializer(0).toBuilder().clearRawData()
                    .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                    .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"))
                    .build();
            Path file = model.resolve("linked.onnx");
            Files.write(file, withInitializer(m, external));
            String message = readFails(file).getMessage();
            assertTrue(message.contains("leads outside the model's folder"), message);
        } finally {
            Files.deleteIfExists(outside.resolve("secret.bin"));
            Files.deleteIfExists(outside);
        }
    }

    @Test
    void aNameProducedTwiceIsAnError() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 17).input("x", ElementType.F32, 4).output("y", ElementType.F32);
        b.node("Relu", "first").inputs("x").outputs("y");
        b.node("Neg", "second").inputs("x").outputs("y");
        Path file = dir.resolve("twice.onnx");
        b.write(file);
        String message = readFails(file).getMessage();
        assertTrue(message.contains("'second'") && message.contains("output 'y' is already produced"), message);
    }

    @Test
    void everyUnsupportedOperatorIsListedWithItsNodes() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 17).input("x", ElementType.F32, 4).output("z", ElementType.F32);
        b.node("FancyOp", "f1").inputs("x").outputs("a");
        b.node("FancyOp", "f2").inputs("a").outputs("b");
        b.node("Loop2", "l").inputs("b").outputs("z");
        Path file = dir.resolve("unsupported.onnx");
        b.write(file);
        UnsupportedModelException e = assertThrows(UnsupportedModelException.class, () -> OnnxImporter.read(file));
        assertEquals("the model cannot be imported: unsupported operators FancyOp, Loop2; details: "
                + "FancyOp (2 nodes: 'f1', 'f2'); Loop2 (node 'l')", e.getMessage());
        assertEquals(2, e.unsupported().size());
    }

    @Test
    void aNodeReadingAnUnknownValueIsNamed() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 17).input("x", ElementType.F32, 4).output("y", ElementType.F32);
        b.node("Add", "adder").inputs("x", "ghost").outputs("y");
        Path file = dir.resolve("dangling.onnx");
        b.write(file);
        assertEquals("ONNX node 'adder' (Add) reads 'ghost', which no earlier node, input or initializer produces",
                readFails(file).getMessage());
    }

    @Test
    void shapeErrorsNameTheNode() throws Exception {
        OnnxModelBuilder b = new OnnxModelBuilder("m", 17).input("x", ElementType.F32, 3).output("y", ElementType.F32)
                .initializer("w", Tensor.of(new float[] {1, 2}, 2));
        b.node("Add", "adder").inputs("x", "w").outputs("y");
        Path file = dir.resolve("mismatch.onnx");
        b.write(file);
        String message = readFails(file).getMessage();
        assertTrue(message.startsWith("ONNX node 'adder' (Add): "), message);
        assertTrue(message.contains("cannot be broadcast"), message);
    }

    private static byte[] withInitializer(ModelProto m, TensorProto t) {
        return m.toBuilder().setGraph(m.getGraph().toBuilder().setInitializer(0, t)).build().toByteArray();
    }
}
