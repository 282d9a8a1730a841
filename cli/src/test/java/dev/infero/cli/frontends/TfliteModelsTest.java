package dev.infero.cli.frontends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.CompiledModel;
import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.Model;
import dev.infero.api.convert.ConvertOptions;
import dev.infero.api.convert.ModelConverter;
import dev.infero.api.io.ImageInput;
import dev.infero.cli.Main;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.ElementType;
import dev.infero.core.types.PartialShape;
import dev.infero.testing.SharedData;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TensorFlow Lite frontend on the shared {@code face_landmark.tflite}. That file is not the 468-point MediaPipe
 * model the shared README describes but a ShuffleNet face landmark model of the same task family: input
 * {@code images 1×160×160×3} RGB 0–255 (the graph maps it to [-1, 1]), outputs {@code Identity_2 1×136} (68 iBUG
 * points, x then y, normalised to the crop), {@code Identity_1 1×3} (head pose) and {@code Identity 1×4} (eye and
 * mouth state logits); it has no face flag. Without a TFLite runtime, its check is the README's: on the same face
 * crops, its landmarks land close to {@code facemesh.onnx}'s (the 468-point topology, compared at the iBUG points
 * that have a MediaPipe counterpart: eye corners, nose, mouth corners, lips, chin), as read directly and as IR FP32,
 * FP16 and INT8 (quantized on LFW photos).
 */
class TfliteModelsTest {
    /** iBUG-68 point → MediaPipe face mesh vertex, for points both models place the same way. */
    private static final int[][] CORRESPONDING = {
            {8, 152}, // chin
            {30, 4}, // nose tip
            {33, 2}, // nose base
            {36, 33}, {39, 133}, // right eye corners (image left)
            {42, 362}, {45, 263}, // left eye corners
            {48, 61}, {54, 291}, // mouth corners
            {51, 0}, {57, 17}, // lip centres
    };

    @TempDir
    static Path dir;

    private static Path tflite;
    private static Path facemesh;
    private static List<Path> faces;
    private static Path fp32;
    private static Path fp16;
    private static Path int8;
    /** Landmarks per variant (direct, FP32, FP16, INT8) and FaceMesh's points, per photo. */
    private static final Map<String, List<float[]>> LANDMARKS = new java.util.LinkedHashMap<>();
    private static List<float[]> meshes;

