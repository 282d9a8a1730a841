import dev.infero.core.ResourceLimits;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.ops.activation.Relu;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.ir.IrWriter;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.onnx.proto.Onnx;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * Writes the bad models and files of docs/reliability.md's table into a folder (run by scripts/reliability-cases.sh):
 * each is the smallest file showing one class of bad input.
 */
public class MakeBadInputs {
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        small(dir.resolve("small.onnx"));

        OnnxModelBuilder b = new OnnxModelBuilder("cos", 17).input("x", ElementType.F32, 1)
                .initializer("shape", Tensor.vector(100_000, 100_000, 100)).output("y", ElementType.F32);
        b.node("ConstantOfShape", "huge").inputs("shape").outputs("big");
        b.node("Add", "add").inputs("big", "x").outputs("y");
        b.write(dir.resolve("constant_of_shape_huge.onnx"));

        b = new OnnxModelBuilder("range", 17).input("x", ElementType.F32, 1)
                .initializer("start", Tensor.scalar(0f)).initializer("limit", Tensor.scalar(2e9f))
                .initializer("delta", Tensor.scalar(1f)).output("y", ElementType.F32);
        b.node("Range", "r").inputs("start", "limit", "delta").outputs("seq");
        b.node("Add", "add").inputs("seq", "x").outputs("y");
        b.write(dir.resolve("range_huge.onnx"));

        b = new OnnxModelBuilder("dup", 17).input("x", ElementType.F32, 1, 4).output("y", ElementType.F32);
        b.node("Relu", "a").inputs("x").outputs("y");
        b.node("Sigmoid", "b").inputs("x").outputs("y");
        b.write(dir.resolve("duplicate_producers.onnx"));

        b = new OnnxModelBuilder("newer", 99).input("x", ElementType.F32, 1, 4).output("y", ElementType.F32);
        b.node("Relu", "a").inputs("x").outputs("y");
        b.write(dir.resolve("opset99.onnx"));

        b = new OnnxModelBuilder("unsupported", 17).input("x", ElementType.F32, 1, 4).output("y", ElementType.F32);
        b.node("FrobnicateTensor", "f").inputs("x").outputs("y");
        b.write(dir.resolve("unsupported_op.onnx"));

        b = new OnnxModelBuilder("big", 17).input("x", ElementType.F32, 1, 256, 1024, 1024)
                .output("y", ElementType.F32);
        b.node("Relu", "relu").inputs("x").outputs("y");
        b.write(dir.resolve("big_input.onnx"));

        b = new OnnxModelBuilder("dynamic_hw", 17).input("x", ElementType.F32, 1, 3, -1, -1)
                .output("y", ElementType.F32);
        b.node("Relu", "relu").inputs("x").outputs("y");
        b.write(dir.resolve("dynamic_hw.onnx"));

        b = new OnnxModelBuilder("dyn", 17).input("shape", ElementType.I64, 3).output("y", ElementType.F32);
        b.node("ConstantOfShape", "fill").inputs("shape").outputs("y");
        b.write(dir.resolve("shape_from_input.onnx"));

