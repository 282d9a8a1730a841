package dev.infero.cli.frontends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.infero.cli.Main;
import dev.infero.tf.proto.Tf.AttrValue;
import dev.infero.tf.proto.Tf.DataType;
import dev.infero.tf.proto.Tf.GraphDef;
import dev.infero.tf.proto.Tf.MetaGraphDef;
import dev.infero.tf.proto.Tf.NodeDef;
import dev.infero.tf.proto.Tf.SavedModel;
import dev.infero.tf.proto.Tf.TensorProto;
import dev.infero.tf.proto.Tf.TensorShapeProto;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code infero convert} on TensorFlow files: a frozen .pb, a SavedModel (--saved_model_dir), and usage errors. */
class TensorflowConvertCommandTest {
    @TempDir
    Path dir;

    private static TensorShapeProto shape(long... dims) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        for (long d : dims) {
            s.addDim(TensorShapeProto.Dim.newBuilder().setSize(d));
        }
        return s.build();
    }

    /** in [1,8,8,3] → Conv2D 3x3 SAME (4 filters) → Relu. */
    private static GraphDef graph() {
        ByteBuffer w = ByteBuffer.allocate(3 * 3 * 3 * 4 * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 3 * 3 * 3 * 4; i++) {
            w.putFloat((i % 7 - 3) * 0.1f);
        }
        TensorProto weights = TensorProto.newBuilder().setDtype(DataType.DT_FLOAT).setTensorShape(shape(3, 3, 3, 4))
                .setTensorContent(ByteString.copyFrom(w.array())).build();
        AttrValue ones = AttrValue.newBuilder().setList(AttrValue.ListValue.newBuilder().addI(1).addI(1).addI(1).addI(1))
                .build();
        return GraphDef.newBuilder()
                .addNode(NodeDef.newBuilder().setName("in").setOp("Placeholder")
                        .putAttr("dtype", AttrValue.newBuilder().setType(DataType.DT_FLOAT).build())
                        .putAttr("shape", AttrValue.newBuilder().setShape(shape(1, 8, 8, 3)).build()))
                .addNode(NodeDef.newBuilder().setName("w").setOp("Const")
                        .putAttr("value", AttrValue.newBuilder().setTensor(weights).build()))
                .addNode(NodeDef.newBuilder().setName("conv").setOp("Conv2D").addInput("in").addInput("w")
                        .putAttr("strides", ones).putAttr("padding", AttrValue.newBuilder()
                                .setS(ByteString.copyFromUtf8("SAME")).build()))
                .addNode(NodeDef.newBuilder().setName("out").setOp("Relu").addInput("conv")).build();
    }

    private static int run(StringWriter out, StringWriter err, String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    @Test
    void convertsFrozenGraphsAndSavedModels() throws Exception {
        Path pb = dir.resolve("model.pb");
        Files.write(pb, graph().toByteArray());
        StringWriter err = new StringWriter();
        assertEquals(0, run(new StringWriter(), err, "convert", "--input_model", pb.toString(), "-o",
                dir.resolve("ir").toString()), err.toString());
        String xml = Files.readString(dir.resolve("ir/model.xml"));
        assertTrue(xml.contains("type=\"Convolution\""));
        assertTrue(xml.contains("1,8,8,3") || xml.contains("<dim>8</dim>"), "the NHWC input shape is kept");

        Path sm = Files.createDirectories(dir.resolve("saved"));
        Files.write(sm.resolve("saved_model.pb"), SavedModel.newBuilder().addMetaGraphs(MetaGraphDef.newBuilder()
                .setMetaInfoDef(MetaGraphDef.MetaInfoDef.newBuilder().addTags("serve")).setGraphDef(graph()))
                .build().toByteArray());
        assertEquals(0, run(new StringWriter(), err, "convert", "--saved_model_dir", sm.toString(), "-n", "sm", "-o",
                dir.resolve("ir").toString()), err.toString());
        assertTrue(Files.exists(dir.resolve("ir/sm.xml")));
    }

    @Test
    void usageErrors() {
        StringWriter err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "convert", "-o", dir.toString()));
        assertTrue(err.toString().contains("--saved_model_dir"), err.toString());
        err = new StringWriter();
        assertEquals(2, run(new StringWriter(), err, "convert", "--input_model", "a.pb", "--saved_model_dir", "b"));
        assertTrue(err.toString().contains("exclude each other"), err.toString());
    }
}
