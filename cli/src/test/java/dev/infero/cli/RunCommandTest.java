package dev.infero.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.io.Npy;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.onnx.OnnxModelBuilder;
import dev.infero.onnx.proto.Onnx.ModelProto;
import dev.infero.onnx.proto.Onnx.TypeProto;
import dev.infero.onnx.proto.Onnx.ValueInfoProto;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "run";
        System.arraycopy(args, 0, all, 1, args.length);
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), all);
    }

    /** sum = a + b, with a and b f32[2,3]; the output name has a '/' as exported names often do. */
    private Path addModel() {
        Path file = dir.resolve("add.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("add", 17)
                .input("a", ElementType.F32, 2, 3).input("b", ElementType.F32, 2, 3)
                .output("out/sum", ElementType.F32, 2, 3);
        b.node("Add", "add").inputs("a", "b").outputs("out/sum");
        b.write(file);
        return file;
    }

    private Path npy(String name, Tensor t) {
        Path file = dir.resolve(name);
        Npy.write(file, t);
        return file;
    }

    @Test
    void zeroOrNonFiniteScaleAndMeanValuesAreRefusedAsConvertRefusesThem() {
        Path model = addModel();
        assertEquals(1, run(model.toString(), "--scale-values", "0,0,0"));
        assertTrue(err.toString().startsWith("error: --scale-values must not contain 0"), err.toString());
        assertEquals(1, run(model.toString(), "--mean-values", "NaN"));
        assertTrue(err.toString().contains("error: --mean-values must be finite numbers"), err.toString());
        assertEquals(1, run(model.toString(), "--scale-values", "Infinity"));
        assertTrue(err.toString().contains("error: --scale-values must be finite numbers"), err.toString());
    }

    @Test
    void npyInputsByOrderAndNameAndOutputsWrittenAsNpy() {
        Path a = npy("a.npy", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        Path b = npy("b.npy", Tensor.of(new float[] {10, 20, 30, 40, 50, 60}, 2, 3));
        Path outDir = dir.resolve("outputs");
        int code = run(addModel().toString(), "--input-file", "b=" + b, "-i", a.toString(), "--output-dir",
                outDir.toString(), "--print-outputs", "-n", "3");
        assertEquals(0, code, err.toString());
        String text = out.toString();
        assertTrue(text.contains("Input 'a': f32[2,3] from " + a), text);
        assertTrue(text.contains("Output 'out/sum': f32[2,3] min=11 max=66 mean=38.5"), text);
        assertTrue(text.contains("[[11, 22, 33],\n [44, 55, 66]]"), text);
        assertTrue(text.contains("over 3 runs"), text);
        Tensor written = Npy.read(outDir.resolve("out_sum.npy"));
        assertArrayEquals(new float[] {11, 22, 33, 44, 55, 66}, written.floats());
    }

    /** xs: a sequence of f32 tensors → y = ConcatFromSequence(xs, axis 0), rest = xs without its first item. */
    private Path sequenceModel() throws IOException {
        TypeProto floats = TypeProto.newBuilder().setSequenceType(TypeProto.Sequence.newBuilder().setElemType(
                TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(1)))).build();
        OnnxModelBuilder b = new OnnxModelBuilder("seq", 18).output("y", ElementType.F32)
                .initializer("first", Tensor.scalar(0L));
        b.node("ConcatFromSequence", "concat").inputs("xs").outputs("y").attr("axis", 0L);
        b.node("SequenceErase", "erase").inputs("xs", "first").outputs("rest");
        ModelProto.Builder m = b.build().toBuilder();
        m.getGraphBuilder().addInput(ValueInfoProto.newBuilder().setName("xs").setType(floats))
                .addOutput(ValueInfoProto.newBuilder().setName("rest").setType(floats));
        Path file = dir.resolve("seq.onnx");
        Files.write(file, m.build().toByteArray());
        return file;
    }

    @Test
    void aSequenceInputTakesItsItemsAsNpyFilesAndASequenceOutputIsWrittenItemByItem() throws IOException {
        Path a = npy("a.npy", Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        Path b = npy("b.npy", Tensor.of(new float[] {5, 6}, 1, 2));
        Path outDir = dir.resolve("outputs");
        assertEquals(0, run(sequenceModel().toString(), "-i", "xs=" + a + "," + b, "--output-dir",
                outDir.toString()), err.toString());
        String text = out.toString();
        assertTrue(text.contains("Input 'xs': sequence of 2 f32 tensors [[2, 2], [1, 2]]"), text);
        assertTrue(text.contains("Output 'y': f32[3,2] min=1 max=6"), text);
        assertTrue(text.contains("Output 'rest': sequence of 1 tensors"), text);
        assertTrue(text.contains("Output 'rest[0]': f32[1,2] min=5 max=6"), text);
        assertArrayEquals(new float[] {5, 6}, Npy.read(outDir.resolve("rest_0.npy")).floats());
        // positionally, too; a sequence cannot be made up at random
        assertEquals(0, run(sequenceModel().toString(), "-i", b.toString()), err.toString());
        assertEquals(1, run(sequenceModel().toString()));
        assertTrue(err.toString().contains("input 'xs' is a sequence: give its items as .npy files"), err.toString());
    }

    @Test
    void missingInputsGetSeededRandomDataAndSayHow() {
        assertEquals(0, run(addModel().toString(), "--seed", "7"));
        String first = out.toString();
        assertTrue(first.contains("Input 'a': random f32[2,3] uniform in [0, 1) (seed 7)"), first);
        out.getBuffer().setLength(0);
        assertEquals(0, run(addModel().toString(), "--seed", "7"));
        assertEquals(outputLine(first), outputLine(out.toString()));
    }

    private static String outputLine(String text) {
        return text.lines().filter(l -> l.startsWith("Output")).findFirst().orElseThrow();
    }

    @Test
    void imageInputIsResizedToTheModelInput() throws IOException {
        Path model = dir.resolve("id.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("id", 17)
                .input("x", ElementType.F32, 1, 3, 4, 4).output("y", ElementType.F32, 1, 3, 4, 4);
        b.node("Identity", "id").inputs("x").outputs("y");
        b.write(model);
        BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, 0x204060);
            }
        }
        Path png = dir.resolve("flat.png");
        ImageIO.write(img, "png", png.toFile());
        assertEquals(0, run(model.toString(), "-i", png.toString(), "--mean-values", "32,64,96"), err.toString());
        assertTrue(out.toString().contains("Output 'y': f32[1,3,4,4] min=0 max=0 mean=0"), out.toString());
    }

    @Test
    void badInputsAreOneLineErrorsWithExitCodeOne() {
        Path model = addModel();
        assertEquals(1, run(model.toString(), "-i", dir.resolve("nope.npy").toString()));
        assertEquals("error: file " + dir.resolve("nope.npy") + " does not exist\n", err.toString());

        err.getBuffer().setLength(0);
        Path wrongShape = npy("w.npy", Tensor.of(new float[] {1, 2}, 2));
        assertEquals(1, run(model.toString(), "-i", wrongShape.toString()));
        assertEquals("error: input 'a' expects shape [2,3] but " + wrongShape + " holds f32[2]\n", err.toString());

        err.getBuffer().setLength(0);
        Path wrongType = npy("d.npy", Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
        assertEquals(1, run(model.toString(), "-i", wrongType.toString()));
        assertEquals("error: input 'a' expects f32 data but " + wrongType
                + " holds f64 (convert it, e.g. with numpy's astype)\n", err.toString());

        err.getBuffer().setLength(0);
        assertEquals(1, run(model.toString(), "--input-file", "c=" + wrongShape));
        assertEquals("error: the model has no input named 'c'; its inputs are [a, b]\n", err.toString());

        err.getBuffer().setLength(0);
        assertEquals(1, run(dir.resolve("missing.onnx").toString()));
        assertTrue(err.toString().startsWith("error: model file "), err.toString());
    }

    @Test
    void usageErrorsExitWithTwo() {
        assertEquals(2, run());
        assertEquals(2, run("m.onnx", "--no-such-option"));
    }

    @Test
    void outputNamesBecomeSafeFileNames() {
        assertEquals("out_sum_0", RunCommand.fileName("out/sum:0"));
        assertEquals("output.hidden", RunCommand.fileName(".hidden"));
    }
}
