package dev.infero.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.core.device.ProfilingInfo;
import dev.infero.core.graph.Graph;
import dev.infero.core.graph.Node;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.ir.IrReader;
import dev.infero.ir.IrWriter;
import dev.infero.testing.SharedData;
import dev.infero.testing.TensorAssert;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An INT8 model runs its quantized convolutions and fully connected layers on integer codes (exec type {@code ..._I8...}) and agrees with the
 * float evaluation of its FakeQuantize graph (the reference kernels, reached by compiling with a dynamic batch)
 * closely (one quantization step of the output on a small CNN). FakeQuantizes the INT8 kernels cannot take
 * (fractional zero point, per-channel ranges) are covered by the CPU device's QuantizedConvolutionTest.
 */
class Int8ExecutionTest {
    @TempDir
    Path dir;

    @Test
    void smallCnnRunsItsConvolutionsInInt8() {
        Path xml = quantized(SmallCnn.write(dir), SmallCnn.samples(32, 1), QuantizationParameters.defaults());
        Run run = compare(xml, SmallCnn.samples(4, 99), 1, 1);
        // conv1 (3×3 on the image), the two 1×1 convolutions sharing one FakeQuantize and the final fully connected
        // layer (a matrix-vector product on byte codes); the depthwise one multiplies its input's codes in f32 and
        // writes the 1×1 layers' codes (as their u8 input quads, +quantize_u8, with AVX-512 and VNNI).
        List<String> integer = run.int8Layers().stream().filter(e -> !e.startsWith("depthwise_")).toList();
        assertEquals(4, integer.size(), run.int8Layers().toString());
        assertTrue(integer.stream().allMatch(e -> e.contains("_I8+scale+bias")), run.int8Layers().toString());
        assertTrue(integer.stream().anyMatch(e -> e.startsWith("gemv_")), run.int8Layers().toString());
        assertTrue(run.int8Layers().stream().anyMatch(e -> e.startsWith("depthwise_")
                && (e.endsWith("+quantize") || e.endsWith("+quantize_u8"))),
                run.int8Layers().toString());
    }

    @Test
    void mixedPresetRangesAlsoRunInInt8() {
        Path xml = quantized(SmallCnn.write(dir), SmallCnn.samples(32, 1),
                QuantizationParameters.defaults().withPreset(Preset.MIXED));
        Graph g = IrReader.read(xml);
        assertTrue(g.nodes().stream().filter(n -> n.type().equals("FakeQuantize"))
                .noneMatch(Int8ExecutionTest::hasFractionalZeroPoint), "asymmetric ranges are tuned to an integer zero point");
        Run run = compare(xml, SmallCnn.samples(4, 99), 1, 1);
        assertEquals(5, run.int8Layers().size(), run.int8Layers().toString());
    }

    @Test
    void blazeFaceOnFacePhotos() throws Exception {
        Path faces = SharedData.require("data/lfw-faces");
        Path model = SharedData.require("models/face/blazeface.onnx");
        List<Tensor> photos = new ArrayList<>();
        try (Stream<Path> files = java.nio.file.Files.walk(faces)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".jpg")).sorted().limit(6).toList()) {
                photos.add(image(p, 128));
            }
        }
        Path xml = quantized(model, photos.subList(0, 4), QuantizationParameters.defaults());
        // A value within an ulp of a level boundary may round to the neighbouring level when a layer sums in another
        // order, and across BlazeFace's 30-odd quantized layers such flips spread: on these photos the float fast
        // kernels (FakeQuantize then f32 convolution) already differ from the reference by up to 9 steps, 0.3-0.9 on
        // average; the INT8 kernels by up to 10, 0.4-1.3 on average.
        Run run = compare(xml, photos.subList(4, 6), 16, 2);
        assertTrue(run.int8Layers().size() >= 20, "BlazeFace's regular convolutions run in INT8: " + run.int8Layers());
    }

    private Path quantized(Path model, List<Tensor> calibration, QuantizationParameters params) {
        Graph fp32;
        try (Core core = new Core()) {
            fp32 = core.readModel(model).graph();
        }
        Path fp32Xml = IrWriter.write(fp32, dir, "fp32").xml();
        return Quantizer.quantize(fp32Xml, calibration, params, dir.resolve("int8"), "int8", "{}", null).xml();
    }

    record Run(List<String> int8Layers) {
    }

    /**
     * Runs {@code xml} with the fast kernels and with the reference ones on each input and compares the outputs in
     * quantization steps of their own range (range / 255): at most {@code maxSteps} apart, {@code meanSteps} on average.
     */
    private static Run compare(Path xml, List<Tensor> inputs, double maxSteps, double meanSteps) {
        try (Core core = new Core()) {
            Model fast = core.readModel(xml);
            Model reference = core.readModel(xml);
            String name = reference.inputs().getFirst().name();
            int[] shape = reference.inputs().getFirst().shape().toArray();
            shape[0] = PartialShape.DYNAMIC;
            reference.reshape(name, PartialShape.of(shape));
            List<String> int8 = new ArrayList<>();
            try (CompiledModel a = core.compileModel(fast, "CPU"); CompiledModel b = core.compileModel(reference, "CPU")) {
                InferRequest ra = a.createInferRequest();
                InferRequest rb = b.createInferRequest();
                ra.setProfiling(true);
                for (Tensor x : inputs) {
                    ra.setInput(0, x);
                    rb.setInput(0, x);
                    ra.infer();
                    rb.infer();
                    for (int o = 0; o < a.outputs().size(); o++) {
                        float[] got = ra.getOutput(o).toFloatArray();
                        float[] want = rb.getOutput(o).toFloatArray();
                        float step = TensorAssert.int8Step(want);
                        double mean = 0;
                        for (int i = 0; i < want.length; i++) {
                            double steps = Math.abs(got[i] - want[i]) / step;
                            assertTrue(steps <= maxSteps, "output " + o + "[" + i + "]: " + got[i] + " vs "
                                    + want[i] + " (step " + step + ")");
                            mean += steps / want.length;
                        }
                        assertTrue(mean <= meanSteps, "output " + o + ": mean difference " + mean + " steps");
                    }
                }
                for (ProfilingInfo p : ra.getProfilingInfo()) {
                    if (p.execType().contains("_I8")) {
                        int8.add(p.execType());
                    }
                }
            }
            return new Run(int8);
        }
    }

    private static boolean hasFractionalZeroPoint(Node fq) {
        float lo = fq.input(1).knownValue().toFloatArray()[0];
        float hi = fq.input(2).knownValue().toFloatArray()[0];
        double zero = -lo * 255.0 / (hi - lo);
        return Math.abs(zero - Math.rint(zero)) > 1e-4;
    }

    /** An RGB photo resized to size×size, NCHW in [−1, 1] as BlazeFace takes it. */
    private static Tensor image(Path file, int size) throws Exception {
        BufferedImage src = ImageIO.read(file.toFile());
        BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, size, size, null);
        g.dispose();
        float[] v = new float[3 * size * size];
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = img.getRGB(x, y);
                for (int c = 0; c < 3; c++) {
                    v[(c * size + y) * size + x] = ((rgb >> (16 - 8 * c)) & 0xff) / 127.5f - 1;
                }
            }
        }
        return Tensor.of(v, 1, 3, size, size);
    }
}