    @BeforeAll
    static void convertAndQuantize() throws IOException {
        tflite = SharedData.require("models/frameworks/tflite/face_landmark.tflite");
        facemesh = SharedData.require("models/face/facemesh.onnx");
        Path lfw = SharedData.require("data/lfw-faces");
        // The last people alphabetically: the calibration set below takes the first photos.
        faces = SharedData.lfwPeople().reversed().stream().limit(6).map(SharedData::firstPhoto).toList();
        fp32 = ModelConverter.convert(options("face_landmark_fp32", false)).files().xml();
        fp16 = ModelConverter.convert(options("face_landmark_fp16", true)).files().xml();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), "quantize", "-m", fp32.toString(),
                "--data", lfw.toString(), "--subset-size", "16", "--preset", "performance",
                "--output-dir", dir.resolve("int8").toString(), "-d");
        assertEquals(0, code, err.toString());
        int8 = dir.resolve("int8").resolve("face_landmark_fp32_int8.xml");
        try (Core core = new Core()) {
            meshes = meshes(core);
            LANDMARKS.put("direct", landmarks(core, tflite));
            LANDMARKS.put("FP32", landmarks(core, fp32));
            LANDMARKS.put("FP16", landmarks(core, fp16));
            LANDMARKS.put("INT8", landmarks(core, int8));
        }
    }

    private static ConvertOptions options(String name, boolean fp16) {
        return new ConvertOptions(tflite, name, dir, List.of(), List.of(), List.of(), new float[0], new float[0],
                null, false, fp16, null);
    }

    /** 68 points (x, y) in [0, 1] of the crop, per photo. */
    private static List<float[]> landmarks(Core core, Path model) {
        Model m = core.readModel(model);
        CompiledModel compiled = core.compileModel(m, "CPU", Map.of());
        InferRequest request = compiled.createInferRequest();
        List<float[]> out = new ArrayList<>();
        for (Path photo : faces) {
            request.setInput(0, ImageInput.load(photo, ElementType.F32, PartialShape.of(1, 160, 160, 3),
                    ImageInput.Preprocessing.NONE));
            request.infer();
            Tensor points = request.getOutput("Identity_2");
            assertEquals(136, points.size());
            out.add(points.floats().clone());
        }
        return out;
    }

    /** FaceMesh's 468 points (x, y, z) in pixels of its 192×192 input, per photo. */
    private static List<float[]> meshes(Core core) {
        CompiledModel compiled = core.compileModel(core.readModel(facemesh), "CPU", Map.of());
        InferRequest request = compiled.createInferRequest();
        List<float[]> out = new ArrayList<>();
        for (Path photo : faces) {
            request.setInput(0, ImageInput.load(photo, ElementType.F32, PartialShape.of(1, 3, 192, 192),
                    new ImageInput.Preprocessing(new float[] {127.5f}, new float[] {127.5f}, false)));
            request.infer();
            out.add(request.getOutput(0).floats().clone());
        }
        return out;
    }

    /** Mean distance, in pixels at 192×192, between corresponding points; per photo. */
    private static double[] distances(List<float[]> landmarks, List<float[]> meshes) {
        double[] d = new double[landmarks.size()];
        for (int i = 0; i < d.length; i++) {
            double sum = 0;
            for (int[] pair : CORRESPONDING) {
                double x = landmarks.get(i)[2 * pair[0]] * 192;
                double y = landmarks.get(i)[2 * pair[0] + 1] * 192;
                double mx = meshes.get(i)[3 * pair[1]];
                double my = meshes.get(i)[3 * pair[1] + 1];
                sum += Math.hypot(x - mx, y - my);
            }
            d[i] = sum / CORRESPONDING.length;
        }
        return d;
    }

    private static double maxDifference(List<float[]> a, List<float[]> b) {
        double max = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < a.get(i).length; j++) {
                max = Math.max(max, Math.abs(a.get(i)[j] - b.get(i)[j]));
            }
        }
        return max;
    }

    /**
     * The README's check: at the corresponding points, the landmarks are within a few pixels of FaceMesh's (at
     * 192×192; the two models were trained on different crops and annotation conventions, so eye corners sit a few
     * pixels apart even on frontal faces), read directly and as every IR variant.
     */
    @Test
    void landmarksLandCloseToFaceMeshOnFaceCrops() {
        for (var variant : LANDMARKS.entrySet()) {
            double[] d = distances(variant.getValue(), meshes);
            double mean = java.util.Arrays.stream(d).average().orElseThrow();
            assertTrue(mean < 9, variant.getKey() + ": mean distance " + mean + " px " + java.util.Arrays.toString(d));
            for (double photo : d) {
                assertTrue(photo < 15, variant.getKey() + ": " + java.util.Arrays.toString(d));
            }
        }
    }

    /**
     * FP32 IR computes what the .tflite read directly computes (bit for bit: the same graph, written and read back);
     * FP16 IR too (the model's weights are already f16 in the file); INT8 stays within a fraction of a pixel on
     * average, and stores its weights as one byte each.
     */
    @Test
    void irVariantsComputeWhatTheTfliteModelComputes() throws IOException {
        List<float[]> direct = LANDMARKS.get("direct");
        assertEquals(0.0, maxDifference(LANDMARKS.get("FP32"), direct), "FP32 IR");
        assertTrue(maxDifference(LANDMARKS.get("FP16"), direct) < 1e-3, "FP16 IR");
        List<float[]> quantized = LANDMARKS.get("INT8");
        double sum = 0;
        int count = 0;
        for (int i = 0; i < direct.size(); i++) {
            for (int j = 0; j < direct.get(i).length; j++) {
                sum += Math.abs(direct.get(i)[j] - quantized.get(i)[j]) * 192;
                count++;
            }
        }
        assertTrue(sum / count < 1.5, "INT8 mean coordinate difference " + sum / count + " px");
        long fp32Bin = Files.size(fp32.resolveSibling("face_landmark_fp32.bin"));
        long fp16Bin = Files.size(fp16.resolveSibling("face_landmark_fp16.bin"));
        long int8Bin = Files.size(int8.resolveSibling("face_landmark_fp32_int8.bin"));
        assertTrue(fp16Bin < 0.55 * fp32Bin, "FP16 .bin " + fp16Bin + " vs FP32 " + fp32Bin);
        assertTrue(int8Bin < 0.35 * fp32Bin, "INT8 .bin " + int8Bin + " vs FP32 " + fp32Bin);
    }
}