        // An initializer stored in an external file outside the model's folder.
        Onnx.ModelProto.Builder m = new OnnxModelBuilder("ext", 17).input("x", ElementType.F32, 4)
                .initializer("w", Tensor.of(new float[4], 4)).output("y", ElementType.F32).build().toBuilder();
        m.getGraphBuilder().addNode(Onnx.NodeProto.newBuilder().setOpType("Add").setName("add")
                .addInput("x").addInput("w").addOutput("y"));
        Onnx.TensorProto.Builder w = m.getGraphBuilder().getInitializerBuilder(0).clearRawData().clearFloatData()
                .setDataLocation(Onnx.TensorProto.DataLocation.EXTERNAL);
        w.addExternalData(Onnx.StringStringEntryProto.newBuilder().setKey("location").setValue("../../etc/passwd"));
        Files.write(dir.resolve("external_outside.onnx"), m.build().toByteArray());
        w.setExternalData(0, Onnx.StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin"));
        Files.write(dir.resolve("external_symlink.onnx"), m.build().toByteArray()); // the script links weights.bin

        ResourceLimits.set(new ResourceLimits(Long.MAX_VALUE, Long.MAX_VALUE)); // to build and write it
        Graph g = new Graph("huge_input");
        Node p = g.addParameter("data", ElementType.F32, PartialShape.of(100_000, 100_000, 100));
        g.addResult("out", g.value(new Relu(), "relu", p.output(0)));
        IrWriter.write(g, dir, "huge_parameter");
        ResourceLimits.set(null);

        Files.writeString(dir.resolve("xxe.xml"), "<?xml version=\"1.0\"?>\n<!DOCTYPE net [<!ENTITY x SYSTEM "
                + "\"file:///etc/passwd\">]>\n<net name=\"&x;\" version=\"11\"><layers/><edges/></net>\n");

        npy(dir.resolve("huge_shape.npy"), "(100000, 100000, 100)", 16);
        ByteArrayOutputStream shape = new ByteArrayOutputStream();
        for (long v : new long[] {100_000, 100_000, 100}) {
            for (int i = 0; i < 8; i++) {
                shape.write((int) (v >>> (8 * i)));
            }
        }
        npy(dir.resolve("huge_shape_vector.npy"), "<i8", "(3,)", shape.toByteArray());
        npy(dir.resolve("truncated.npy"), "(1, 3, 8, 8)", 100);
        npy(dir.resolve("wrong_shape.npy"), "(1, 3, 4, 4)", 3 * 16 * 4);
        Files.write(dir.resolve("not_npy.npy"), "hello, not an array".getBytes(StandardCharsets.UTF_8));
        Files.write(dir.resolve("corrupt.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, (byte) 0xE0, 1, 2});
        grayPng(dir.resolve("huge_20000x20000.png"), 20_000, 20_000);
    }

    /** y = relu(x) over [1,3,8,8]: a model any image or array can be fed to. */
    static void small(Path file) {
        OnnxModelBuilder b = new OnnxModelBuilder("small", 17).input("x", ElementType.F32, 1, 3, 8, 8)
                .output("y", ElementType.F32);
        b.node("Relu", "relu").inputs("x").outputs("y");
        b.write(file);
    }

    static void npy(Path file, String shape, int dataBytes) throws Exception {
        npy(file, "<f4", shape, new byte[dataBytes]);
    }

    static void npy(Path file, String descr, String shape, byte[] data) throws Exception {
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        header = header + " ".repeat(63 - (10 + header.length()) % 64) + "\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0});
        out.write(header.getBytes(StandardCharsets.ISO_8859_1));
        out.write(data);
        Files.write(file, out.toByteArray());
    }

    /** A valid grey PNG of the given size (all black), written row by row without holding the image. */
    static void grayPng(Path file, int width, int height) throws Exception {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
            ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(ihdr);
            d.writeInt(width);
            d.writeInt(height);
            d.write(new byte[] {8, 0, 0, 0, 0}); // 8-bit grey, deflate, no filter method, no interlace
            chunk(out, "IHDR", ihdr.toByteArray());
            ByteArrayOutputStream idat = new ByteArrayOutputStream();
            try (DeflaterOutputStream z = new DeflaterOutputStream(idat, new Deflater(9))) {
                byte[] row = new byte[width + 1];
                for (int y = 0; y < height; y++) {
                    z.write(row);
                }
            }
            chunk(out, "IDAT", idat.toByteArray());
            chunk(out, "IEND", new byte[0]);
        }
    }

    static void chunk(OutputStream out, String type, byte[] data) throws Exception {
        DataOutputStream d = new DataOutputStream(out);
        d.writeInt(data.length);
        byte[] t = type.getBytes(StandardCharsets.US_ASCII);
        d.write(t);
        d.write(data);
        CRC32 crc = new CRC32();
        crc.update(t);
        crc.update(data);
        d.writeInt((int) crc.getValue());
    }
}
