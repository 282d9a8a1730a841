package dev.infero.cli.frontends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.quantize.QuantizationParameters;
import dev.infero.quantize.Quantizer;
import dev.infero.testing.SharedData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MobileFaceNet (MXNet symbol + params) from shared/models/frameworks/mxnet, converted to IR FP32 and FP16, run,
 * quantized to INT8: embeddings of two LFW photos of one person are more similar (cosine) than of two people.
 * Photos are 150×150 with the face centred; the model gets the central 90×90 resized to 112×112, RGB 0–255 (the
 * graph itself subtracts 127.5 and scales by 1/128).
 */
class MxnetModelsTest {
    @TempDir
    Path dir;

    private static final int CROP = 90;
    private static final int SIZE = 112;

    static Tensor face(Path photo) throws IOException {
        BufferedImage img = ImageIO.read(photo.toFile());
        int x0 = (img.getWidth() - CROP) / 2;
        int y0 = (img.getHeight() - CROP) / 2;
        float[] out = new float[3 * SIZE * SIZE];
        for (int y = 0; y < SIZE; y++) {
            float sy = (y + 0.5f) * CROP / SIZE - 0.5f;
            for (int x = 0; x < SIZE; x++) {
                float sx = (x + 0.5f) * CROP / SIZE - 0.5f;
                int ix = (int) Math.floor(sx);
                int iy = (int) Math.floor(sy);
                float fx = sx - ix;
                float fy = sy - iy;
                for (int c = 0; c < 3; c++) {
                    float v = (1 - fx) * (1 - fy) * px(img, x0 + ix, y0 + iy, c) + fx * (1 - fy) * px(img, x0 + ix + 1, y0 + iy, c)
                            + (1 - fx) * fy * px(img, x0 + ix, y0 + iy + 1, c) + fx * fy * px(img, x0 + ix + 1, y0 + iy + 1, c);
                    out[(c * SIZE + y) * SIZE + x] = v;
                }
            }
        }
        return Tensor.of(out, 1, 3, SIZE, SIZE);
    }

    private static float px(BufferedImage img, int x, int y, int c) {
        x = Math.max(0, Math.min(img.getWidth() - 1, x));
        y = Math.max(0, Math.min(img.getHeight() - 1, y));
        return (img.getRGB(x, y) >> (16 - 8 * c)) & 0xFF;
    }

    /** People with at least two photos: up to {@code perPerson} photos each. */
    static List<List<Path>> people(int perPerson) {
        return SharedData.lfwPeople().stream().map(person -> SharedData.photos(person, perPerson))
                .filter(photos -> photos.size() >= 2).toList();
    }

