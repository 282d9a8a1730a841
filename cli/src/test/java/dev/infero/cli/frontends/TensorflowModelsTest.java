package dev.infero.cli.frontends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.convert.ConvertOptions;
import dev.infero.api.convert.ModelConverter;
import dev.infero.api.io.ImageInput;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.quantize.QuantizationParameters;
import dev.infero.quantize.Quantizer;
import dev.infero.testing.SharedData;
import java.io.IOException;
import java.io.PrintStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenCV's TensorFlow face detector (ResNet-10 SSD, uint8 weights dequantized in the graph) through the TensorFlow
 * frontend: converted to IR FP32 and FP16 with OpenCV's text graph as companion (PriorBox + DetectionOutput), run,
 * quantized to INT8; it must find the three faces of 3faces.png and the face of LFW photos with confidence > 0.9.
 * Without the companion, the frozen graph's softmaxed (background, face) pairs give a best face score > 0.9 on faces
 * and a low one on ImageNet photos of animals.
 */
class TensorflowModelsTest {
    private static final PartialShape INPUT = PartialShape.of(1, 300, 300, 3);
    private static final float[] BGR_MEAN = {104, 117, 123};

    @TempDir
    static Path dir;
    static Path pb;
    static Path pbtxt;
    static Path fp32;
    static Path fp16;
    static List<Path> faces;

    @BeforeAll
    static void convert() throws IOException {
        pb = SharedData.require("models/frameworks/tensorflow/opencv_face_detector_uint8.pb");
        pbtxt = SharedData.require("models/frameworks/tensorflow/opencv_face_detector.pbtxt");
        faces = SharedData.lfwPeople().stream().limit(9).map(SharedData::firstPhoto).toList();
        fp32 = convert("facedet_fp32", false);
        fp16 = convert("facedet_fp16", true);
    }

    /** What OpenCV's sample does: BGR, minus (104, 117, 123), embedded in the IR; the graph's input stays NHWC. */
    private static Path convert(String name, boolean half) {
        ConvertOptions options = new ConvertOptions(pb, name, dir, List.of(), List.of(INPUT), List.of(), BGR_MEAN,
                new float[0], null, true, half, "nhwc", new ModelSource(pb, pbtxt, null, null));
        return ModelConverter.convert(options).files().xml();
    }

    private static Tensor image(Path file) {
        return ImageInput.load(file, ElementType.F32, INPUT, ImageInput.Preprocessing.NONE);
    }

    /** Detections of [1, 1, N, 7] rows (image, label, confidence, x0, y0, x1, y1) with confidence above 0.9. */
    private static List<float[]> confident(Tensor out) {
        List<float[]> boxes = new ArrayList<>();
        for (int r = 0; r < out.size() / 7; r++) {
            if (out.getDouble(r * 7) < 0) {
                break;
            }
            if (out.getDouble(r * 7 + 2) > 0.9) {
                float[] row = new float[7];
                for (int k = 0; k < 7; k++) {
                    row[k] = (float) out.getDouble(r * 7 + k);
                }
                boxes.add(row);
            }
        }
        return boxes;
    }

    private static void checkDetector(Path xml, String variant) {
        try (Core core = new Core()) {
            CompiledModel model = core.compileModel(xml, "CPU");
            assertEquals("[1,300,300,3]", model.inputs().get(0).shape().toString(), "the NHWC input is kept");
            InferRequest request = model.createInferRequest();
            request.setInput(0, image(SharedData.require("models/face/3faces.png")));
            request.infer();
            List<float[]> found = confident(request.getOutput(0));
            assertEquals(3, found.size(), variant + ": faces with confidence > 0.9 in 3faces.png");
            for (float[] f : found) {
                assertEquals(1, f[1], variant + ": label 1 = face");
                assertTrue(f[3] < f[5] && f[4] < f[6], variant + ": a proper box");
            }
            for (Path face : faces.subList(0, 3)) {
                request.setInput(0, image(face));
                request.infer();
                List<float[]> boxes = confident(request.getOutput(0));
                assertTrue(!boxes.isEmpty(), variant + ": no face found in " + face);
                float[] best = boxes.get(0);
                float cx = (best[3] + best[5]) / 2;
                float cy = (best[4] + best[6]) / 2;
                assertTrue(Math.abs(cx - 0.5) < 0.15 && Math.abs(cy - 0.5) < 0.2,
                        variant + ": the face of " + face.getFileName() + " is near the centre, got " + cx + "," + cy);
            }
        }
    }

    @Test
    void fp32AndFp16FindTheFaces() {
        checkDetector(fp32, "FP32");
        checkDetector(fp16, "FP16");
        assertTrue(fp16.resolveSibling("facedet_fp16.bin").toFile().length()
                < 0.6 * fp32.resolveSibling("facedet_fp32.bin").toFile().length());
    }

    @Test
    void int8FindsTheFaces() {
        List<Tensor> samples = faces.subList(3, 9).stream().map(TensorflowModelsTest::image).toList();
        Quantizer.Result r = Quantizer.quantize(fp32, samples, QuantizationParameters.defaults()
                .withStatSubsetSize(samples.size()), dir, "facedet_int8", null, new PrintStream(OutputStream.nullOutputStream()));
        assertTrue(r.quantizedLayers() >= 30, "convolutions quantized: " + r.quantizedLayers());
        checkDetector(r.xml(), "INT8");
    }

    @Test
    void frozenGraphAloneScoresFacesHighAndAnimalsLow() {
        Path plain = ModelConverter.convert(new ConvertOptions(pb, "facedet_heads", dir, List.of(), List.of(INPUT),
                List.of(), BGR_MEAN, new float[0], null, true, false, "nhwc")).files().xml();
        Path animals = SharedData.require("data/imagenet-samples");
        try (Core core = new Core()) {
            CompiledModel model = core.compileModel(plain, "CPU");
            assertEquals(2, model.outputs().size());
            InferRequest request = model.createInferRequest();
            for (Path face : faces.subList(0, 3)) {
                assertTrue(bestFace(request, face) > 0.9, "face score of " + face);
            }
            for (String animal : List.of("n01484850_great_white_shark.JPEG", "n01514859_hen.JPEG",
                    "n01530575_brambling.JPEG")) {
                double score = bestFace(request, animals.resolve(animal));
                assertTrue(score < 0.5, "face score " + score + " of " + animal);
            }
        }
    }

    /** The best face probability over all priors: mbox_conf_flatten holds softmaxed (background, face) pairs. */
    private static double bestFace(InferRequest request, Path photo) {
        request.setInput(0, image(photo));
        request.infer();
        Tensor conf = request.getOutput("mbox_conf_flatten");
        double best = 0;
        for (int p = 0; p + 1 < conf.size(); p += 2) {
            assertEquals(1, conf.getDouble(p) + conf.getDouble(p + 1), 1e-3, "a softmaxed pair");
            best = Math.max(best, conf.getDouble(p + 1));
        }
        return best;
    }
}
