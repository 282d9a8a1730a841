package dev.infero.cli.frontends;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infero.api.Core;
import dev.infero.api.InferRequest;
import dev.infero.api.convert.ConvertOptions;
import dev.infero.api.convert.ModelConverter;
import dev.infero.core.frontend.ModelSource;
import dev.infero.core.tensor.Tensor;
import dev.infero.core.types.PartialShape;
import dev.infero.quantize.QuantizationParameters;
import dev.infero.quantize.Quantizer;
import dev.infero.testing.SharedData;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Caffe models of shared/models/frameworks/caffe, converted to IR FP32 and FP16, run, quantized to INT8, and
 * checked as the README says: LeNet ≈ 99 % on the MNIST test set; the MTCNN cascade finds the one face of LFW photos
 * near the centre with its five landmarks inside the box.
 */
class CaffeModelsTest {
    @TempDir
    Path dir;

    private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    static Path convert(ModelSource source, Path out, String name, List<PartialShape> shapes, boolean fp16) {
        ConvertOptions o = new ConvertOptions(source.model(), name, out, List.of(), shapes, List.of(), new float[0],
                new float[0], null, false, fp16, null).withSource(source);
        return ModelConverter.convert(o).files().xml();
    }

    private static byte[] gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }

    private static Tensor digit(byte[] images, int i) {
        float[] px = new float[28 * 28];
        for (int p = 0; p < px.length; p++) {
            px[p] = (images[16 + i * px.length + p] & 0xFF) * 0.00390625f;
        }
        return Tensor.of(px, 1, 1, 28, 28);
    }

    private static double accuracy(Path model, byte[] images, byte[] labels, int count, int step) {
        try (Core core = new Core()) {
            return accuracy(core.compileModel(model, "CPU").createInferRequest(), images, labels, count, step);
        }
    }

    /** Top-1 accuracy in percent over every {@code step}-th of the first {@code count} digits. */
    private static double accuracy(InferRequest r, byte[] images, byte[] labels, int count, int step) {
        int correct = 0;
        int seen = 0;
        for (int i = 0; i < count; i += step) {
            r.setInput(0, digit(images, i));
            r.infer();
            float[] p = r.getOutput(0).toFloatArray();
            int best = 0;
            for (int k = 1; k < p.length; k++) {
                if (p[k] > p[best]) {
                    best = k;
                }
            }
            if (best == (labels[8 + i] & 0xFF)) {
                correct++;
            }
            seen++;
        }
        return 100.0 * correct / seen;
    }

    @Test
    void lenetClassifiesMnistDigits() throws IOException {
        Path caffe = SharedData.require("models/frameworks/caffe/lenet-mnist");
        Path mnist = SharedData.require("data/mnist");
        byte[] images = gunzip(mnist.resolve("t10k-images-idx3-ubyte.gz"));
        byte[] labels = gunzip(mnist.resolve("t10k-labels-idx1-ubyte.gz"));
        ModelSource source = new ModelSource(caffe.resolve("lenet_iter_10000.caffemodel"), caffe.resolve("lenet.prototxt"),
                null, null);
        // Straight from the Caffe files, all 10,000 digits.
        double direct;
        try (Core core = new Core()) {
            var model = core.readModel(source);
            // The one output is the Softmax layer's top, "loss" in this deploy file, of 10 class probabilities.
            assertEquals(1, model.outputs().size());
            assertEquals("loss", model.outputs().get(0).name());
            assertEquals(PartialShape.of(1, 10), model.outputs().get(0).shape());
            direct = accuracy0(core, model, images, labels);
        }
        Path fp32 = convert(source, dir, "lenet_fp32", List.of(), false);
        Path fp16 = convert(source, dir, "lenet_fp16", List.of(), true);
        double a32 = accuracy(fp32, images, labels, 10_000, 1);
        double a16 = accuracy(fp16, images, labels, 10_000, 5);
        List<Tensor> calibration = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            calibration.add(digit(images, 9_999 - i * 7));
        }
        Path int8 = Quantizer.quantize(fp32, calibration, QuantizationParameters.defaults().withStatSubsetSize(300),
                dir, "lenet_int8", null, QUIET).xml();
        double a8 = accuracy(int8, images, labels, 10_000, 5);
        System.out.printf("Caffe LeNet on MNIST t10k: caffe %.2f%%, IR FP32 %.2f%%, FP16 %.2f%% (every 5th), INT8 %.2f%% (every 5th)%n",
                direct, a32, a16, a8);
        assertTrue(direct > 98.7, "LeNet accuracy " + direct);
        assertEquals(direct, a32, 0.02, "IR FP32 = the Caffe model");
        assertTrue(a16 > 98.5 && a8 > 98.5, "FP16 " + a16 + ", INT8 " + a8);
    }

    private static double accuracy0(Core core, dev.infero.api.Model model, byte[] images, byte[] labels) {
        return accuracy(core.compileModel(model, "CPU").createInferRequest(), images, labels, 10_000, 1);
    }

    @Test
    void theSwappedDefinitionOfTheMtcnnFilesIsReportedAsALayerMismatch() {
        Path m = SharedData.require("models/frameworks/caffe/mtcnn");
        try (Core core = new Core()) {
            var e = org.junit.jupiter.api.Assertions.assertThrows(dev.infero.core.InferoException.class, () -> core.readModel(
                    new ModelSource(m.resolve("det2.caffemodel"), m.resolve("det2.prototxt"), null, null)));
            assertTrue(e.getMessage().contains("det2.prototxt") && e.getMessage().contains("det2.caffemodel")
                    && e.getMessage().contains("'conv4' (Convolution)"), e.getMessage());
        }
    }

    @Test
    void batchNormAndScaleFoldIntoTheConvolutionOnConversion() throws IOException {
        String prototxt = "layer { name: 'data' type: 'Input' top: 'data' input_param { shape { dim: 1 dim: 2 dim: 5 dim: 5 } } }\n"
                + "layer { name: 'conv' type: 'Convolution' bottom: 'data' top: 'conv' convolution_param { num_output: 3 kernel_size: 3 pad: 1 } }\n"
                + "layer { name: 'bn' type: 'BatchNorm' bottom: 'conv' top: 'conv' batch_norm_param { use_global_stats: true } }\n"
                + "layer { name: 'sc' type: 'Scale' bottom: 'conv' top: 'conv' scale_param { bias_term: true } }\n"
                + "layer { name: 'relu' type: 'ReLU' bottom: 'conv' top: 'conv' }\n";
        float[] w = new float[3 * 2 * 9];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) Math.sin(i);
        }
        var net = dev.infero.caffe.proto.Caffe.NetParameter.newBuilder()
                .addLayer(layer("conv", blob(w, 3, 2, 3, 3), blob(new float[] {0.1f, -0.2f, 0.3f}, 3)))
                .addLayer(layer("bn", blob(new float[] {2, 4, -2}, 3), blob(new float[] {8, 2, 4}, 3), blob(new float[] {2}, 1)))
                .addLayer(layer("sc", blob(new float[] {1.5f, -1, 0.5f}, 3), blob(new float[] {0, 1, -1}, 3))).build();
        Path model = dir.resolve("fold.caffemodel");
        Files.write(model, net.toByteArray());
        Files.writeString(dir.resolve("fold.prototxt"), prototxt);
        Path xml = convert(ModelSource.of(model), dir, "fold", List.of(), false);
        String ir = Files.readString(xml);
        assertTrue(!ir.contains("BatchNormInference") && !ir.contains("\"Multiply\""), "BatchNorm and Scale folded: " + ir);
        float[] x = new float[50];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.cos(i);
        }
        try (Core core = new Core()) {
            InferRequest direct = core.compileModel(core.readModel(model), "CPU").createInferRequest();
            InferRequest folded = core.compileModel(xml, "CPU").createInferRequest();
            direct.setInput(0, Tensor.of(x, 1, 2, 5, 5));
            folded.setInput(0, Tensor.of(x, 1, 2, 5, 5));
            direct.infer();
            folded.infer();
            float[] a = direct.getOutput(0).toFloatArray();
            float[] b = folded.getOutput(0).toFloatArray();
            for (int i = 0; i < a.length; i++) {
                assertEquals(a[i], b[i], 1e-4, "element " + i);
            }
        }
    }

    private static dev.infero.caffe.proto.Caffe.LayerParameter layer(String name, dev.infero.caffe.proto.Caffe.BlobProto... blobs) {
        return dev.infero.caffe.proto.Caffe.LayerParameter.newBuilder().setName(name).addAllBlobs(List.of(blobs)).build();
    }

    private static dev.infero.caffe.proto.Caffe.BlobProto blob(float[] data, long... dims) {
        var b = dev.infero.caffe.proto.Caffe.BlobProto.newBuilder()
                .setShape(dev.infero.caffe.proto.Caffe.BlobShape.newBuilder().addAllDim(java.util.Arrays.stream(dims).boxed().toList()));
        for (float f : data) {
            b.addData(f);
        }
        return b.build();
    }

    /** LFW photos, one per person, in name order, every {@code step}-th person. */
    static List<Path> lfwPhotos(int count, int step) {
        List<Path> people = SharedData.lfwPeople();
        List<Path> photos = new ArrayList<>();
        for (int i = 0; i < people.size() && photos.size() < count; i += step) {
            photos.addAll(SharedData.photos(people.get(i), 1));
        }
        return photos;
    }

    /**
     * The fraction of photos where {@code mtcnn}'s best face is near the centre with its landmarks inside the box;
     * closes {@code mtcnn}.
     */
    private static double faceRate(Mtcnn mtcnn, List<Path> photos, StringBuilder failures) throws IOException {
        try (mtcnn) {
            return faceRateOf(mtcnn, photos, failures);
        }
    }

    private static double faceRateOf(Mtcnn mtcnn, List<Path> photos, StringBuilder failures) throws IOException {
        int ok = 0;
        for (Path p : photos) {
            BufferedImage img = ImageIO.read(p.toFile());
            List<Mtcnn.Face> faces = mtcnn.detect(img);
            if (faces.isEmpty()) {
                failures.append(p.getFileName()).append(": no face; ");
                continue;
            }
            Mtcnn.Face f = faces.get(0);
            float cx = (f.x1() + f.x2()) / 2;
            float cy = (f.y1() + f.y2()) / 2;
            float size = f.x2() - f.x1();
            boolean centred = Math.abs(cx - img.getWidth() / 2f) < img.getWidth() * 0.15f
                    && Math.abs(cy - img.getHeight() / 2f) < img.getHeight() * 0.2f && size > 30 && size < 150;
            boolean inside = true;
            for (int i = 0; i < 5; i++) {
                float x = f.landmarks()[i];
                float y = f.landmarks()[5 + i];
                inside &= x >= f.x1() && x <= f.x2() && y >= f.y1() && y <= f.y2();
            }
            if (centred && inside) {
                ok++;
            } else {
                failures.append(String.format("%s: box (%.0f,%.0f,%.0f,%.0f) score %.2f centred=%b landmarks inside=%b; ",
                        p.getFileName(), f.x1(), f.y1(), f.x2(), f.y2(), f.score(), centred, inside));
            }
        }
        return (double) ok / photos.size();
    }

    @Test
    void mtcnnCascadeFindsTheFaceInLfwPhotos() throws IOException {
        Path m = SharedData.require("models/frameworks/caffe/mtcnn");
        List<Path> photos = lfwPhotos(40, 20);
        ModelSource[] nets = new ModelSource[3];
        // The published files swap two definitions: det2.prototxt is O-Net ("oNet", 48×48), det3.prototxt R-Net.
        String[] prototxts = {"det1.prototxt", "det3.prototxt", "det2.prototxt"};
        for (int i = 0; i < 3; i++) {
            nets[i] = new ModelSource(m.resolve("det" + (i + 1) + ".caffemodel"), m.resolve(prototxts[i]), null, null);
        }
        Path[] fp32 = new Path[3];
        Path[] fp16 = new Path[3];
        Path[] int8 = new Path[3];
        // P-Net keeps its declared 12×12 input; the cascade reshapes it to each pyramid level (it is fully convolutional).
        int[] sizes = {12, 24, 48};
        for (int i = 0; i < 3; i++) {
            fp32[i] = convert(nets[i], dir, "det" + (i + 1) + "_fp32", List.of(), false);
            fp16[i] = convert(nets[i], dir, "det" + (i + 1) + "_fp16", List.of(), true);
            List<Tensor> calibration = new ArrayList<>();
            for (Path p : lfwPhotos(60, 13)) {
                BufferedImage img = ImageIO.read(p.toFile());
                float[][] rgb = new float[3][img.getWidth() * img.getHeight()];
                for (int y = 0; y < img.getHeight(); y++) {
                    for (int x = 0; x < img.getWidth(); x++) {
                        int v = img.getRGB(x, y);
                        rgb[0][y * img.getWidth() + x] = (v >> 16) & 0xFF;
                        rgb[1][y * img.getWidth() + x] = (v >> 8) & 0xFF;
                        rgb[2][y * img.getWidth() + x] = v & 0xFF;
                    }
                }
                // Whole photos for P-Net; the centre (the face) and a shifted crop for R-Net and O-Net.
                int w = img.getWidth();
                int h = img.getHeight();
                // Face crops (the centre), shifted crops and whole photos, at the network's input size.
                calibration.add(Mtcnn.crop(rgb, w, h, w / 4, h / 4, w / 2, h / 2, sizes[i], sizes[i]));
                calibration.add(Mtcnn.crop(rgb, w, h, w / 8, h / 3, w / 2, h / 2, sizes[i], sizes[i]));
                calibration.add(Mtcnn.crop(rgb, w, h, 0, 0, w, h, sizes[i], sizes[i]));
            }
            int8[i] = Quantizer.quantize(fp32[i], calibration, QuantizationParameters.defaults()
                    .withStatSubsetSize(calibration.size()), dir, "det" + (i + 1) + "_int8", null, QUIET).xml();
        }
        StringBuilder failures = new StringBuilder();
        double caffeRate = faceRate(new Mtcnn(nets[0], nets[1], nets[2]), photos, failures);
        double rate32 = faceRate(new Mtcnn(fp32[0], fp32[1], fp32[2]), photos, failures);
        List<Path> fewer = photos.subList(0, 20);
        double rate16 = faceRate(new Mtcnn(fp16[0], fp16[1], fp16[2]), fewer, failures);
        double rate8 = faceRate(new Mtcnn(int8[0], int8[1], int8[2]), fewer, failures);
        System.out.printf("MTCNN on LFW: face found centred with landmarks inside: caffe %.0f%%, IR FP32 %.0f%% (%d photos), "
                + "FP16 %.0f%%, INT8 %.0f%% (%d photos)%n", 100 * caffeRate, 100 * rate32, photos.size(), 100 * rate16,
                100 * rate8, fewer.size());
        assertTrue(caffeRate >= 0.95 && rate32 >= 0.95, failures.toString());
        assertTrue(rate16 >= 0.95 && rate8 >= 0.9, failures.toString());
        System.out.println("MTCNN misses: " + failures);
    }
}