    private static float[] normalized(float[] v) {
        double n = 0;
        for (float f : v) {
            n += f * f;
        }
        float inv = (float) (1 / Math.sqrt(n));
        float[] r = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            r[i] = v[i] * inv;
        }
        return r;
    }

    static double cosine(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    private static List<List<float[]>> embed(Path model, List<List<Tensor>> faces) {
        List<List<float[]>> out = new ArrayList<>();
        try (Core core = new Core()) {
            InferRequest r = core.compileModel(model, "CPU").createInferRequest();
            for (List<Tensor> person : faces) {
                List<float[]> e = new ArrayList<>();
                for (Tensor t : person) {
                    r.setInput(0, t);
                    r.infer();
                    e.add(normalized(r.getOutput(0).toFloatArray()));
                }
                out.add(e);
            }
        }
        return out;
    }

    /** Mean same-person and different-person cosine, and the best-threshold verification accuracy over all pairs. */
    private record Separation(double same, double different, double accuracy, int pairs) {
    }

    private static Separation separation(List<List<float[]>> e) {
        List<Double> same = new ArrayList<>();
        List<Double> diff = new ArrayList<>();
        for (int p = 0; p < e.size(); p++) {
            List<float[]> a = e.get(p);
            for (int i = 0; i < a.size(); i++) {
                for (int j = i + 1; j < a.size(); j++) {
                    same.add(cosine(a.get(i), a.get(j)));
                }
            }
            List<float[]> b = e.get((p + 1) % e.size());
            List<float[]> c = e.get((p + 7) % e.size());
            diff.add(cosine(a.get(0), b.get(0)));
            diff.add(cosine(a.get(1), b.get(1)));
            diff.add(cosine(a.get(0), c.get(1)));
        }
        double best = 0;
        for (double t = -1; t <= 1; t += 0.01) {
            final double th = t;
            long ok = same.stream().filter(s -> s >= th).count() + diff.stream().filter(d -> d < th).count();
            best = Math.max(best, (double) ok / (same.size() + diff.size()));
        }
        return new Separation(same.stream().mapToDouble(Double::doubleValue).average().orElse(0),
                diff.stream().mapToDouble(Double::doubleValue).average().orElse(0), best, same.size() + diff.size());
    }

    @Test
    void mobileFaceNetSeparatesSameAndDifferentPeople() throws IOException {
        Path m = SharedData.require("models/frameworks/mxnet/mobilefacenet");
        List<List<Path>> people = people(2);
        List<List<Tensor>> faces = new ArrayList<>();
        for (List<Path> person : people) {
            List<Tensor> t = new ArrayList<>();
            for (Path p : person) {
                t.add(face(p));
            }
            faces.add(t);
        }
        // The params file alone: its -symbol.json is found beside it.
        ModelSource source = ModelSource.of(m.resolve("model-0000.params"));
        List<PartialShape> shape = List.of(PartialShape.of(1, 3, SIZE, SIZE));
        Path fp32 = CaffeModelsTest.convert(source, dir, "mobilefacenet_fp32", shape, false);
        Path fp16 = CaffeModelsTest.convert(source, dir, "mobilefacenet_fp16", shape, true);
        List<Tensor> calibration = new ArrayList<>();
        for (Path p : CaffeModelsTest.lfwPhotos(16, 41)) {
            calibration.add(face(p));
        }
        Path int8 = Quantizer.quantize(fp32, calibration, QuantizationParameters.defaults()
                .withStatSubsetSize(calibration.size()), dir, "mobilefacenet_int8",
                null, new PrintStream(OutputStream.nullOutputStream())).xml();
        List<List<float[]>> e32 = embed(fp32, faces);
        // FP16 and INT8 on the first 24 people, to keep the test short.
        List<List<Tensor>> some = faces.subList(0, 24);
        List<List<float[]>> e16 = embed(fp16, some);
        List<List<float[]>> e8 = embed(int8, some);
        Separation s32 = separation(e32);
        Separation s16 = separation(e16);
        Separation s8 = separation(e8);
        double agree16 = 1;
        double agree8 = 1;
        for (int p = 0; p < e16.size(); p++) {
            for (int i = 0; i < e16.get(p).size(); i++) {
                agree16 = Math.min(agree16, cosine(e32.get(p).get(i), e16.get(p).get(i)));
                agree8 = Math.min(agree8, cosine(e32.get(p).get(i), e8.get(p).get(i)));
            }
        }
        System.out.printf("MobileFaceNet on LFW (%d people, %d pairs): mean cosine same %.3f / different %.3f, "
                + "best-threshold verification accuracy %.1f%% (FP32); first 24 people: FP16 %.3f/%.3f %.1f%%, INT8 %.3f/%.3f %.1f%%; "
                + "lowest cosine to FP32: FP16 %.4f, INT8 %.4f%n", people.size(), s32.pairs(), s32.same(), s32.different(),
                100 * s32.accuracy(), s16.same(), s16.different(), 100 * s16.accuracy(), s8.same(), s8.different(),
                100 * s8.accuracy(), agree16, agree8);
        assertTrue(s32.same() > s32.different() + 0.3, "same " + s32.same() + " vs different " + s32.different());
        assertTrue(s32.accuracy() > 0.85, "verification accuracy " + s32.accuracy());
        assertTrue(agree16 > 0.99, "FP16 embeddings agree with FP32: " + agree16);
        assertTrue(s8.same() > s8.different() + 0.3 && s8.accuracy() > 0.8, "INT8 separation " + s8);
        assertEquals(s16.pairs(), s8.pairs());
    }
}
