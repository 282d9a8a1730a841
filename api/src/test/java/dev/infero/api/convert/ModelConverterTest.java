package dev.infero.api.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.Core;
import dev.infero.api.SingleRun;
import dev.infero.core.InferoException;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.onnx.OnnxModelBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelConverterTest {
    @TempDir
    Path dir;

    /** y = reshape((x + w) * w, [?, 2, 2]) with a constant shape computed from constants. */
    private Path model() {
        Path file = dir.resolve("small.onnx");
        OnnxModelBuilder b = new OnnxModelBuilder("small", 17)
                .input("x", ElementType.F32, -1, 4)
                .initializer("w", Tensor.of(new float[] {0.5f, 1.5f, -2, 3.25f}, 4))
                .initializer("shape_a", Tensor.vector(-1, 2, 1))
                .initializer("shape_b", Tensor.vector(1, 1, 2))
                .output("y", ElementType.F32);
        b.node("Add", "add").inputs("x", "w").outputs("s");
        b.node("Mul", "mul").inputs("s", "w").outputs("p");
        b.node("Mul", "shape_mul").inputs("shape_a", "shape_b").outputs("shape");
        b.node("Reshape", "reshape").inputs("p", "shape").outputs("y");
        b.write(file);
        return file;
    }

    private static Tensor run(Path model, Tensor input) {
        try (Core core = new Core()) {
            return SingleRun.closing(core.compileModel(model, "CPU"), input);
        }
    }

    @Test
    void theIrComputesExactlyWhatTheOnnxModelComputes() {
        Path onnx = model();
        ModelConverter.Result r = ModelConverter.convert(ConvertOptions.plain(onnx, dir.resolve("ir")));
        assertEquals(dir.resolve("ir/small.xml"), r.files().xml());
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 4);
        Tensor expected = run(onnx, x);
        Tensor actual = run(r.files().xml(), x);
        assertTrue(expected.contentEquals(actual), expected + " vs " + actual);
        // The shape computation was folded into one constant.
        assertTrue(r.nodesAfter() < r.nodesBefore(), r.report().toString());
    }

    @Test
    void fp16HalvesTheWeightsAndStaysWithinHalfPrecision() throws Exception {
        Path onnx = model();
        var fp32 = ModelConverter.convert(ConvertOptions.plain(onnx, dir.resolve("fp32")));
        var fp16 = ModelConverter.convert(new ConvertOptions(onnx, "small_fp16", dir.resolve("fp16"), List.of(),
                List.of(), List.of(), new float[0], new float[0], null, false, true, null));
        assertTrue(Files.readString(fp16.files().xml()).contains("element_type=\"f16\""));
        assertEquals(fp32.files().binBytes() - 8, fp16.files().binBytes(), "4 weights x 2 bytes saved");
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4);
        Tensor a = run(fp32.files().xml(), x);
        Tensor b = run(fp16.files().xml(), x);
        for (int i = 0; i < a.size(); i++) {
            assertEquals(a.getDouble(i), b.getDouble(i), Math.abs(a.getDouble(i)) * 1e-3 + 1e-6);
        }
    }

    @Test
    void anExplicitFp32StoresTheWeightsOfAnFp16IrAsF32Again() throws Exception {
        Path onnx = model();
        var fp32 = ModelConverter.convert(ConvertOptions.plain(onnx, dir.resolve("fp32")));
        var fp16 = ModelConverter.convert(new ConvertOptions(onnx, "small_fp16", dir.resolve("fp16"), List.of(),
                List.of(), List.of(), new float[0], new float[0], null, false, true, null));
        var back = ModelConverter.convert(new ConvertOptions(fp16.files().xml(), "back", dir.resolve("back"), List.of(),
                List.of(), List.of(), new float[0], new float[0], null, false, false, null, null, true));
        assertTrue(!Files.readString(back.files().xml()).contains("\"f16\""), "no f16 constant is left");
        assertEquals(fp32.files().binBytes(), back.files().binBytes());
        var kept = ModelConverter.convert(ConvertOptions.plain(fp16.files().xml(), dir.resolve("kept")));
        assertEquals(fp16.files().binBytes(), kept.files().binBytes(), "without the option FP16 weights stay FP16");
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 4);
        assertTrue(run(fp16.files().xml(), x).contentEquals(run(back.files().xml(), x)), "same values, wider storage");
    }

    @Test
    void inputShapeMakesADynamicInputStatic() {
        var r = ModelConverter.convert(new ConvertOptions(model(), "static", dir, List.of(),
                List.of(PartialShape.of(3, 4)), List.of(), new float[0], new float[0], null, false, false, null));
        try (Core core = new Core()) {
            var m = core.readModel(r.files().xml());
            assertEquals(PartialShape.of(3, 4), m.inputs().get(0).shape());
            assertEquals(PartialShape.of(3, 2, 2), m.outputs().get(0).shape());
        }
    }

    @Test
    void contradictoryInputShapesAreRefusedAndNothingIsWritten() {
        InferoException e = assertThrows(InferoException.class, () -> ModelConverter.convert(new ConvertOptions(
                model(), "bad", dir.resolve("out"), List.of(), List.of(PartialShape.of(3, 5)), List.of(),
                new float[0], new float[0], null, false, false, null)));
        assertEquals("--input_shape [3,5] contradicts input 'x' of shape [?,4]", e.getMessage());
        assertTrue(Files.notExists(dir.resolve("out")));
    }

    @Test
    void outputsCanBeCutAtInnerTensors() {
        var r = ModelConverter.convert(new ConvertOptions(model(), "cut", dir, List.of(), List.of(), List.of("s"),
                new float[0], new float[0], null, false, false, null));
        Tensor s = run(r.files().xml(), Tensor.of(new float[] {1, 1, 1, 1}, 1, 4));
        assertTrue(Tensor.of(new float[] {1.5f, 2.5f, -1, 4.25f}, 1, 4).contentEquals(s), s.toString());
    }

    /** x[1,3,6,6] → Conv 3→2, kernel 3, given pads → y. */
    private Path convModel(long pad) {
        Path file = dir.resolve("conv" + pad + ".onnx");
        float[] w = new float[2 * 3 * 3 * 3];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i * 0.7) * 0.5f;
        }
        OnnxModelBuilder b = new OnnxModelBuilder("conv", 17)
                .input("x", ElementType.F32, 1, 3, 6, 6)
                .initializer("w", Tensor.of(w, 2, 3, 3, 3))
                .initializer("b", Tensor.of(new float[] {0.25f, -1}, 2))
                .output("y", ElementType.F32);
        b.node("Conv", "conv").inputs("x", "w", "b").outputs("y").attr("pads", pad, pad, pad, pad);
        b.write(file);
        return file;
    }

    private static Tensor image() {
        float[] px = new float[3 * 36];
        for (int i = 0; i < px.length; i++) {
            px[i] = (i * 37) % 256;
        }
        return Tensor.of(px, 1, 3, 6, 6);
    }

    /** What the user would do by hand: BGR↔RGB swap, then (x - mean) / scale per channel (in swapped order). */
    private static Tensor preprocessedByHand(Tensor raw, float[] mean, float[] scale) {
        float[] in = raw.floats();
        float[] out = new float[in.length];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 36; i++) {
                out[c * 36 + i] = (in[(2 - c) * 36 + i] - mean[c]) / scale[c];
            }
        }
        return Tensor.of(out, 1, 3, 6, 6);
    }

    private ConvertOptions preprocessing(Path model, String name) {
        return new ConvertOptions(model, name, dir.resolve("pre"), List.of(), List.of(), List.of(),
                new float[] {100, 120, 140}, new float[] {50, 60, 70}, null, true, false, null);
    }

    @Test
    void preprocessingFoldsIntoAnUnpaddedFirstConvolution() throws Exception {
        Path onnx = convModel(0);
        var r = ModelConverter.convert(preprocessing(onnx, "folded"));
        String xml = Files.readString(r.files().xml());
        assertTrue(!xml.contains("type=\"Subtract\"") && !xml.contains("type=\"Gather\""), "folded: " + xml);
        Tensor expected = run(onnx, preprocessedByHand(image(), new float[] {100, 120, 140}, new float[] {50, 60, 70}));
        Tensor actual = run(r.files().xml(), image());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.getDouble(i), actual.getDouble(i), 1e-4 * (1 + Math.abs(expected.getDouble(i))));
        }
    }

    @Test
    void withPaddingTheMeanStaysAnExplicitSubtraction() throws Exception {
        Path onnx = convModel(1);
        var r = ModelConverter.convert(preprocessing(onnx, "padded"));
        assertTrue(Files.readString(r.files().xml()).contains("type=\"Subtract\""));
        Tensor expected = run(onnx, preprocessedByHand(image(), new float[] {100, 120, 140}, new float[] {50, 60, 70}));
        Tensor actual = run(r.files().xml(), image());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.getDouble(i), actual.getDouble(i), 1e-4 * (1 + Math.abs(expected.getDouble(i))));
        }
    }

    @Test
    void meanValuesMustMatchTheChannelCount() {
        InferoException e = assertThrows(InferoException.class, () -> ModelConverter.convert(new ConvertOptions(
                convModel(0), "bad", dir.resolve("bad"), List.of(), List.of(), List.of(), new float[] {1, 2},
                new float[0], null, false, false, null)));
        assertEquals("--mean_values has 2 values but input 'x' has 3 channels", e.getMessage());
    }
}
